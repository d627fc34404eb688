// Canary as Slack meets it in the end-to-end tests: the demo book imported and scored
// into a real database, and the real HTTP server with the real Slack app mounted on it
// (HTTP mode) on a free port, talking to the fake Web API; signed requests into
// /slack/events, timed; and every line Canary logged. Tests of recovery cases give it
// their alert rules and a clock they move, and drive its case jobs; tests of digests
// give it schedule settings too, and tick its scheduler (the one `canary serve` runs,
// built the same way, without the node-cron clock).
import type { AddressInfo } from 'node:net';
import type { AlertRules } from '../../../src/cases/rules.ts';
import type { ScheduleConfig } from '../../../src/config.ts';
import { generateBook, type DemoBook } from '../../../src/demo/book.ts';
import { writeBookCsv, type WrittenFile } from '../../../src/demo/write-csv.ts';
import { loadModel } from '../../../src/health/model.ts';
import { runScoring } from '../../../src/health/run.ts';
import { createHttpServer } from '../../../src/http/server.ts';
import { importFile } from '../../../src/ingest/import-file.ts';
import { openBulkSession } from '../../../src/ingest/session.ts';
import { createLogger } from '../../../src/lib/log.ts';
import { createScheduler, type Scheduler } from '../../../src/schedule/scheduler.ts';
import { createSlackApp, SLACK_EVENTS_PATH, type SlackApp } from '../../../src/slack/app.ts';
import { digestScheduler } from '../../../src/slack/digests.ts';
import type { Database } from '../../../src/storage/db.ts';
import { scratch } from '../files.ts';
import type { FakeSlack } from './fake-slack.ts';
import { signedPost, slashCommand, type SignOptions, type SlackRequest } from './signed-request.ts';

export const SIGNING_SECRET = 'canaryE2eSigningSecret0001';
const DAY_MS = 86_400_000;
/** The book's last day of data, the day scored last. */
export const BOOK_DAY = new Date('2026-11-20T00:00:00Z');
/** Canary's clock in these tests: the next morning. */
export const NOW = new Date(BOOK_DAY.getTime() + DAY_MS + 9 * 3_600_000);

export const model = loadModel();

/** The demo book imported through the normal import path, and 90 days of it scored. */
export async function seedDemoBook(
  database: Database,
  options: { accounts?: number; days?: number; only?: WrittenFile['kind'][] } = {},
): Promise<DemoBook> {
  const book = generateBook({ seed: 42, asOf: BOOK_DAY, accounts: options.accounts ?? 60 });
  const files = scratch();
  try {
    const written = await writeBookCsv(book, files.dir);
    const session = await openBulkSession(database.target);
    try {
      for (const f of written)
        if (!options.only || options.only.includes(f.kind))
          await importFile(session, f.kind, f.file, { now: new Date(BOOK_DAY.getTime() + 3_600_000) });
    } finally {
      await session.close();
    }
  } finally {
    files.remove();
  }
  const days = options.days ?? 90;
  if (days > 0)
    await runScoring(database, {
      model,
      from: new Date(BOOK_DAY.getTime() - (days - 1) * DAY_MS),
      to: BOOK_DAY,
      now: new Date(BOOK_DAY.getTime() + 2 * 3_600_000),
    });
  return book;
}

export interface Sent {
  status: number;
  body: string;
  /** From sending the request to the end of Canary's answer to it (the ack). */
  ackMs: number;
  sentAt: number;
}

export interface CommandSent extends Sent {
  responseUrl: string;
}

export interface RunningCanary {
  /** The Slack request URL: http://127.0.0.1:<port>/slack/events */
  events: string;
  url: string;
  logs: Record<string, unknown>[];
  /** The recovery cases' clock and outbox, running. */
  cases: SlackApp['cases'];
  /** The scheduler (digests, the nightly scoring run) on Canary's clock, when started with schedule settings. */
  scheduler?: Scheduler;
  /** Signs with the app's signing secret unless the options say otherwise. */
  send(request: SlackRequest, options?: Partial<SignOptions>): Promise<Sent>;
  /** `/health <text>` from the workspace's CSM (or another user), in its general channel (or another), with a fresh response_url. */
  command(
    text: string,
    options?: { userId?: string; channelId?: string; retryNum?: number },
  ): Promise<CommandSent>;
  close(): Promise<void>;
}

export async function startCanary(
  database: Database,
  fake: FakeSlack,
  /**
   * The alert rules (default: the built-in ones); the clock of the app and the server
   * (default: NOW for the app, the system's for the server) and of the scheduler, which
   * runs with `schedule`.
   */
  options: { rules?: AlertRules; clock?: () => Date; schedule?: ScheduleConfig } = {},
): Promise<RunningCanary> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  const server = createHttpServer({
    database,
    logger,
    maxBodyBytes: 1024 * 1024,
    rules: options.rules,
    now: options.clock,
  });
  const slack = createSlackApp({
    config: { mode: 'http', botToken: fake.token, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl },
    database,
    models: { model },
    logger,
    rules: options.rules,
    clock: options.clock ?? (() => NOW),
    server,
    scoring: options.schedule?.scoring ?? null,
  });
  const scheduler =
    options.schedule &&
    createScheduler(
      digestScheduler(slack, {
        database,
        models: { model },
        logger,
        settings: options.schedule,
        clock: options.clock ?? (() => NOW),
      }),
    );
  await slack.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const events = url + SLACK_EVENTS_PATH;

  const send = async (request: SlackRequest, options: Partial<SignOptions> = {}): Promise<Sent> => {
    const sentAt = performance.now();
    const res = await signedPost(events, request, { signingSecret: SIGNING_SECRET, ...options });
    const body = await res.text();
    return { status: res.status, body, ackMs: performance.now() - sentAt, sentAt };
  };
  return {
    events,
    url,
    logs,
    cases: slack.cases,
    scheduler,
    send,
    async command(text, options = {}) {
      const responseUrl = fake.responseUrl();
      const request = slashCommand({
        command: '/health',
        text,
        responseUrl,
        ...(options.userId && { userId: options.userId }),
        ...(options.channelId && { channelId: options.channelId }),
      });
      const sent = await send(request, options.retryNum === undefined ? {} : { retryNum: options.retryNum });
      return { ...sent, responseUrl };
    },
    async close() {
      await scheduler?.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await slack.stop();
    },
  };
}
