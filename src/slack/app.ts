// Canary's Slack app: a Bolt 5 App with the listeners registered, reached over HTTP
// (Bolt's HTTPReceiver mounted at /slack/ on Canary's own HTTP server, beside /api/v1/*
// and /healthz, so one port and one process serve both) or over Socket Mode when there
// is an app-level token. Here the listeners' helpers are built (the answers, the
// after-ack runner, the user directory, the memory of shares, the recovery cases'
// messages, who may change digests), the Web API client gets a retry policy fit for
// people waiting on an answer, Bolt's logs go to Canary's logger, and the recovery
// cases' jobs (the clock and the outbox) run while the app does. The digests'
// scheduler runs beside the app, on its client and chart uploads (digests.ts).
import type { RequestListener } from 'node:http';
import {
  App,
  HTTPReceiver,
  HTTPReceiverDeferredRequestError,
  LogLevel,
  type Logger as BoltLogger,
} from '@slack/bolt';
import { WebAPIPlatformError, type RetryOptions } from '@slack/web-api';
import { loadRules, type AlertRules } from '../cases/rules.ts';
import { ConfigError, type SlackConfig } from '../config.ts';
import type { HealthModel } from '../health/model.ts';
import { HttpError } from '../http/api.ts';
import type { HttpServer } from '../http/server.ts';
import type { Logger } from '../lib/log.ts';
import { expectedScoresDay, type ScoringSchedule } from '../schedule/scoring.ts';
import type { Database } from '../storage/db.ts';
import { casesWaiting } from '../storage/digest-cases.ts';
import { afterAck } from './after-ack.ts';
import { answers } from './answers.ts';
import { caseMessages } from './cases.ts';
import { caseJobs, type CaseJobs } from './cases-jobs.ts';
import { caseSender } from './cases-sender.ts';
import { chartFiles, type ChartFiles } from './chart-files.ts';
import { riskChart } from './charts.ts';
import { digestPermission } from './digests.ts';
import { directory } from './directory.ts';
import * as actions from './listeners/actions/index.ts';
import * as commands from './listeners/commands/index.ts';
import * as events from './listeners/events/index.ts';
import * as views from './listeners/views/index.ts';
import { onceWithin } from './once.ts';

export interface SlackAppDeps {
  config: SlackConfig;
  database: Database;
  /** The health model in use (a ModelSource): its colour bands shade the charts. */
  models: { readonly model: HealthModel };
  logger: Logger;
  /** The alert rules of recovery cases (ALERT_RULES_FILE); the built-in ones when not given. */
  rules?: AlertRules;
  /** The clock; tests pin it. */
  clock?: () => Date;
  /** HTTP mode: the server Slack's requests reach, at /slack/events. */
  server?: HttpServer;
  /** The nightly scoring run's schedule (SCORING_SCHEDULE): a digest preview says when scores are older than its run's. */
  scoring?: ScoringSchedule | null;
}

export interface SlackApp {
  app: App;
  /** The recovery cases' clock and outbox: running between start() and stop(). */
  cases: CaseJobs;
  /** Charts uploaded as the app's files, each picture once per process. */
  charts: ChartFiles;
  /**
   * Checks the bot token with Slack (auth.test, which also tells Bolt the bot's ids)
   * and warms the chart renderer, then takes Slack's requests: mounted on the server
   * (HTTP) or connected (Socket Mode). Throws ConfigError when Slack refuses the token.
   */
  start(): Promise<void>;
  /** Stops taking Slack's requests (Socket Mode disconnects), lets answers in flight finish, then the case jobs. */
  stop(): Promise<void>;
}

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * A person waits on every Web API call Canary makes, so failures are retried briefly
 * (the library's default keeps trying for about 30 minutes). A 429 is still waited out:
 * the client sleeps for its Retry-After before the retry this policy allows.
 */
const RETRIES: RetryOptions = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1000, randomize: true };
/** No single Web API call may hold an answer longer than this. */
const CALL_TIMEOUT_MS = 10_000;
const SHARES_REMEMBERED_MS = 10 * 60 * 1000;

export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { config, logger } = deps;
  const slackLogger = boltLogger(logger.child({ component: 'slack' }));
  const receiver =
    config.mode === 'http'
      ? new HTTPReceiver({
          signingSecret: config.signingSecret,
          endpoints: SLACK_EVENTS_PATH,
          logger: slackLogger,
        })
      : undefined;
  if (config.mode === 'http' && !deps.server) throw new Error('HTTP mode needs the server to mount Slack on');
  const app = new App({
    token: config.botToken,
    ...(config.mode === 'socket' ? { socketMode: true, appToken: config.appToken } : { receiver }),
    logger: slackLogger,
    clientOptions: { slackApiUrl: config.apiUrl, retryConfig: RETRIES, timeout: CALL_TIMEOUT_MS },
    // auth.test runs in start(), where a refused token is an error to report, not an unhandled rejection.
    deferInitialization: true,
    // Canary keeps no conversation state; Bolt's in-memory store would only grow.
    convoStore: false,
  });
  const work = afterAck(logger);
  const db = deps.database.db;
  const now = deps.clock ?? (() => new Date());
  const rules = deps.rules ?? loadRules();
  const messages = caseMessages({ db, rules, now });
  const jobs = caseJobs({
    database: deps.database,
    rules,
    sender: caseSender({ db, client: app.client, messages, logger }),
    logger,
    clock: now,
  });
  const charts = chartFiles(app.client, logger);
  const people = directory(app.client, logger);
  const listenerDeps = {
    answers: answers({ db, models: deps.models, charts, now }),
    afterAck: work,
    directory: people,
    shares: onceWithin(SHARES_REMEMBERED_MS),
    cases: { db, rules, now, messages, kick: jobs.kick },
    digests: {
      db,
      sources: () => ({
        db,
        model: deps.models.model,
        expectedDay: (at: Date) => expectedScoresDay(deps.scoring ?? null, at),
        charts,
        casesWaiting,
      }),
      allowed: digestPermission(rules, people),
      managersOnly: rules.people.managers.length > 0,
      now,
    },
    logger,
  };
  commands.register(app, listenerDeps);
  actions.register(app, listenerDeps);
  views.register(app, listenerDeps);
  events.register(app, listenerDeps);

  return {
    app,
    cases: jobs,
    charts,
    async start() {
      await Promise.all([initialise(app, config), warmCharts()]);
      if (receiver) deps.server!.mount('/slack/', slackListener(receiver.requestListener));
      else await connect(app);
      jobs.start();
      logger.info({ mode: config.mode, apiUrl: config.apiUrl }, 'Slack app ready');
    },
    async stop() {
      if (config.mode === 'socket') await app.stop();
      await work.idle();
      await jobs.stop();
    },
  };
}

/** Slack's answers when it does not take a token. */
const REFUSED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'not_allowed_token_type',
]);
const refusal = (err: unknown) =>
  err instanceof WebAPIPlatformError && REFUSED_TOKEN.has(err.data.error) ? err.data.error : null;

async function initialise(app: App, config: SlackConfig): Promise<void> {
  try {
    await app.init();
  } catch (err) {
    const code = refusal(err);
    if (code)
      throw new ConfigError(
        `Slack refused SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token again from the app's OAuth & Permissions page`,
      );
    throw new Error(`could not reach Slack's Web API at ${config.apiUrl}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Socket Mode: opens the connection with the app-level token. */
async function connect(app: App): Promise<void> {
  try {
    await app.start();
  } catch (err) {
    const code = refusal(err);
    if (!code) throw err;
    throw new ConfigError(
      `Slack refused SLACK_APP_TOKEN (${code}): generate an app-level token with connections:write on the app's Basic Information page, or unset it for HTTP mode`,
    );
  }
}

/** The first chart a process renders loads chart.js and the fonts (seconds); no user should wait for that. */
async function warmCharts(): Promise<void> {
  const none = { accounts: 0, arr: 0 };
  await riskChart({ low: none, medium: none, high: none, critical: none });
}

/** Bolt's receiver under /slack/: anything but POST /slack/events is Canary's 404 or 405. */
function slackListener(listener: RequestListener): RequestListener {
  return (req, res) => {
    try {
      return listener(req, res);
    } catch (err) {
      if (!(err instanceof HTTPReceiverDeferredRequestError)) throw err;
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === SLACK_EVENTS_PATH)
        throw new HttpError(
          405,
          'method_not_allowed',
          `${SLACK_EVENTS_PATH} accepts POST only`,
          {},
          { Allow: 'POST' },
        );
      throw new HttpError(404, 'not_found', `there is no endpoint at ${path.slice(0, 200)}`);
    }
  };
}

/**
 * Bolt's and the Web API client's logs as Canary's log lines. Their debug lines are
 * dropped: they print whole request bodies (response URLs, the verification token)
 * and messages. Only their text and errors are kept, never the objects they pass.
 */
function boltLogger(logger: Logger): BoltLogger {
  const at =
    (level: 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const err = parts.find((p) => p instanceof Error);
      const text = parts.filter((p) => typeof p === 'string').join(' ');
      logger[level](
        err ? { err } : {},
        text || (err as Error | undefined)?.message || 'Slack library message',
      );
    };
  return {
    debug: () => {},
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
