// Owns a scoring run (`canary score`): the days from..to in order, since a day's drops,
// changes and referral stability read the days before it. For each day it records a
// scoring run, picks with queries the accounts that need a new snapshot, measures them
// chunk by chunk (pass one), builds the book's percentile tables from those fresh
// values and the stored values of the accounts it skips, then scores each account
// against its history and the overrides in force at the end of the day (pass two) and
// upserts the snapshots, one transaction per chunk. A re-run with nothing new writes
// no snapshot.
import { openBulkSession, type BulkSession } from '../ingest/session.ts';
import type { Database, Db } from '../storage/db.ts';
import { recordedModels, recordModel } from '../storage/models.ts';
import { overridesInForce } from '../storage/overrides.ts';
import { loadAccountChunk, lookbackDays, type Lookback } from '../storage/signals.ts';
import {
  accountsToScore,
  deleteChurnedSnapshots,
  finishRun,
  snapshotHistory,
  startRun,
  storedMeasureValues,
  writeSnapshots,
  type ModelsOf,
} from '../storage/snapshots.ts';
import { measureAccount, type MeasuredAccount, type RawMeasure, type SignalFindings } from './measures.ts';
import type { HealthModel } from './model.ts';
import { percentileMeasures, scoreAccount, tablesOf, type PercentileTables } from './score.ts';
import { DAY_MS, endOfDay, utcDay, type AccountFacts } from './signals.ts';

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
    model: options.model,
    modelsOf: modelCache(database.db, options.model),
    lookback: lookbackDays(options.model),
    historyDays: historyDays(options.model),
    percentileMeasures: percentileMeasures(options.model),
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK,
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
  model: HealthModel;
  /** The models of earlier snapshots, by version. */
  modelsOf: ModelsOf;
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
      // Pass one: measure every account that needs scoring.
      const measured = new Measurements(plan.model, toScore.length, day);
      for (let i = 0; i < toScore.length; i += plan.chunkSize) {
        const inputs = await loadAccountChunk(
          session,
          toScore.slice(i, i + plan.chunkSize),
          day,
          plan.lookback,
        );
        for (const { facts, signals } of inputs)
          measured.add(measureAccount(plan.model, facts, signals, day));
        report(Math.floor(measured.length / 2));
      }
      const tables = await bookTables(session, plan, date, measured, skipped > 0);

      // Pass two: score against history and overrides, and write, chunk by chunk.
      for (let i = 0; i < measured.length; i += plan.chunkSize) {
        const chunk = Array.from({ length: Math.min(plan.chunkSize, measured.length - i) }, (_, j) =>
          measured.get(i + j),
        );
        const ids = chunk.map((m) => m.account.id);
        const [history, overrides] = await Promise.all([
          snapshotHistory(session, plan.modelsOf, ids, date, plan.historyDays),
          overridesInForce(session, ids, dayEnd),
        ]);
        const rows = chunk.map((m, j) => ({
          snapshot: scoreAccount(
            plan.model,
            m,
            tables,
            history.get(m.account.id)!,
            overrides.get(m.account.id) ?? [],
          ),
          arr: m.account.arr,
          measureValues: measured.valuesOf(i + j),
        }));
        await writeSnapshots(session, plan.model, rows, startedAt);
        report(Math.floor((measured.length + i + chunk.length) / 2));
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
 * Pass one's measurements of a day, kept until pass two scores them: raw values in
 * typed arrays (an object per measure and account costs kilobytes an account, too
 * much for a book of 100,000), facts and findings as they are.
 */
class Measurements {
  private readonly names: string[];
  private readonly values: Float64Array;
  private readonly observedAt: Float64Array;
  private readonly stale: Uint8Array;
  private readonly accounts: AccountFacts[] = [];
  private readonly findings: SignalFindings[] = [];

  constructor(
    model: HealthModel,
    capacity: number,
    private readonly day: number,
  ) {
    this.names = Object.keys(model.measures);
    this.values = new Float64Array(capacity * this.names.length);
    this.observedAt = new Float64Array(capacity * this.names.length);
    this.stale = new Uint8Array(capacity * this.names.length);
  }

  get length(): number {
    return this.accounts.length;
  }

  add(m: MeasuredAccount): void {
    const base = this.accounts.length * this.names.length;
    this.names.forEach((name, j) => {
      const raw = m.raw[name]!;
      // NaN stands for null: no measure value or time is NaN.
      this.values[base + j] = raw.value ?? Number.NaN;
      this.observedAt[base + j] = raw.observedAt ?? Number.NaN;
      this.stale[base + j] = raw.stale ? 1 : 0;
    });
    this.accounts.push(m.account);
    this.findings.push(m.findings);
  }

  /** The i-th measurement, as measureAccount gave it. */
  get(i: number): MeasuredAccount {
    const base = i * this.names.length;
    const raw: Record<string, RawMeasure> = {};
    this.names.forEach((name, j) => {
      const value = this.values[base + j]!;
      const observedAt = this.observedAt[base + j]!;
      raw[name] = {
        value: Number.isNaN(value) ? null : value,
        observedAt: Number.isNaN(observedAt) ? null : observedAt,
        stale: this.stale[base + j] === 1,
      };
    });
    const account = this.accounts[i]!;
    return { account, day: this.day, raw, findings: this.findings[i]! };
  }

  /** The i-th account's raw value of each measure in the model's order (null without data), as snapshots store them. */
  valuesOf(i: number): (number | null)[] {
    const base = i * this.names.length;
    const values = new Array<number | null>(this.names.length);
    for (let j = 0; j < this.names.length; j++) {
      const value = this.values[base + j]!;
      values[j] = Number.isNaN(value) ? null : value;
    }
    return values;
  }

  /** The raw values of the named measures, account by account. */
  *rawValues(names: readonly string[]): Generator<{ accountId: number; values: (number | null)[] }> {
    const columns = names.map((name) => this.names.indexOf(name));
    for (let i = 0; i < this.accounts.length; i++) {
      const base = i * this.names.length;
      yield {
        accountId: this.accounts[i]!.id,
        values: columns.map((j) => (Number.isNaN(this.values[base + j]!) ? null : this.values[base + j]!)),
      };
    }
  }
}

/**
 * The book's percentile tables for the day: the fresh measurements, plus (when the
 * run skips accounts) the raw values stored with the skipped accounts' snapshots.
 */
async function bookTables(
  session: BulkSession,
  plan: DayPlan,
  day: Date,
  measured: Measurements,
  someSkipped: boolean,
): Promise<PercentileTables> {
  const names = plan.percentileMeasures;
  if (names.length === 0) return new Map();
  const fresh = [...measured.rawValues(names)];
  const stored = someSkipped ? await storedMeasureValues(session, day, plan.model, names) : [];
  const freshIds = new Set(fresh.map((f) => f.accountId));
  return tablesOf(
    names,
    [...fresh, ...stored.filter((s) => !freshIds.has(s.accountId))].map((a) => a.values),
  );
}

/** The run's own model, and the recorded ones of earlier versions, each looked up once. */
function modelCache(db: Db, model: HealthModel): ModelsOf {
  const known = new Map([[model.version, model]]);
  return async (versions) => {
    const missing = versions.filter((v) => !known.has(v));
    for (const [version, recorded] of await recordedModels(db, missing)) known.set(version, recorded);
    return known;
  };
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
