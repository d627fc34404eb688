// `canary serve`: runs the HTTP server (the ingestion API and the health check) until
// SIGINT or SIGTERM, then stops taking connections, lets requests in flight finish,
// closes the database and exits 0. Logs are JSON lines on stdout.
import type { Command } from 'commander';
import pino from 'pino';
import type { HttpServer } from '../../http/server.ts';
import { createLogger, type Logger } from '../../lib/log.ts';
import { openDatabase } from '../../storage/migrate.ts';
import { getConfig, UserError } from '../context.ts';

// Orchestrators send SIGKILL some time after SIGTERM (Kubernetes: 30 s); finish well before.
const SHUTDOWN_GRACE_MS = 10_000;

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535)
    throw new UserError(`--port must be a number from 1 to 65535, got "${value}"`, 2);
  return port;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'run the HTTP server: POST /api/v1/signals, /api/v1/accounts, /api/v1/segment and GET /healthz',
    )
    .option(
      '--port <port>',
      'the port to listen on (default: PORT from the environment, else 3000)',
      parsePort,
    )
    .action(async ({ port }: { port?: number }) => {
      const config = getConfig();
      const logger = createLogger(config.LOG_LEVEL, pino.destination(1));
      const database = await openDatabase(config.DATABASE_URL);
      // Loaded here, not at start-up: every other command would pay for the server.
      const { createHttpServer } = await import('../../http/server.ts');
      const server = createHttpServer({ database, logger, maxBodyBytes: config.API_MAX_BODY_BYTES });
      const listening = port ?? config.PORT;
      try {
        await listen(server, listening);
      } catch (err) {
        await database.close();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new UserError(`port ${listening} is already in use; choose another with --port or PORT`);
        throw err;
      }
      const url = `http://localhost:${listening}`;
      logger.info({ url, database: database.target.display }, `Canary is listening on ${url}`);

      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      logger.info({ signal }, 'shutting down: finishing requests in flight');
      await stop(server, logger);
      await database.close();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
}

function listen(server: HttpServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections and waits for requests in flight, cutting them off after the grace period. */
function stop(server: HttpServer, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn(`requests still running after ${SHUTDOWN_GRACE_MS / 1000} s; closing their connections`);
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    // Keep-alive connections with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}
