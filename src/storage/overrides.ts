// Owns manual overrides of the Health Index: setting one (of a measure's normalised
// score, or of the whole index) with its reason, author and expiry, clearing one,
// listing them, and the overrides in force for a chunk of accounts at the end of a
// scored day. An override stops applying by itself at its expiry; clearing or
// replacing one stamps cleared_at, so what was in force on a past day stays known.
import type { HealthModel } from '../health/model.ts';
import type { Override } from '../health/score.ts';
import type { BulkSession } from '../ingest/session.ts';
import type { Db } from './db.ts';
import { epochMs, numberOrNull, placeholders } from './sql.ts';

export class OverrideError extends Error {}

export interface OverrideInput {
  accountId: number;
  /** A measure of one of the model's components; null overrides the whole Health Index. */
  measure: string | null;
  /** 0-100: the measure's normalised score, or the Health Index. */
  value: number;
  reason: string;
  author: string;
  expiresAt: Date | null;
  now?: Date;
}

export interface StoredOverride {
  id: number;
  accountId: number;
  measure: string | null;
  value: number;
  reason: string;
  author: string;
  createdAt: Date;
  expiresAt: Date | null;
  clearedAt: Date | null;
}

/** Active: not cleared, and not expired at `at`. */
const active = (at: Date) => ({
  clearedAt: null,
  OR: [{ expiresAt: null }, { expiresAt: { gt: at } }],
});

/** In force at `at`: created by then, and neither expired nor cleared by then. */
const inForceAt = (at: Date) => ({
  createdAt: { lte: at },
  AND: [
    { OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] },
    { OR: [{ clearedAt: null }, { clearedAt: { gt: at } }] },
  ],
});

/**
 * Sets an override; an active override of the same account and measure is replaced
 * (cleared at the same moment). Throws OverrideError naming what is wrong.
 */
export async function setOverride(db: Db, input: OverrideInput, model: HealthModel): Promise<StoredOverride> {
  const now = input.now ?? new Date();
  const reason = input.reason.trim();
  const author = input.author.trim();
  if (!Number.isFinite(input.value) || input.value < 0 || input.value > 100) {
    throw new OverrideError(`an override's value is 0-100, got ${input.value}`);
  }
  if (input.measure !== null) {
    const overridable = Object.values(model.components).flatMap((c) => Object.keys(c.measures));
    if (!overridable.includes(input.measure)) {
      throw new OverrideError(
        `"${input.measure}" is not a measure of the model's components; expected one of ${[...new Set(overridable)].join(', ')}, or the whole index`,
      );
    }
  }
  if (!reason) throw new OverrideError('an override needs a reason');
  if (!author) throw new OverrideError('an override needs an author');
  if (input.expiresAt && input.expiresAt <= now) {
    throw new OverrideError(`the expiry ${input.expiresAt.toISOString()} is already past`);
  }
  if (!(await db.account.findUnique({ where: { id: input.accountId }, select: { id: true } }))) {
    throw new OverrideError(`no account with id ${input.accountId}`);
  }
  return db.$transaction(async (tx) => {
    await tx.scoreOverride.updateMany({
      where: { accountId: input.accountId, measure: input.measure, ...active(now) },
      data: { clearedAt: now },
    });
    return tx.scoreOverride.create({
      data: {
        accountId: input.accountId,
        measure: input.measure,
        value: input.value,
        reason,
        author,
        createdAt: now,
        expiresAt: input.expiresAt,
      },
    });
  });
}

/** Clears the active override of an account's measure (null: of the whole index); returns how many were cleared. */
export async function clearOverride(
  db: Db,
  input: { accountId: number; measure: string | null; now?: Date },
): Promise<number> {
  const now = input.now ?? new Date();
  const { count } = await db.scoreOverride.updateMany({
    where: { accountId: input.accountId, measure: input.measure, ...active(now) },
    data: { clearedAt: now },
  });
  return count;
}

/**
 * Overrides with their account's external id and name, newest first: of one account
 * or all; with activeAt, only those in force then (created by then, not expired or
 * cleared by then); cleared ones only with includeCleared.
 */
export function listOverrides(
  db: Db,
  filter: { accountId?: number; activeAt?: Date; includeCleared?: boolean } = {},
): Promise<(StoredOverride & { account: { externalId: string; name: string } })[]> {
  const at = filter.activeAt;
  return db.scoreOverride.findMany({
    where: {
      accountId: filter.accountId,
      AND: [filter.includeCleared ? {} : { clearedAt: null }, at ? inForceAt(at) : {}],
    },
    include: { account: { select: { externalId: true, name: true } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

/**
 * The overrides in force at the end of a scored day, by account, oldest first (so a
 * later one of the same measure wins). An override cleared after that moment was
 * still in force then: re-scoring a past day gives the rows it gave before. Read
 * through the runner's bulk session, a chunk of accounts at a time.
 */
export async function overridesInForce(
  session: BulkSession,
  accountIds: readonly number[],
  dayEnd: Date,
): Promise<Map<number, Override[]>> {
  const byAccount = new Map<number, Override[]>();
  if (accountIds.length === 0) return byAccount;
  const rows = await session.all<{
    account_id: number;
    measure: string | null;
    value: number;
    reason: string;
    author: string;
    expires_at: number | null;
  }>(
    `SELECT account_id, measure, value, reason, author, ${epochMs(session, 'expires_at')} AS expires_at FROM score_overrides ` +
      `WHERE account_id IN (${placeholders(accountIds)}) AND created_at <= ? ` +
      `AND (expires_at IS NULL OR expires_at > ?) AND (cleared_at IS NULL OR cleared_at > ?) ` +
      `ORDER BY account_id, created_at, id`,
    [...accountIds, dayEnd, dayEnd, dayEnd],
  );
  for (const r of rows) {
    const id = Number(r.account_id);
    let list = byAccount.get(id);
    if (!list) byAccount.set(id, (list = []));
    list.push({
      measure: r.measure,
      value: Number(r.value),
      reason: r.reason,
      author: r.author,
      expiresAt: numberOrNull(r.expires_at),
    });
  }
  return byAccount;
}
