// Owns the digest benchmark's child processes, one step per process (bench/child.ts):
//   prepare DB ACCOUNTS   a fresh SQLite book (bench/scoring-data.ts), scored on the
//                         scoring day and the day before (runScoring), and 50 digest
//                         subscriptions with varied filters
//   compose DB            times, for all 50 subscriptions: the filtered portfolio query
//                         alone (the baseline); each digest composed (its queries, the
//                         composition and the Block Kit message, no charts); and each
//                         composed with its two charts rendered to PNG (as posting does,
//                         without the upload). The chart renderer is warmed first, as
//                         `canary serve` warms it at start.
import { prepareDigest, type DigestSources } from '../src/digest/prepare.ts';
import { readSubscription, SECTIONS, type SubscriptionRequest } from '../src/digest/subscription.ts';
import { loadModel } from '../src/health/model.ts';
import { runScoring } from '../src/health/run.ts';
import { DAY_MS } from '../src/health/signals.ts';
import { expectedScoresDay } from '../src/schedule/scoring.ts';
import type { ChartFiles } from '../src/slack/chart-files.ts';
import { riskChart } from '../src/slack/charts.ts';
import { listSubscriptions, saveSubscription } from '../src/storage/digests.ts';
import { openDatabase } from '../src/storage/migrate.ts';
import { portfolio } from '../src/storage/portfolio.ts';
import { report } from './child.ts';
import { SUBSCRIPTIONS } from './digest.ts';
import { generateBook, SCORING_DAY, SIGNALS_CHANGED_AT } from './scoring-data.ts';

export interface PrepareReport {
  generateMs: number;
  scoreMs: number;
  scored: number;
  subscriptions: number;
}

export interface ComposeReport {
  baselineMs: number;
  composeMs: number;
  chartsMs: number;
  /** Accounts in the lists of the 50 digests, all lists together (that they hold something). */
  listed: number;
  /** The largest message, in blocks. */
  maxBlocks: number;
}

const SEGMENTS = [undefined, 'smb', 'mid_market', 'enterprise'];
const INDUSTRIES = [
  undefined,
  'Software',
  'Retail',
  'Healthcare',
  'Financial Services',
  'Education',
  'Logistics',
];
const MIN_ARR = [undefined, '20k', '50k', '100k', '250k'];
const TIERS = [undefined, undefined, 'high,critical', 'critical'];

/** The i-th subscription's request: filters and sections varied, deterministically. */
function request(i: number): SubscriptionRequest {
  return {
    schedule: i % 3 === 0 ? 'weekdays 09:00' : i % 3 === 1 ? 'daily 08:30' : '0 7 * * 1',
    timeZone: ['Europe/Paris', 'America/New_York', 'UTC', 'Asia/Tokyo'][i % 4]!,
    segment: SEGMENTS[i % SEGMENTS.length],
    industry: INDUSTRIES[(i * 3) % INDUSTRIES.length],
    minArr: MIN_ARR[(i * 7) % MIN_ARR.length],
    tiers: TIERS[(i * 5) % TIERS.length],
    // Every fifth leaves a section out; the rest show them all.
    sections: i % 5 === 4 ? SECTIONS.filter((_, j) => j !== i % SECTIONS.length) : [...SECTIONS],
  };
}

/** The slot the digests are composed for: 09:00 UTC the morning after the scoring day. */
const SLOT = new Date(SCORING_DAY + DAY_MS + 9 * 3_600_000);

async function prepare(file: string, accounts: string): Promise<PrepareReport> {
  let started = performance.now();
  await generateBook(file, Number(accounts));
  const generateMs = performance.now() - started;
  const database = await openDatabase(`file:${file}`);
  try {
    started = performance.now();
    const results = await runScoring(database, {
      model: loadModel(),
      from: new Date(SCORING_DAY - DAY_MS),
      to: new Date(SCORING_DAY),
      now: new Date(SIGNALS_CHANGED_AT + 3_600_000),
    });
    const scoreMs = performance.now() - started;
    for (let i = 0; i < SUBSCRIPTIONS; i++)
      await saveSubscription(
        database.db,
        `C0BENCH${String(i).padStart(4, '0')}`,
        readSubscription(request(i)),
        'bench',
        new Date(SCORING_DAY),
      );
    return {
      generateMs,
      scoreMs,
      scored: results.reduce((n, r) => n + r.scored, 0),
      subscriptions: (await listSubscriptions(database.db)).length,
    };
  } finally {
    await database.close();
  }
}

async function compose(file: string): Promise<ComposeReport> {
  const database = await openDatabase(`file:${file}`);
  try {
    const model = loadModel();
    const subscriptions = await listSubscriptions(database.db);
    if (subscriptions.length !== SUBSCRIPTIONS) throw new Error(`expected ${SUBSCRIPTIONS} subscriptions`);
    const sources: DigestSources = {
      db: database.db,
      model,
      expectedDay: (at) => expectedScoresDay(null, at),
    };
    const none = { accounts: 0, arr: 0 };
    await riskChart({ low: none, medium: none, high: none, critical: none });

    let started = performance.now();
    for (const s of subscriptions)
      await portfolio(database.db, { ...s.filters, day: new Date(SCORING_DAY), top: 10 });
    const baselineMs = performance.now() - started;

    started = performance.now();
    let listed = 0;
    let maxBlocks = 0;
    for (const s of subscriptions) {
      const { digest, message } = await prepareDigest(sources, s, { at: SLOT, late: false }, SLOT);
      for (const list of [digest.atRisk, digest.dropped, digest.referrals, digest.renewals])
        listed += list?.items.length ?? 0;
      maxBlocks = Math.max(maxBlocks, message.blocks.length);
    }
    const composeMs = performance.now() - started;

    const charts: ChartFiles = {
      upload: async (png) => (png.length > 0 ? { slackFileId: 'F0BENCH' } : null),
    };
    started = performance.now();
    for (const s of subscriptions)
      await prepareDigest({ ...sources, charts }, s, { at: SLOT, late: false }, SLOT);
    const chartsMs = performance.now() - started;
    return { baselineMs, composeMs, chartsMs, listed, maxBlocks };
  } finally {
    await database.close();
  }
}

const [step, file, arg] = process.argv.slice(2);
if (step === 'prepare' && file && arg) report(await prepare(file, arg));
else if (step === 'compose' && file) report(await compose(file));
else throw new Error('usage: digest-steps.ts prepare DB ACCOUNTS | compose DB');
