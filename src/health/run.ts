// Owns a scoring run (`canary score`): the days from..to in order, since a day's drops,
// changes and referral stability read the days before it. For each day it records a
// scoring run, picks with queries the accounts that need a new snapshot and shares them
// among shards (health/shard.ts: in worker threads when there are enough of them, one
// per core). The shards measure their accounts chunk by chunk (pass one); the runner
// builds the book's percentile tables from those fresh values and the stored values of
// the accounts it skips; the shards then score each account against its history and
// the overrides in force at the end of the day (pass two), and the runner upserts the
// rows they send, one transaction per chunk, while they go on scoring. A re-run with
// nothing new writes no snapshot.
import { availableParallelism } from 'node:os';
import { openBulkSession, type BulkSession } from '../ingest/session.ts';
import type { Database, Db } from '../storage/db.ts';
import { recordedModels, recordModel } from '../storage/models.ts';
import { lookbackDays, type Lookback } from '../storage/signals.ts';
import {
  accountsToScore,
  deleteChurnedSnapshots,
  finishRun,
  startRun,
  storedMeasureValues,
  writeSnapshots,
} from '../storage/snapshots.ts';
import type { HealthModel } from './model.ts';
import { percentileMeasures, type PercentileTables } from './score.ts';
import { DayShard, WorkerShard, type PercentileValues, type Shard, type ShardSetup } from './shard.ts';
import { DAY_MS, endOfDay, utcDay } from './signals.ts';

export interface ScoringOptions {
  model: HealthModel;
  from: Date;
  to: Date;
  /** The clock: stamps runs and snapshots. */
  now?: Date;
  /** Re-score every account, changed or not. */
  full?: boolean;
  /** Accounts read, measured and written together (default 1000). */
  chunkSize?: number;
  /**
   * Worker threads that measure and score (default: one per core, up to 4, once a day
   * has WORKERS_FROM accounts to score; fewer run in this thread). 0: none.
   */
  workers?: number;
  /**
   * After each chunk: of the day's `total` accounts to score, how far along; reading
   * and measuring an account (pass one) counts as half the work, scoring and writing
   * it as the other half.
   */
  onProgress?: (p: { day: Date; done: number; total: number }) => void;
}

export interface DayResult {
  day: Date;
  scored: number;
  skipped: number;
  ms: number;
}

const DEFAULT_CHUNK = 1000;
/** Snapshot rows written in one transaction (see SnapshotWriter). */
const WRITE_BATCH = 10_000;
/** Below this many accounts to score, starting worker threads costs more than it saves. */
const WORKERS_FROM = 5000;
const MAX_WORKERS = 4;

/** A day as YYYY-MM-DD, to its UTC midnight. */
export function parseDay(text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== text.trim()) {
    throw new RangeError(`expected a day as YYYY-MM-DD (e.g. 2026-11-21), got "${text}"`);
  }
  return date;
}

export async function runScoring(database: Database, options: ScoringOptions): Promise<DayResult[]> {
  const from = utcDay(options.from);
  const to = utcDay(options.to);
  if (to < from) {
    throw new RangeError(`the last day (${isoDay(to)}) is before the first (${isoDay(from)})`);
  }
  const clock = () => options.now ?? new Date();
  // Before any snapshot names it: snapshots are read back with the recorded model.
  await recordModel(database.db, options.model, clock());
  const plan: DayPlan = {
    target: database.target,
    model: options.model,
    models: [...(await recordedModels(database.db))],
    lookback: lookbackDays(options.model),
    historyDays: historyDays(options.model),
    percentileMeasures: percentileMeasures(options.model),
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK,
    workers: options.workers,
    full: options.full ?? false,
    clock,
    onProgress: options.onProgress,
  };
  const session = await openBulkSession(database.target);
  try {
    const results: DayResult[] = [];
    let rescored = new Set<number>();
    for (let day = from; day <= to; day += DAY_MS) {
      const { result, scored } = await scoreDay(database.db, session, plan, day, rescored);
      results.push(result);
      rescored = scored;
    }
    return results;
  } finally {
    await session.close();
  }
}

interface DayPlan {
  target: Database['target'];
  model: HealthModel;
  /** Every recorded model, for earlier snapshots. */
  models: ShardSetup['models'];
  workers: number | undefined;
  lookback: Lookback;
  historyDays: number;
  percentileMeasures: string[];
  chunkSize: number;
  full: boolean;
  clock: () => Date;
  onProgress: ScoringOptions['onProgress'];
}

/** How far back scoring looks at earlier snapshots: index drops and referral stability. */
function historyDays(model: HealthModel): number {
  const within = model.drops.map((rule) => ('within' in rule ? rule.within : 0));
  return Math.max(model.referral.stability.days, ...within);
}

/**
 * Scores one day. `rescoredBefore`: the accounts this run scored the day before, whose
 * snapshot of this day read an outdated history and so needs scoring again.
 */
async function scoreDay(
  db: Db,
  session: BulkSession,
  plan: DayPlan,
  day: number,
  rescoredBefore: ReadonlySet<number>,
): Promise<{ result: DayResult; scored: Set<number> }> {
  const started = performance.now();
  // Snapshots carry the time the day's run started, not the time they were written: a
  // signal arriving while the run reads is then newer than the snapshot, and the next
  // run picks it up.
  const startedAt = plan.clock();
  const date = new Date(day);
  const dayEnd = new Date(endOfDay(day));
  const runId = await startRun(db, date, plan.model.version, startedAt);
  try {
    await deleteChurnedSnapshots(session, date, dayEnd);
    const accounts = await accountsToScore(session, date, dayEnd, plan.model.version, plan.full);
    const toScore = accounts.filter((a) => a.stale || rescoredBefore.has(a.id)).map((a) => a.id);
    const skipped = accounts.length - toScore.length;
    const report = (done: number) => plan.onProgress?.({ day: date, done, total: toScore.length });

    if (toScore.length > 0) {
      const shards = await openShards(plan, day, startedAt, toScore.length);
      try {
        // Pass one: every shard measures its share of the accounts, in id order.
        const shares = shards.map((_, i) =>
          toScore.slice(
            Math.floor((i * toScore.length) / shards.length),
            Math.floor(((i + 1) * toScore.length) / shards.length),
          ),
        );
        const measuredSoFar = shares.map(() => 0);
        const values = await Promise.all(
          shards.map((shard, i) =>
            shard.measure(shares[i]!, (done) => {
              measuredSoFar[i] = done;
              report(Math.floor(measuredSoFar.reduce((a, b) => a + b, 0) / 2));
            }),
          ),
        );
        const tables = await bookTables(session, plan, date, values, skipped > 0 ? new Set(toScore) : null);

        // Pass two: the shards score against history and overrides; their rows are
        // written here as they come, one batch after another.
        const writer = new SnapshotWriter(session, (written) =>
          report(Math.floor((toScore.length + written) / 2)),
        );
        await Promise.all(shards.map((shard) => shard.score(tables, async (rows) => writer.add(rows))));
        await writer.flush();
      } finally {
        await Promise.all(shards.map((s) => s.close()));
      }
    }
    await finishRun(db, runId, { finishedAt: plan.clock(), scored: toScore.length, skipped });
    return {
      result: { day: date, scored: toScore.length, skipped, ms: Math.round(performance.now() - started) },
      scored: new Set(toScore),
    };
  } catch (error) {
    await finishRun(db, runId, { finishedAt: plan.clock(), error: (error as Error).message }).catch(
      () => undefined,
    );
    throw error;
  }
}

/**
 * Writes a day's snapshot rows in batches of WRITE_BATCH, one transaction each, one
 * after another whichever shard sent them. Large batches matter on SQLite: a page that
 * several transactions touch (an index's, the table's last) is written to the WAL and
 * checkpointed again for each of them, so 100 transactions of 1,000 rows cost about
 * twice what 10 of 10,000 do.
 */
class SnapshotWriter {
  private pending: unknown[][] = [];
  private queue: Promise<void> = Promise.resolve();
  private written = 0;

  constructor(
    private readonly session: BulkSession,
    private readonly onWritten: (written: number) => void,
  ) {}

  /** Takes a chunk of rows; resolves once whatever it completed is written. */
  add(rows: unknown[][]): Promise<void> {
    for (const row of rows) this.pending.push(row);
    return this.pending.length >= WRITE_BATCH ? this.write() : Promise.resolve();
  }

  flush(): Promise<void> {
    return this.pending.length ? this.write() : this.queue;
  }

  private write(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.queue = this.queue.then(async () => {
      await writeSnapshots(this.session, batch);
      this.written += batch.length;
      this.onWritten(this.written);
    });
    return this.queue;
  }
}

/** The day's shards: worker threads for a large day (one per core), else one in this thread. */
async function openShards(plan: DayPlan, day: number, startedAt: Date, accounts: number): Promise<Shard[]> {
  const setup: ShardSetup = {
    target: plan.target,
    model: plan.model,
    models: plan.models,
    day,
    lookback: plan.lookback,
    historyDays: plan.historyDays,
    percentileMeasures: plan.percentileMeasures,
    chunkSize: plan.chunkSize,
    computedAt: startedAt,
  };
  const workers =
    plan.workers ?? (accounts >= WORKERS_FROM ? Math.min(MAX_WORKERS, availableParallelism()) : 0);
  if (workers === 0) return [await DayShard.open(setup)];
  return Array.from({ length: Math.min(workers, accounts) }, () => new WorkerShard(setup));
}

/**
 * The book's percentile tables for the day: the shards' fresh values, plus (when the
 * run skips accounts) the raw values stored with the skipped accounts' snapshots.
 */
async function bookTables(
  session: BulkSession,
  plan: DayPlan,
  day: Date,
  fresh: PercentileValues[],
  scoredNow: ReadonlySet<number> | null,
): Promise<PercentileTables> {
  const names = plan.percentileMeasures;
  if (names.length === 0) return new Map();
  const stored = scoredNow ? await storedMeasureValues(session, day, plan.model, names) : [];
  const skipped = stored.filter((s) => !scoredNow!.has(s.accountId));
  return new Map(
    names.map((name, i) => {
      const values: number[] = [];
      for (const shard of fresh) for (const v of shard[name]!) values.push(v);
      for (const s of skipped) if (s.values[i] !== null) values.push(s.values[i]!);
      return [name, Float64Array.from(values).sort()];
    }),
  );
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
