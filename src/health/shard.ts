// Owns one shard of a day's scoring: a share of the accounts to score, read, measured
// (pass one) and scored into snapshot rows (pass two) on a database connection of its
// own, so that shards can run side by side in worker threads (health/shard-worker.ts)
// while the runner writes what they produce. Between the passes the runner builds the
// book's percentile tables from every shard's values; a shard keeps its measurements
// until then.
import { Worker } from 'node:worker_threads';
import { openBulkSession, type BulkSession } from '../ingest/session.ts';
import type { DatabaseTarget } from '../storage/db.ts';
import { overridesInForce } from '../storage/overrides.ts';
import { loadAccountChunk, type Lookback } from '../storage/signals.ts';
import { snapshotHistory, snapshotRow } from '../storage/snapshots.ts';
import { measureAccount, type MeasuredAccount, type RawMeasure, type SignalFindings } from './measures.ts';
import type { HealthModel } from './model.ts';
import type { FromShard, ToShard } from './shard-worker.ts';
import { scoreAccount, type PercentileTables } from './score.ts';
import { endOfDay, type AccountFacts } from './signals.ts';

/** What every shard of a day is told: plain data, so that it crosses to a worker thread. */
export interface ShardSetup {
  target: DatabaseTarget;
  model: HealthModel;
  /** Every recorded model by version, for the earlier snapshots a score reads. */
  models: [string, HealthModel][];
  day: number;
  lookback: Lookback;
  historyDays: number;
  percentileMeasures: string[];
  chunkSize: number;
  /** Stamped on the snapshots: when the day's run started. */
  computedAt: Date;
}

/** Each percentile measure's values among a shard's accounts (no data left out). */
export type PercentileValues = Record<string, Float64Array>;

/** What the runner asks of a shard, in this thread or in a worker. */
export interface Shard {
  /** Pass one: reads and measures the accounts; their percentile measures' values. */
  measure(accountIds: number[], onChunk: (done: number) => void): Promise<PercentileValues>;
  /** Pass two: scores the measured accounts against the book's tables, a chunk of rows at a time. */
  score(tables: PercentileTables, onRows: (rows: unknown[][]) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export class DayShard implements Shard {
  private measured: Measurements | null = null;

  private constructor(
    private readonly setup: ShardSetup,
    private readonly session: BulkSession,
  ) {}

  static async open(setup: ShardSetup): Promise<DayShard> {
    return new DayShard(setup, await openBulkSession(setup.target));
  }

  async measure(accountIds: number[], onChunk: (done: number) => void): Promise<PercentileValues> {
    const { model, day, lookback, chunkSize } = this.setup;
    const measured = new Measurements(model, accountIds.length, day);
    for (let i = 0; i < accountIds.length; i += chunkSize) {
      const inputs = await loadAccountChunk(this.session, accountIds.slice(i, i + chunkSize), day, lookback);
      for (const { facts, signals } of inputs) measured.add(measureAccount(model, facts, signals, day));
      onChunk(Math.min(i + chunkSize, accountIds.length));
    }
    this.measured = measured;
    return Object.fromEntries(
      this.setup.percentileMeasures.map((name) => [name, measured.valuesOfMeasure(name)]),
    );
  }

  async score(tables: PercentileTables, onRows: (rows: unknown[][]) => Promise<void>): Promise<void> {
    const measured = this.measured;
    if (!measured) throw new Error('a shard scores what it measured: measure first');
    const { model, day, historyDays, chunkSize, computedAt } = this.setup;
    const models = new Map(this.setup.models);
    const modelsOf = async () => models;
    const date = new Date(day);
    const dayEnd = new Date(endOfDay(day));
    for (let i = 0; i < measured.length; i += chunkSize) {
      const chunk = Array.from({ length: Math.min(chunkSize, measured.length - i) }, (_, j) => i + j);
      const ids = chunk.map((k) => measured.accountId(k));
      const [history, overrides] = await Promise.all([
        snapshotHistory(this.session, modelsOf, ids, date, historyDays),
        overridesInForce(this.session, ids, dayEnd),
      ]);
      const rows = chunk.map((k) => {
        const m = measured.get(k);
        const snapshot = scoreAccount(
          model,
          m,
          tables,
          history.get(m.account.id)!,
          overrides.get(m.account.id) ?? [],
        );
        return snapshotRow(model, snapshot, m.account.arr, measured.valuesOf(k), computedAt);
      });
      await onRows(rows);
    }
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/**
 * Pass one's measurements of a shard, kept until pass two scores them: raw values in
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

  accountId(i: number): number {
    return this.accounts[i]!.id;
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

  /** One measure's values across the accounts that have one. */
  valuesOfMeasure(name: string): Float64Array {
    const j = this.names.indexOf(name);
    const values: number[] = [];
    for (let i = 0; i < this.accounts.length; i++) {
      const v = this.values[i * this.names.length + j]!;
      if (!Number.isNaN(v)) values.push(v);
    }
    return Float64Array.from(values);
  }
}

/**
 * A shard in a worker thread of its own, with the same interface as DayShard. Canary
 * runs its TypeScript through tsx; a worker thread needs tsx registered in it too.
 */
export class WorkerShard implements Shard {
  private readonly worker: Worker;
  private waiting: {
    resolve: (m: FromShard) => void;
    reject: (e: Error) => void;
    op: FromShard['op'];
  } | null = null;
  private onProgress: ((done: number) => void) | null = null;
  private onRows: ((rows: unknown[][]) => Promise<void>) | null = null;
  // Rows are written one chunk after another, in the order the worker sends them.
  private writing: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(setup: ShardSetup) {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./shard-worker.ts', import.meta.url).href;
    this.worker = new Worker(
      `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`,
      { eval: true, workerData: setup },
    );
    this.worker.on('message', (m: FromShard) => this.received(m));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (this.waiting) this.fail(new Error(`a scoring worker stopped (exit code ${code})`));
    });
  }

  async measure(accountIds: number[], onChunk: (done: number) => void): Promise<PercentileValues> {
    this.onProgress = onChunk;
    const reply = await this.request({ op: 'measure', accountIds }, 'measured');
    return (reply as Extract<FromShard, { op: 'measured' }>).values;
  }

  async score(tables: PercentileTables, onRows: (rows: unknown[][]) => Promise<void>): Promise<void> {
    this.onRows = onRows;
    await this.request({ op: 'score', tables: [...tables] }, 'scored');
    await this.writing;
  }

  async close(): Promise<void> {
    await this.request({ op: 'close' }, 'closed').catch(() => undefined);
    await this.worker.terminate();
  }

  private request(message: ToShard, until: FromShard['op']): Promise<FromShard> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, op: until };
      this.worker.postMessage(message);
    });
  }

  private received(m: FromShard): void {
    if (m.op === 'progress') this.onProgress?.(m.done);
    else if (m.op === 'rows') {
      const onRows = this.onRows!;
      this.writing = this.writing.then(() => onRows(m.rows));
      this.writing.catch((error: Error) => this.fail(error));
    } else if (m.op === 'failed') {
      const error = new Error(m.message);
      if (m.stack) error.stack = m.stack;
      this.fail(error);
    } else if (this.waiting?.op === m.op) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(m);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
  }
}
