// Owns the Slack benchmark's processes (bench/child.ts reports each step's result):
//   prepare DB ACCOUNTS   names, domains and history for the scored book (bench/slack-data.ts)
//   load DB ACCOUNTS      the load generator: starts the offline Slack (test/support/slack),
//                         starts `serve` beside it, warms it, then sends signed `/health`
//                         commands and times each ack and each answer
//   serve DB API_URL      Canary as `canary serve` runs it in HTTP mode: the Slack app
//                         mounted on Canary's HTTP server, its Web API pointed at the fake
//
// The app and the load generator are two processes talking HTTP, as Slack and Canary
// do. Canary's SQLite driver runs every query synchronously on the app's event loop: a
// client on that loop would stamp an ack only once the app's work in progress let it
// run, and the fake Slack would stamp a card's arrival late by the same work, so the
// app's own load would distort both figures. Here the load generator's loop does
// nothing but send, receive and stamp, and the fake answers the app's Web API calls
// and response_url POSTs in no time (it is local): Slack's network time is not in the
// figures.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/health/model.ts';
import { createHttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/lib/log.ts';
import { createSlackApp, SLACK_EVENTS_PATH } from '../src/slack/app.ts';
import { openDatabase } from '../src/storage/migrate.ts';
import { startFakeSlack, type FakeSlack, type RecordedResponse } from '../test/support/slack/fake-slack.ts';
import { signedPost, slashCommand } from '../test/support/slack/signed-request.ts';
import { WORKSPACE } from '../test/support/slack/workspace.ts';
import { report } from './child.ts';
import { accountQueries, ASKED, PLAN, prepareBook, type AccountQuery, type QueryKind } from './slack-data.ts';
import { SIGNALS_CHANGED_AT } from './scoring-data.ts';

const SIGNING_SECRET = 'canaryBenchSigningSecret01';
/** Canary's clock: the morning after the scored day's import and scoring. */
const NOW = new Date(SIGNALS_CHANGED_AT + 3 * 3_600_000);
const ANSWER_WITHIN_MS = 30_000;

export interface Sample {
  kind: QueryKind | 'portfolio';
  /** From sending the signed request to the end of the HTTP 200 answering it. */
  ackMs: number;
  /** From sending the request to the answer's POST arriving at its response_url. */
  deliveredMs: number;
}

export interface LoadReport {
  sequential: Sample[];
  concurrent: Sample[];
  portfolio: Sample[];
  /** Acks of account commands sent as soon as a `/health portfolio` was acked. */
  besidePortfolio: Sample[];
}

function prepare(file: string, accounts: number) {
  const started = performance.now();
  const asked = accountQueries(accounts, ASKED).map((q) => q.accountId);
  const { history } = prepareBook(file, accounts, asked);
  return { ms: performance.now() - started, history };
}

async function load(file: string, accounts: number): Promise<LoadReport> {
  const fake = await startFakeSlack();
  const app = await startApp(file, fake.apiUrl);
  try {
    const queries = accountQueries(accounts, ASKED);
    const take = (n: number) => queries.splice(0, n);
    const ask = (text: string) => command(fake, app.events, text);
    const card = async (q: AccountQuery): Promise<Sample> => ({
      kind: q.kind,
      ...(await expectCard(fake, q, await ask(q.text))),
    });
    const portfolio = async (): Promise<Sample> => ({
      kind: 'portfolio',
      ...(await expectCharts(await ask('portfolio'))),
    });

    // The first answers of a process load code, fill caches and open connections.
    for (const q of take(PLAN.warmup)) await card(q);
    await portfolio();
    progress(`warm; ${PLAN.sequential} account commands, one at a time`);

    const sequential: Sample[] = [];
    for (const q of take(PLAN.sequential)) sequential.push(await card(q));
    progress(`${PLAN.concurrent} account commands, ${PLAN.inFlight} in flight`);
    const concurrent = await inPool(take(PLAN.concurrent), PLAN.inFlight, card);
    progress(`${PLAN.portfolio} portfolio commands, one at a time`);
    const portfolios: Sample[] = [];
    for (let i = 0; i < PLAN.portfolio; i++) portfolios.push(await portfolio());

    progress(`${PLAN.besidePortfolio} account commands, each sent as a portfolio command is acked`);
    const besidePortfolio: Sample[] = [];
    for (const q of take(PLAN.besidePortfolio)) {
      const p = await ask('portfolio');
      besidePortfolio.push(await card(q));
      await expectCharts(p);
    }
    return { sequential, concurrent, portfolio: portfolios, besidePortfolio };
  } finally {
    await app.stop();
    await fake.close();
  }
}

interface Asked {
  ackMs: number;
  /** The answer and when it arrived, from sending the command. */
  answer: Promise<{ response: RecordedResponse; deliveredMs: number }>;
}

/** `/health <text>` from the workspace's CSM, signed; resolves at its ack. */
async function command(fake: FakeSlack, events: string, text: string): Promise<Asked> {
  const responseUrl = fake.responseUrl();
  const request = slashCommand({ command: '/health', text, responseUrl });
  const sent = performance.now();
  // Looked for before sending, so that the answer is stamped as it arrives.
  const answer = fake
    .waitForResponse(responseUrl, ANSWER_WITHIN_MS)
    .then((response) => ({ response, deliveredMs: performance.now() - sent }));
  answer.catch(() => {}); // the caller awaits it; until then a timeout must not end the process
  const res = await signedPost(events, request, { signingSecret: SIGNING_SECRET });
  const body = await res.text();
  const ackMs = performance.now() - sent;
  if (res.status !== 200 || body !== '')
    throw new Error(
      `/health ${text}: expected an empty HTTP 200 ack, got ${res.status} ${body.slice(0, 200)}`,
    );
  return { ackMs, answer };
}

// The answers are read loosely; each check says what it must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Blocks = any[];

/** The account's card, its header the account's name, its chart an uploaded file Slack has. */
async function expectCard(fake: FakeSlack, q: AccountQuery, asked: Asked) {
  const { response, deliveredMs } = await asked.answer;
  const blocks = (response.body.blocks ?? []) as Blocks;
  const header = blocks.find((b) => b.type === 'header')?.text?.text;
  const fileId = blocks.find((b) => b.type === 'image')?.slack_file?.id;
  const uploaded = fake.files().find((f) => f.id === fileId)?.completed;
  if (response.status !== 200 || header !== q.name || !uploaded) {
    throw new Error(
      `/health ${q.text}: expected the card of ${q.name} with its chart, got ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`,
    );
  }
  return { ackMs: asked.ackMs, deliveredMs };
}

/** The portfolio message with its risk-distribution and health-by-industry charts. */
async function expectCharts(asked: Asked) {
  const { response, deliveredMs } = await asked.answer;
  const charts = ((response.body.blocks ?? []) as Blocks).filter((b) => b.type === 'image' && b.slack_file);
  if (response.status !== 200 || charts.length !== 2) {
    throw new Error(
      `/health portfolio: expected the portfolio with 2 charts, got ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`,
    );
  }
  return { ackMs: asked.ackMs, deliveredMs };
}

/** `run` over the items with at most `width` in flight; results in the items' order. */
async function inPool<T, R>(items: T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

interface RunningApp {
  events: string;
  stop(): Promise<void>;
}

/** `serve` in a process of its own; resolves once it listens. */
async function startApp(file: string, apiUrl: string): Promise<RunningApp> {
  const child: ChildProcessByStdio<null, Readable, null> = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), 'serve', file, apiUrl],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (stdout.includes('\n')) resolve((JSON.parse(stdout.split('\n')[0]!) as { url: string }).url);
    });
    child.on('error', reject);
    void exited.then((code) =>
      reject(new Error(`the Slack app exited before listening (exit code ${code})`)),
    );
  });
  return {
    events: url + SLACK_EVENTS_PATH,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`the Slack app exited with code ${code}`);
    },
  };
}

async function serve(file: string, apiUrl: string): Promise<void> {
  const database = await openDatabase(`file:${file}`);
  // Info lines are written as `canary serve` writes them, then dropped; warnings and
  // errors reach the benchmark's stderr.
  const logger = createLogger('info', {
    write: (line: string) => {
      if ((JSON.parse(line) as { level: number }).level >= 40) process.stderr.write(line);
    },
  });
  const server = createHttpServer({ database, logger, maxBodyBytes: 1024 * 1024 });
  const slack = createSlackApp({
    config: { mode: 'http', botToken: WORKSPACE.botToken, signingSecret: SIGNING_SECRET, apiUrl },
    database,
    models: { model: loadModel() },
    logger,
    clock: () => NOW,
    server,
  });
  await slack.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  report({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await slack.stop();
  await database.close();
  // As `canary serve` does: idle keep-alive sockets to the fake must not hold the process.
  process.exit(0);
}

function progress(message: string): void {
  process.stderr.write(`  [slack load] ${message}\n`);
}

const [step, file, arg] = process.argv.slice(2);
if (!file || !arg || !['prepare', 'load', 'serve'].includes(step ?? '')) {
  throw new Error('usage: slack-steps.ts prepare DB ACCOUNTS | load DB ACCOUNTS | serve DB API_URL');
}
if (step === 'prepare') report(prepare(file, Number(arg)));
else if (step === 'load') report(await load(file, Number(arg)));
else await serve(file, arg);
