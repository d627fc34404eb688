// Owns the claims on scheduled slots: digest_deliveries (a subscription's slot) and
// scheduled_runs (a job's slot, the nightly scoring run). A slot is claimed by
// inserting its row: the unique key (subscription or job, slot) lets exactly one
// process win, on SQLite and on PostgreSQL. The winner holds a lease: it renews
// claimed_at while it works, and a claim not renewed for a lease (its process died) is
// taken over by another process. Every change after the claim is a compare-and-set on
// (id, attempts): a takeover increments attempts, so the process it was taken from can
// no longer renew, mark or finish the row (a fencing token), and two processes taking
// over at once cannot both win.
import type { Db } from './db.ts';
import { isUniqueViolation } from './sql.ts';

/**
 * claimed: a process works on it. posting: the Slack call was (or is being) made, so a
 * takeover first looks for the message. posted, failed, skipped: done. retry: a
 * failure worth another attempt after a pause.
 */
export type DeliveryState = 'claimed' | 'posting' | 'posted' | 'retry' | 'failed' | 'skipped';
export type RunState = 'claimed' | 'done' | 'retry' | 'failed' | 'skipped';

/** What the holder of a claim proves it with: the row and the attempt it claimed. */
export interface Lease {
  id: number;
  attempts: number;
  owner: string;
}

export interface Delivery {
  id: number;
  subscriptionId: number;
  slotAt: Date;
  state: DeliveryState;
  claimedBy: string | null;
  claimedAt: Date;
  attempts: number;
  postingAt: Date | null;
  postedAt: Date | null;
  messageTs: string | null;
  late: boolean;
  scoresDay: Date | null;
  error: string | null;
}

export interface ScheduledRun {
  id: number;
  job: string;
  slotAt: Date;
  state: RunState;
  claimedBy: string | null;
  claimedAt: Date;
  attempts: number;
  finishedAt: Date | null;
  error: string | null;
}

/** The part of a Prisma model delegate the lease operations use; both tables have these columns. */
interface LeaseTable {
  updateMany(args: {
    where: { id: number; attempts: number; state?: { in: string[] }; claimedBy?: string };
    data: Record<string, unknown>;
  }): Promise<{ count: number }>;
}

/** Whether a takeable row could be taken over: the state it is in, how long it has sat. */
export interface Takeable {
  now: Date;
  /** A claim (or posting) not renewed for this long belongs to a dead process. */
  leaseMs: number;
  /** A row in `retry` is tried again this long after its failure. */
  retryAfterMs: number;
  /** Only slots after this (older ones are past saving). */
  slotsAfter: Date;
}

const takeableWhere = (t: Takeable) => ({
  slotAt: { gt: t.slotsAfter },
  OR: [
    { state: { in: ['claimed', 'posting'] }, claimedAt: { lt: new Date(t.now.getTime() - t.leaseMs) } },
    { state: 'retry', claimedAt: { lte: new Date(t.now.getTime() - t.retryAfterMs) } },
  ],
});

/** Whose an expired or retryable row is now: null when another process took it first. */
async function takeOver(
  table: LeaseTable,
  row: { id: number; attempts: number; state: string },
  owner: string,
  now: Date,
): Promise<Lease | null> {
  const { count } = await table.updateMany({
    where: { id: row.id, attempts: row.attempts, state: { in: [row.state] } },
    // A retry is claimed again; a posting stays one until its message is looked for.
    data: {
      claimedBy: owner,
      claimedAt: now,
      attempts: row.attempts + 1,
      ...(row.state === 'retry' ? { state: 'claimed' } : {}),
    },
  });
  return count === 1 ? { id: row.id, attempts: row.attempts + 1, owner } : null;
}

/** Changes a row the lease still holds; false when the lease was lost (taken over). */
async function update(
  table: LeaseTable,
  lease: Lease,
  data: Record<string, unknown>,
  states?: string[],
): Promise<boolean> {
  const { count } = await table.updateMany({
    where: {
      id: lease.id,
      attempts: lease.attempts,
      claimedBy: lease.owner,
      ...(states ? { state: { in: states } } : {}),
    },
    data,
  });
  return count === 1;
}

/** Inserts a row unless one exists for its slot: the claim; null when another process has the slot. */
async function insertOnce<T>(insert: () => Promise<T>): Promise<T | null> {
  try {
    return await insert();
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

// ---------------------------------------------------------------------------------
// Digest deliveries.

type DeliveryRow = Awaited<ReturnType<Db['digestDelivery']['findUniqueOrThrow']>>;
const toDelivery = (r: DeliveryRow): Delivery => ({ ...r, state: r.state as DeliveryState });
const deliveries = (db: Db) => db.digestDelivery as unknown as LeaseTable;

/** The latest slot recorded for each subscription (any state). */
export async function latestDeliverySlots(db: Db): Promise<Map<number, Date>> {
  const rows = await db.digestDelivery.groupBy({ by: ['subscriptionId'], _max: { slotAt: true } });
  return new Map(rows.map((r) => [r.subscriptionId, r._max.slotAt!]));
}

/** Claims a subscription's slot; null when it was claimed already (by anyone). */
export async function claimDelivery(
  db: Db,
  slot: { subscriptionId: number; slotAt: Date; late: boolean },
  owner: string,
  now: Date,
): Promise<{ delivery: Delivery; lease: Lease } | null> {
  const row = await insertOnce(() =>
    db.digestDelivery.create({
      data: { ...slot, state: 'claimed', claimedBy: owner, claimedAt: now, attempts: 1 },
    }),
  );
  return row ? { delivery: toDelivery(row), lease: { id: row.id, attempts: 1, owner } } : null;
}

/** Records a slot that will not be posted (missed for too long, or superseded by a later one); false if it was recorded already. */
export async function skipDelivery(
  db: Db,
  slot: { subscriptionId: number; slotAt: Date },
  reason: string,
  owner: string,
  now: Date,
): Promise<boolean> {
  const row = await insertOnce(() =>
    db.digestDelivery.create({
      data: { ...slot, state: 'skipped', claimedBy: owner, claimedAt: now, error: reason },
    }),
  );
  return row !== null;
}

/** Deliveries another process may take over: claims and posts whose lease ran out, retries whose pause is over; oldest first. */
export async function takeableDeliveries(db: Db, t: Takeable, limit = 100): Promise<Delivery[]> {
  const rows = await db.digestDelivery.findMany({
    where: takeableWhere(t),
    orderBy: { slotAt: 'asc' },
    take: limit,
  });
  return rows.map(toDelivery);
}

export const takeOverDelivery = (db: Db, d: Delivery, owner: string, now: Date) =>
  takeOver(deliveries(db), d, owner, now);

/** Keeps the lease: the holder is alive. */
export const renewDelivery = (db: Db, lease: Lease, now: Date) =>
  update(deliveries(db), lease, { claimedAt: now });

/** Records that the Slack call is about to be made; from here a takeover looks for the message first. */
export const markPosting = (db: Db, lease: Lease, now: Date) =>
  update(deliveries(db), lease, { state: 'posting', postingAt: now, claimedAt: now }, [
    'claimed',
    'posting',
    'retry',
  ]);

export type DeliveryOutcome =
  | { state: 'posted'; messageTs: string; scoresDay: Date | null; late: boolean }
  | { state: 'retry' | 'failed' | 'skipped'; error: string };

/** Ends (or, for retry, pauses) the lease's work; false when the lease was lost. */
export const finishDelivery = (db: Db, lease: Lease, outcome: DeliveryOutcome, now: Date) =>
  update(deliveries(db), lease, {
    ...outcome,
    claimedAt: now,
    ...(outcome.state === 'posted' ? { postedAt: now, error: null } : {}),
  });

/** The scored day the latest digest posted for the subscription showed, if before `day`. */
export async function lastPostedScoresDay(db: Db, subscriptionId: number, day: Date): Promise<Date | null> {
  const row = await db.digestDelivery.findFirst({
    where: { subscriptionId, state: 'posted', scoresDay: { lt: day } },
    orderBy: { slotAt: 'desc' },
    select: { scoresDay: true },
  });
  return row?.scoresDay ?? null;
}

/** A subscription's deliveries, latest first. */
export async function deliveriesOf(db: Db, subscriptionId: number, limit = 50): Promise<Delivery[]> {
  const rows = await db.digestDelivery.findMany({
    where: { subscriptionId },
    orderBy: { slotAt: 'desc' },
    take: limit,
  });
  return rows.map(toDelivery);
}

// ---------------------------------------------------------------------------------
// Scheduled runs (jobs).

type RunRow = Awaited<ReturnType<Db['scheduledRun']['findUniqueOrThrow']>>;
const toRun = (r: RunRow): ScheduledRun => ({ ...r, state: r.state as RunState });
const runs = (db: Db) => db.scheduledRun as unknown as LeaseTable;

/** The latest slot recorded for a job, or null. */
export async function latestJobSlot(db: Db, job: string): Promise<Date | null> {
  const { _max } = await db.scheduledRun.aggregate({ where: { job }, _max: { slotAt: true } });
  return _max.slotAt;
}

/** Claims a job's slot; null when it was claimed already. */
export async function claimJobSlot(
  db: Db,
  job: string,
  slotAt: Date,
  owner: string,
  now: Date,
): Promise<{ run: ScheduledRun; lease: Lease } | null> {
  const row = await insertOnce(() =>
    db.scheduledRun.create({
      data: { job, slotAt, state: 'claimed', claimedBy: owner, claimedAt: now, attempts: 1 },
    }),
  );
  return row ? { run: toRun(row), lease: { id: row.id, attempts: 1, owner } } : null;
}

export async function skipJobSlot(
  db: Db,
  job: string,
  slotAt: Date,
  reason: string,
  owner: string,
  now: Date,
) {
  const row = await insertOnce(() =>
    db.scheduledRun.create({
      data: { job, slotAt, state: 'skipped', claimedBy: owner, claimedAt: now, error: reason },
    }),
  );
  return row !== null;
}

export async function takeableJobSlots(
  db: Db,
  job: string,
  t: Takeable,
  limit = 10,
): Promise<ScheduledRun[]> {
  const rows = await db.scheduledRun.findMany({
    where: { job, ...takeableWhere(t) },
    orderBy: { slotAt: 'desc' },
    take: limit,
  });
  return rows.map(toRun);
}

export const takeOverJobSlot = (db: Db, r: ScheduledRun, owner: string, now: Date) =>
  takeOver(runs(db), r, owner, now);

export const renewJobSlot = (db: Db, lease: Lease, now: Date) => update(runs(db), lease, { claimedAt: now });

export const finishJobSlot = (
  db: Db,
  lease: Lease,
  outcome: { state: 'done' | 'retry' | 'failed' | 'skipped'; error?: string },
  now: Date,
) =>
  update(runs(db), lease, {
    state: outcome.state,
    error: outcome.error ?? null,
    claimedAt: now,
    finishedAt: now,
  });
