// `canary serve`: runs the HTTP server (the ingestion API and the health check), the
// Slack app (HTTP mode: at /slack/events on the same server; Socket Mode: connected to
// Slack) and the scheduler (the nightly scoring run, which opens the day's recovery
// cases, and the channels' digests) until SIGINT or SIGTERM, then stops the scheduler
// ticking, stops taking connections and Slack's requests, lets requests, answers and
// scheduled work in flight finish (within the grace period: a scoring run cut short is
// taken over by a replica or the next start), closes the database and exits 0. The
// Slack and schedule settings are checked before anything starts. Logs are JSON lines
// on stdout.
import type { Command } from 'commander';
import pino from 'pino';
import { scheduleConfig, slackConfig } from '../../config.ts';
import { DEFAULT_MODEL_FILE, ModelError } from '../../health/model.ts';
import { ModelSource } from '../../health/model-source.ts';
import type { HttpServer } from '../../http/server.ts';
import { createLogger, type Logger } from '../../lib/log.ts';
import { openDatabase } from '../../storage/migrate.ts';
import { getConfig, UserError } from '../context.ts';
import { getAlertRules } from './cases.ts';

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
      'run the Slack app (/health, App Home), the scheduler (the nightly scoring run per SCORING_SCHEDULE, digests) and the HTTP server: POST /slack/events (HTTP mode), /api/v1/signals, /api/v1/accounts, /api/v1/segment and GET /healthz',
    )
    .option(
      '--port <port>',
      'the port to listen on (default: PORT from the environment, else 3000)',
      parsePort,
    )
    .action(async ({ port }: { port?: number }) => {
      const config = getConfig();
      const slack = slackConfig(config);
      const schedule = scheduleConfig(config);
      const logger = createLogger(config.LOG_LEVEL, pino.destination(1));
      const rules = getAlertRules();
      const models = watchedModel(config.HEALTH_MODEL_FILE, logger);
      const database = await openDatabase(config.DATABASE_URL);
      // Loaded here, not at start-up: every other command would pay for the server and Bolt.
      const { createHttpServer } = await import('../../http/server.ts');
      const { createSlackApp } = await import('../../slack/app.ts');
      const { digestScheduler } = await import('../../slack/digests.ts');
      const { startScheduler } = await import('../../schedule/driver.ts');
      const server = createHttpServer({ database, logger, maxBodyBytes: config.API_MAX_BODY_BYTES, rules });
      const slackApp = createSlackApp({
        config: slack,
        database,
        models,
        logger,
        server,
        rules,
        scoring: schedule.scoring,
      });
      const listening = port ?? config.PORT;
      try {
        await slackApp.start();
        await listen(server, listening);
      } catch (err) {
        await database.close();
        models.close();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new UserError(`port ${listening} is already in use; choose another with --port or PORT`);
        throw err;
      }
      const scheduler = startScheduler(
        digestScheduler(slackApp, { database, models, logger, settings: schedule }),
      );
      const url = `http://localhost:${listening}`;
      logger.info(
        { url, database: database.target.display, slack: slack.mode },
        `Canary is listening on ${url}${slack.mode === 'http' ? ` (Slack: ${url}/slack/events)` : ' (Slack: Socket Mode)'}`,
      );

      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      logger.info({ signal }, 'shutting down: finishing requests, answers and scheduled work in flight');
      // No new tick from now on; the one running (a digest, a scoring run) finishes meanwhile.
      const scheduled = scheduler.stop();
      await stop(server, logger);
      await within(
        SHUTDOWN_GRACE_MS,
        Promise.all([slackApp.stop(), scheduled]).then(() => {}),
        () =>
          logger.warn(
            `Slack answers or scheduled work still running after ${SHUTDOWN_GRACE_MS / 1000} s; stopping anyway`,
          ),
      );
      await database.close();
      models.close();
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
}

/** The health model file (HEALTH_MODEL_FILE or the built-in one), reloaded when it changes. */
function watchedModel(file: string | undefined, logger: Logger): ModelSource {
  let models: ModelSource;
  try {
    models = new ModelSource(file ?? DEFAULT_MODEL_FILE, {
      reloaded: (model) => logger.info({ version: model.version }, 'health model reloaded'),
      rejected: (err) =>
        logger.error({ err: err.message }, 'health model file invalid: keeping the previous model'),
    });
  } catch (err) {
    throw err instanceof ModelError ? new UserError(err.message) : err;
  }
  models.watch();
  return models;
}

/** Waits for `work`, at most `ms`. */
async function within(ms: number, work: Promise<void>, late: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      late();
      resolve();
    }, ms);
  });
  await Promise.race([work, timeout]);
  clearTimeout(timer);
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
