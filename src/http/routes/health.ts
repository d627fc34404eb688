// GET /healthz: whether this process can reach its database; for load balancers and
// orchestrators, so no token is needed and the answer says nothing about the database.
import type { Logger } from '../../lib/log.ts';
import type { Database } from '../../storage/db.ts';
import type { RouteHandler } from '../api.ts';

// A probe that hangs is as bad as one that fails; answer before the prober gives up.
const TIMEOUT_MS = 5_000;

export function health(database: Database, logger: Logger): RouteHandler {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from the database within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([database.db.$queryRawUnsafe('SELECT 1'), timeout]);
      return { status: 200, body: { status: 'ok' } };
    } catch (err) {
      logger.warn({ err }, 'health check: database unavailable');
      return { status: 503, body: { status: 'unavailable' } };
    } finally {
      clearTimeout(timer);
    }
  };
}
