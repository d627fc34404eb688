// Owns what scoring writes: the health snapshots (one per account and day) and the
// scoring runs. For the runner, through the bulk session: which accounts of a day need
// a new snapshot, the earlier snapshots a score reads (history), the stored raw values
// of the accounts a run skips, and the upsert of a chunk's snapshots. For everyone
// else, through Prisma: the latest scored day and run, an account's snapshot and its
// Health Index over time. How a breakdown is kept in its row: storage/snapshot-format.ts.
import type { Colour, Grade, HealthModel, RiskTier } from '../health/model.ts';
import type { ComponentScore, History, MeasureScores, Snapshot } from '../health/score.ts';
import { DAY_MS } from '../health/signals.ts';
import type { BulkSession } from '../ingest/session.ts';
import type { Db } from './db.ts';
import { recordedModels } from './models.ts';
import {
  decodeBreakdown,
  encodeSnapshot,
  isStoredBreakdown,
  measureOrder,
  storedScores,
  type StoredBreakdown,
} from './snapshot-format.ts';
import { epochMs as ms, jsonPairs, numberOrNull, parseJson, placeholders as list } from './sql.ts';

/**
 * The breakdown as rows written before storage/snapshot-format.ts kept it: the engine's
 * own fields, components packed as arrays (or, earlier still, as objects) with their
 * labels, raw values and texts. Such rows are still read; none is written.
 */
type LegacyBreakdown = Pick<
  Snapshot,
  'drivers' | 'change' | 'drops' | 'leadingIndicators' | 'referral' | 'overrides' | 'stale' | 'segmentRule'
> & { components: PackedComponent[] };

// A component and its measures as arrays, in ComponentScore's and MeasureScore's field order.
type PackedMeasure = [
  name: string,
  label: string,
  raw: number | null,
  normalised: number | null,
  weight: number,
  contribution: number,
  stale: boolean,
  observedAt: number | null,
  overridden: boolean,
  text: string | null,
];
type PackedComponent = [
  name: string,
  label: string,
  weight: number,
  score: number | null,
  contribution: number,
  measures: PackedMeasure[],
];

/** A legacy breakdown's components in the engine's shape; null when it has none. */
function unpackComponents(stored: unknown): ComponentScore[] | null {
  if (!Array.isArray(stored)) return null;
  return stored.map((c: PackedComponent | ComponentScore) => {
    if (!Array.isArray(c)) return c;
    const [name, label, weight, score, contribution, measures] = c;
    return {
      name,
      label,
      weight,
      score,
      contribution,
      measures: measures.map(
        ([name, label, raw, normalised, weight, contribution, stale, observedAt, overridden, text]) => ({
          name,
          label,
          raw,
          normalised,
          weight,
          contribution,
          stale,
          observedAt,
          overridden,
          text,
        }),
      ),
    };
  });
}

/** A stored snapshot in the engine's shape, with the ARR it was scored with. */
export interface StoredSnapshot extends Snapshot {
  arr: number | null;
  computedAt: Date;
}

// ---------------------------------------------------------------------------------
// For the runner.

/** A churn of the account in `accountColumn` on or before a time (the parameter). */
const churnedBy = (accountColumn: string) =>
  `SELECT 1 FROM account_outcomes c WHERE c.account_id = ${accountColumn} AND c.kind = 'churned' AND c.occurred_on <= ?`;

/**
 * Every account of the book on `day` (those churned on or before it are gone), in id
 * order, each with whether it needs scoring: no snapshot of the day by this model
 * version, signals changed since the snapshot, or an override set or cleared since it
 * that matters for the day; with `full`, all of them.
 */
export async function accountsToScore(
  session: BulkSession,
  day: Date,
  dayEnd: Date,
  modelVersion: string,
  full: boolean,
): Promise<{ id: number; stale: boolean }[]> {
  const needs = full
    ? '1 = 1'
    : `s.id IS NULL OR s.model_version <> ? OR a.signals_changed_at > s.computed_at OR EXISTS (` +
      `SELECT 1 FROM score_overrides o WHERE o.account_id = a.id AND ` +
      `((o.created_at > s.computed_at AND o.created_at <= ?) OR (o.cleared_at > s.computed_at AND o.cleared_at <= ?)))`;
  const rows = await session.all<{ id: number; stale: number }>(
    `SELECT a.id, CASE WHEN ${needs} THEN 1 ELSE 0 END AS stale FROM accounts a ` +
      `LEFT JOIN health_snapshots s ON s.account_id = a.id AND s.day = ? ` +
      `WHERE NOT EXISTS (${churnedBy('a.id')}) ORDER BY a.id`,
    [...(full ? [] : [modelVersion, dayEnd, dayEnd]), day, dayEnd],
  );
  return rows.map((r) => ({ id: Number(r.id), stale: Number(r.stale) === 1 }));
}

/** Removes the day's snapshots of accounts that had churned by then (scored before the churn was known). */
export function deleteChurnedSnapshots(session: BulkSession, day: Date, dayEnd: Date): Promise<number> {
  return session.exec(
    `DELETE FROM health_snapshots WHERE day = ? AND EXISTS (${churnedBy('health_snapshots.account_id')})`,
    [day, dayEnd],
  );
}

/**
 * The stored raw values of the named measures in the day's snapshots by this model,
 * account by account: what an incremental run puts in the book's percentile tables for
 * the accounts it does not re-measure.
 */
export async function storedMeasureValues(
  session: BulkSession,
  day: Date,
  model: HealthModel,
  measures: readonly string[],
): Promise<{ accountId: number; values: (number | null)[] }[]> {
  const order = measureOrder(model);
  // measure_values is an array in the model's measure order; legacy rows hold an object
  // by name. Measure names are snake_case (the model's schema checks), safe inside the SQL.
  const extract = (m: string) => {
    const i = order.indexOf(m);
    return session.dialect === 'sqlite'
      ? `CASE json_type(measure_values) WHEN 'array' THEN json_extract(measure_values, '$[${i}]') ELSE json_extract(measure_values, '$.${m}') END`
      : `CAST(CASE jsonb_typeof(measure_values) WHEN 'array' THEN measure_values->>${i} ELSE measure_values->>'${m}' END AS double precision)`;
  };
  const rows = await session.all<Record<string, unknown>>(
    `SELECT account_id, ${measures.map((m, i) => `${extract(m)} AS v${i}`).join(', ')} FROM health_snapshots ` +
      `WHERE day = ? AND model_version = ?`,
    [day, model.version],
  );
  return rows.map((r) => ({
    accountId: Number(r.account_id),
    values: measures.map((_, i) => numberOrNull(r[`v${i}`])),
  }));
}

/** The recorded models of some versions (storage/models.ts recordedModels, or a cache of it). */
export type ModelsOf = (versions: string[]) => Promise<ReadonlyMap<string, HealthModel>>;

/** Each component's measure scores of a stored breakdown, in whichever format its row holds it. */
function scoresOf(
  stored: { version: string; c: unknown; legacy: unknown },
  models: ReadonlyMap<string, HealthModel>,
): MeasureScores {
  if (stored.c === null || stored.c === undefined) return unpackComponents(parseJson(stored.legacy)) ?? [];
  return storedScores(modelNamed(models, stored.version), parseJson<StoredBreakdown['c']>(stored.c));
}

function modelNamed(models: ReadonlyMap<string, HealthModel>, version: string): HealthModel {
  const model = models.get(version);
  if (!model)
    throw new Error(`snapshots name the health model version "${version}", which was never recorded`);
  return model;
}

/**
 * What scoring an account on `day` reads of its earlier snapshots: the Health Index of
 * each of the `days` days before, and the latest earlier snapshot's measure scores.
 */
export async function snapshotHistory(
  session: BulkSession,
  modelsOf: ModelsOf,
  accountIds: readonly number[],
  day: Date,
  days: number,
): Promise<Map<number, History>> {
  const history = new Map<number, History>(accountIds.map((id) => [id, { indexByDay: [], previous: null }]));
  if (accountIds.length === 0) return history;
  const ids = list(accountIds);
  const since = new Date(day.getTime() - days * DAY_MS);
  // A row per account, its days as one JSON array: 30 days of 100,000 accounts is
  // otherwise three million rows.
  const recent = await session.all<{ account_id: number; days: unknown }>(
    `SELECT account_id, ${jsonPairs(session, ms(session, 'day'), 'health_index', 'day')} AS days FROM health_snapshots ` +
      `WHERE account_id IN (${ids}) AND day >= ? AND day < ? GROUP BY account_id`,
    [...accountIds, since, day],
  );
  for (const r of recent) {
    history.get(Number(r.account_id))!.indexByDay = parseJson<[number, number | null][]>(r.days).map(
      ([day, healthIndex]) => ({ day, healthIndex }),
    );
  }
  const field = (name: string) =>
    session.dialect === 'sqlite' ? `json_extract(s.breakdown, '$.${name}')` : `s.breakdown->'${name}'`;
  const previous = await session.all<{
    account_id: number;
    day: number;
    health_index: number | null;
    model_version: string;
    c: unknown;
    legacy: unknown;
  }>(
    // From the accounts, so that the latest earlier day is looked up once per account
    // (an index seek), not once per snapshot of its history.
    `SELECT s.account_id, ${ms(session, 's.day')} AS day, s.health_index, s.model_version, ${field('c')} AS c, ` +
      `CASE WHEN ${field('c')} IS NULL THEN ${field('components')} END AS legacy ` +
      `FROM accounts a JOIN health_snapshots s ON s.account_id = a.id AND s.day = ` +
      `(SELECT MAX(p.day) FROM health_snapshots p WHERE p.account_id = a.id AND p.day < ?) WHERE a.id IN (${ids})`,
    [day, ...accountIds],
  );
  const models = await modelsOf([
    ...new Set(previous.filter((r) => r.c !== null).map((r) => r.model_version)),
  ]);
  for (const r of previous) {
    history.get(Number(r.account_id))!.previous = {
      day: Number(r.day),
      healthIndex: numberOrNull(r.health_index),
      components: scoresOf({ version: r.model_version, c: r.c, legacy: r.legacy }, models),
    };
  }
  return history;
}

const COLUMNS = [
  'account_id',
  'day',
  'model_version',
  'health_index',
  'grade',
  'colour',
  'risk_tier',
  'value_tier',
  'coverage',
  'referral_score',
  'referral_ready',
  'arr',
  'breakdown',
  'explanation',
  'measure_values',
  'computed_at',
] as const;

const UPDATE = COLUMNS.filter((c) => c !== 'account_id' && c !== 'day')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/**
 * A snapshot as the values of a health_snapshots row, in COLUMNS order, scored by
 * `model`; `measureValues` holds each measure's raw value in the model's order (null
 * without data). Pure, so that rows can be built where the scoring runs.
 */
export function snapshotRow(
  model: HealthModel,
  s: Snapshot,
  arr: number | null,
  measureValues: readonly (number | null)[],
  computedAt: Date,
): unknown[] {
  const stored = encodeSnapshot(model, s, measureValues);
  return [
    s.accountId,
    new Date(s.day),
    s.modelVersion,
    s.healthIndex,
    s.grade,
    s.colour,
    s.riskTier,
    s.valueTier,
    s.coverage,
    s.referral.score,
    s.referral.ready,
    arr,
    JSON.stringify(stored.breakdown),
    s.explanation,
    JSON.stringify(stored.measureValues),
    computedAt,
  ];
}

/** Inserts or replaces (by account and day) a chunk of snapshot rows (snapshotRow), in one transaction. */
export async function writeSnapshots(session: BulkSession, rows: unknown[][]): Promise<void> {
  await session.transaction(() =>
    session.insertRows(
      'health_snapshots',
      COLUMNS,
      rows,
      `ON CONFLICT (account_id, day) DO UPDATE SET ${UPDATE}`,
    ),
  );
}

/** Records the start of a day's scoring; returns the run's id. */
export async function startRun(db: Db, day: Date, modelVersion: string, startedAt: Date): Promise<number> {
  const run = await db.scoringRun.create({ data: { day, modelVersion, startedAt, status: 'running' } });
  return run.id;
}

export async function finishRun(
  db: Db,
  id: number,
  outcome: { finishedAt: Date } & ({ scored: number; skipped: number } | { error: string }),
): Promise<void> {
  await db.scoringRun.update({
    where: { id },
    data:
      'error' in outcome
        ? { status: 'failed', finishedAt: outcome.finishedAt, error: outcome.error }
        : {
            status: 'completed',
            finishedAt: outcome.finishedAt,
            accountsScored: outcome.scored,
            accountsSkipped: outcome.skipped,
          },
  });
}

// ---------------------------------------------------------------------------------
// For everyone else.

/** The latest day with snapshots, or null before the first scoring. */
export async function latestScoredDay(db: Db): Promise<Date | null> {
  const { _max } = await db.healthSnapshot.aggregate({ _max: { day: true } });
  return _max.day;
}

/** The completed run of the latest scored day (its latest run if it was scored more than once). */
export function latestCompletedRun(db: Db) {
  return db.scoringRun.findFirst({
    where: { status: 'completed' },
    orderBy: [{ day: 'desc' }, { finishedAt: 'desc' }, { id: 'desc' }],
  });
}

/** A stored breakdown and measure values, as the engine's parts, in whichever format the row holds them. */
export function readBreakdown(
  models: ReadonlyMap<string, HealthModel>,
  row: { modelVersion: string; breakdown: unknown; measureValues: unknown },
): ReturnType<typeof decodeBreakdown> {
  const breakdown = parseJson<unknown>(row.breakdown);
  if (isStoredBreakdown(breakdown))
    return decodeBreakdown(
      modelNamed(models, row.modelVersion),
      breakdown,
      parseJson<(number | null)[]>(row.measureValues),
    );
  const legacy = breakdown as LegacyBreakdown;
  return { ...legacy, components: unpackComponents(legacy.components) ?? [] };
}

/** The model versions whose recorded models reading these rows needs. */
export const versionsToRead = (rows: { modelVersion: string; breakdown: unknown }[]): string[] =>
  rows.filter((r) => isStoredBreakdown(parseJson(r.breakdown))).map((r) => r.modelVersion);

/** An account's snapshot of `day`, or its latest before it; without a day, its latest. */
export async function snapshotFor(db: Db, accountId: number, day?: Date): Promise<StoredSnapshot | null> {
  const row = await db.healthSnapshot.findFirst({
    where: { accountId, ...(day ? { day: { lte: day } } : {}) },
    orderBy: { day: 'desc' },
  });
  if (!row) return null;
  const { referral, ...parts } = readBreakdown(await recordedModels(db, versionsToRead([row])), row);
  return {
    ...parts,
    referral: { ...referral, score: row.referralScore, ready: row.referralReady },
    explanation: row.explanation,
    accountId: row.accountId,
    day: row.day.getTime(),
    modelVersion: row.modelVersion,
    healthIndex: row.healthIndex,
    grade: row.grade as Grade | null,
    colour: row.colour as Colour | null,
    riskTier: row.riskTier as RiskTier | null,
    valueTier: row.valueTier,
    coverage: row.coverage,
    arr: row.arr,
    computedAt: row.computedAt,
  };
}

/** An account's Health Index day by day, oldest first, from `from` to `to` inclusive. */
export async function indexSeries(db: Db, accountId: number, from: Date, to: Date) {
  const rows = await db.healthSnapshot.findMany({
    where: { accountId, day: { gte: from, lte: to } },
    select: { day: true, healthIndex: true, grade: true, colour: true },
    orderBy: { day: 'asc' },
  });
  return rows.map((r) => ({
    day: r.day,
    healthIndex: r.healthIndex,
    grade: r.grade as Grade | null,
    colour: r.colour as Colour | null,
  }));
}
