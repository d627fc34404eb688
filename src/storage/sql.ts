// SQL that differs between SQLite and PostgreSQL, for the queries the storage modules
// run on a bulk session (a raw driver connection; see ingest/session.ts).
import type { BulkSession } from '../ingest/session.ts';

/** A timestamp column as epoch milliseconds (PostgreSQL's are `timestamp(3)` in UTC). */
export function epochMs(session: BulkSession, column: string): string {
  return session.dialect === 'sqlite'
    ? column
    : `CAST(EXTRACT(EPOCH FROM ${column}) * 1000 AS double precision)`;
}

/**
 * An aggregate of a group's rows as a JSON array of [time, value] pairs in `order`
 * (null: as the rows come); `time` and `value` are SQL expressions, `time` giving numbers.
 */
export function jsonPairs(session: BulkSession, time: string, value: string, order: string | null): string {
  const by = order ? ` ORDER BY ${order}` : '';
  return session.dialect === 'sqlite'
    ? `json_group_array(json_array(${time}, ${value})${by})`
    : `json_agg(json_build_array(${time}, ${value})${by})`;
}

/** A JSON array of SQL expressions' values. */
export function jsonArray(session: BulkSession, values: string[]): string {
  return `${session.dialect === 'sqlite' ? 'json_array' : 'json_build_array'}(${values.join(', ')})`;
}

/** A JSON value as the driver gives it: text on SQLite, parsed already on PostgreSQL. */
export const parseJson = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** A nullable number as the driver gives it (PostgreSQL returns some as text). */
export function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** One `?` per value, for `IN (...)`. */
export const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** A unique constraint refused the write: PostgreSQL's unique_violation from pg, or Prisma's P2002 on either provider. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'P2002';
}
