// Owns digest subscriptions in the database (digest_subscriptions: one per channel) and
// the queries a digest is made of: the portfolio of the subscription's part of the book
// on the scored day, with movers measured from the day the channel's last digest
// showed, and beside it what portfolio() does not say (how many accounts each list
// holds in all, the average Health Index on that earlier day, referral-ready accounts
// newly ready first). Every figure is a query over one or two days' snapshots of the
// filtered book; no table is read whole. The slots' claims: storage/schedule-slots.ts.
import type { DigestFilters, DigestSection, SubscriptionSettings } from '../digest/subscription.ts';
import type { RiskTier } from '../health/model.ts';
import { DAY_MS } from '../health/signals.ts';
import type { Db } from './db.ts';
import {
  filteredBook,
  portfolio,
  type AccountRef,
  type Portfolio,
  type PortfolioFilter,
} from './portfolio.ts';
import { numberOrNull } from './sql.ts';

export interface Subscription {
  id: number;
  channelId: string;
  /** As written: `weekdays 09:00` or a cron expression. */
  schedule: string;
  cron: string;
  timeZone: string;
  filters: DigestFilters;
  sections: DigestSection[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Only slots after this are due. */
  slotsFrom: Date;
  paused: boolean;
  lastError: string | null;
  lastErrorAt: Date | null;
}

type Row = Awaited<ReturnType<Db['digestSubscription']['findUniqueOrThrow']>>;

const csv = (v: string | null) => (v ? v.split(',') : []);

function toSubscription(row: Row): Subscription {
  const filters: DigestFilters = {};
  if (row.segment !== null) filters.segment = row.segment;
  if (row.industry !== null) filters.industry = row.industry;
  if (row.owner !== null) filters.owner = row.owner;
  if (row.minArr !== null) filters.minArr = row.minArr;
  if (row.riskTiers !== null) filters.riskTiers = csv(row.riskTiers) as RiskTier[];
  return {
    id: row.id,
    channelId: row.channelId,
    schedule: row.schedule,
    cron: row.cron,
    timeZone: row.timeZone,
    filters,
    sections: csv(row.sections) as DigestSection[],
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    slotsFrom: row.slotsFrom,
    paused: row.paused,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt,
  };
}

/**
 * Subscribes a channel, or replaces its subscription. Changing the schedule or the time
 * zone starts its slots afresh from `now`: none of the new schedule's earlier slots is
 * caught up. The last error stays until a digest is posted.
 */
export async function saveSubscription(
  db: Db,
  channelId: string,
  settings: SubscriptionSettings,
  createdBy: string,
  now: Date,
): Promise<{ subscription: Subscription; created: boolean }> {
  const fields = {
    schedule: settings.schedule.text,
    cron: settings.schedule.cron,
    timeZone: settings.timeZone,
    segment: settings.filters.segment ?? null,
    industry: settings.filters.industry ?? null,
    owner: settings.filters.owner ?? null,
    minArr: settings.filters.minArr ?? null,
    riskTiers: settings.filters.riskTiers?.join(',') ?? null,
    sections: settings.sections.join(','),
    updatedAt: now,
  };
  return db.$transaction(async (tx) => {
    const before = await tx.digestSubscription.findUnique({ where: { channelId } });
    if (!before) {
      const row = await tx.digestSubscription.create({
        data: { channelId, ...fields, createdBy, createdAt: now, slotsFrom: now },
      });
      return { subscription: toSubscription(row), created: true };
    }
    const rescheduled = before.cron !== fields.cron || before.timeZone !== fields.timeZone;
    const row = await tx.digestSubscription.update({
      where: { id: before.id },
      data: { ...fields, createdBy, ...(rescheduled ? { slotsFrom: now } : {}) },
    });
    return { subscription: toSubscription(row), created: false };
  });
}

/** Removes a channel's subscription (and its deliveries); false when it had none. */
export async function removeSubscription(db: Db, channelId: string): Promise<boolean> {
  const { count } = await db.digestSubscription.deleteMany({ where: { channelId } });
  return count > 0;
}

export async function subscriptionOf(db: Db, channelId: string): Promise<Subscription | null> {
  const row = await db.digestSubscription.findUnique({ where: { channelId } });
  return row ? toSubscription(row) : null;
}

export async function subscriptionById(db: Db, id: number): Promise<Subscription | null> {
  const row = await db.digestSubscription.findUnique({ where: { id } });
  return row ? toSubscription(row) : null;
}

/** Every subscription (`active`: the ones not paused), by channel. */
export async function listSubscriptions(db: Db, { active = false } = {}): Promise<Subscription[]> {
  const rows = await db.digestSubscription.findMany({
    where: active ? { paused: false } : {},
    orderBy: { channelId: 'asc' },
  });
  return rows.map(toSubscription);
}

/**
 * Pauses or resumes a channel's digest; null when the channel has none. Resuming starts
 * the slots from `now`, so the ones missed while paused are not caught up.
 */
export async function setPaused(
  db: Db,
  channelId: string,
  paused: boolean,
  now: Date,
): Promise<Subscription | null> {
  const { count } = await db.digestSubscription.updateMany({
    where: { channelId, paused: !paused },
    data: { paused, updatedAt: now, ...(paused ? {} : { slotsFrom: now }) },
  });
  if (count === 0 && !(await db.digestSubscription.findUnique({ where: { channelId } }))) return null;
  return subscriptionOf(db, channelId);
}

/** Records why a subscription's delivery failed, or (null) that one was posted. */
export async function recordSubscriptionError(
  db: Db,
  id: number,
  error: string | null,
  now: Date,
): Promise<void> {
  await db.digestSubscription.updateMany({
    where: error === null ? { id, lastError: { not: null } } : { id },
    data: { lastError: error, lastErrorAt: error === null ? null : now },
  });
}

// ---------------------------------------------------------------------------------
// The digest's data.

export interface DigestBookQuery {
  filters: DigestFilters;
  /** The scored day the digest shows. */
  day: Date;
  /** The day the channel's last digest showed: changes are counted from it. */
  since: Date;
  /** How many accounts each list holds at most. */
  top: number;
  /** The model's renewal_weak.index_below: a renewal within 90 days below it is at risk. */
  renewalIndexBelow: number;
  /** A fall of the Health Index by at least this much since `since` is a drop worth a line. */
  droppedPoints: number;
}

export type ReadyAccount = AccountRef & {
  referralScore: number;
  healthIndex: number;
  segment: string | null;
  /** Not referral-ready on `since`. */
  newlyReady: boolean;
};

export interface DigestBook {
  /** The filtered book on the day; its movers are measured from `since`. */
  portfolio: Portfolio;
  /** The average Health Index the filtered book's accounts had on `since` (null: none scored then). */
  averageBefore: number | null;
  /** Referral-ready accounts, newly ready first, then most ready. */
  referralReady: ReadyAccount[];
  /** How many accounts each list holds in all (the lists hold at most `top`). */
  totals: { atRisk: number; dropped: number; referralReady: number; renewalsAtRisk: number };
}

const RENEWALS_WITHIN_DAYS = 90;

/** What a digest of the filtered book on `day` shows; null when nothing was scored on it. */
export async function digestBook(db: Db, q: DigestBookQuery): Promise<DigestBook | null> {
  const filter: PortfolioFilter = {
    ...q.filters,
    day: q.day,
    top: q.top,
    renewalIndexBelow: q.renewalIndexBelow,
    moversSince: q.since,
    // A digest shows referral-ready accounts its own way (below), and no gains; health
    // by segment only when it is filtered to one industry.
    omit: ['gains', 'referralReady', ...(q.filters.industry ? [] : (['bySegment'] as const))],
  };
  const { from, where } = filteredBook(filter, q.day);
  const renewalsUntil = new Date(q.day.getTime() + RENEWALS_WITHIN_DAYS * DAY_MS);
  const [p, ready, [counts]] = await Promise.all([
    portfolio(db, filter),
    db.$queryRaw<Record<string, unknown>[]>`
      SELECT s.account_id, a.external_id, a.name, s.arr, s.referral_score, s.health_index, a.segment,
        CASE WHEN p.account_id IS NOT NULL AND NOT p.referral_ready THEN 1 ELSE 0 END AS newly_ready
      ${from} LEFT JOIN health_snapshots p ON p.account_id = s.account_id AND p.day = ${q.since}
      WHERE ${where} AND s.referral_ready
      ORDER BY newly_ready DESC, s.referral_score DESC, COALESCE(s.arr, 0) DESC, a.external_id LIMIT ${q.top}`,
    db.$queryRaw<Record<string, unknown>[]>`
      SELECT AVG(p.health_index) AS average_before,
        SUM(CASE WHEN p.health_index IS NOT NULL AND s.health_index <= p.health_index - ${q.droppedPoints} THEN 1 ELSE 0 END) AS dropped,
        SUM(CASE WHEN a.renewal_date >= ${q.day} AND a.renewal_date <= ${renewalsUntil}
          AND (s.risk_tier IN ('high', 'critical') OR s.health_index < ${q.renewalIndexBelow}) THEN 1 ELSE 0 END) AS renewals
      ${from} LEFT JOIN health_snapshots p ON p.account_id = s.account_id AND p.day = ${q.since}
      WHERE ${where}`,
  ]);
  if (!p) return null;
  return {
    portfolio: p,
    averageBefore: numberOrNull(counts?.average_before),
    referralReady: ready.map((r) => ({
      accountId: Number(r.account_id),
      externalId: r.external_id as string,
      name: r.name as string,
      arr: numberOrNull(r.arr),
      referralScore: Number(r.referral_score),
      healthIndex: Number(r.health_index),
      segment: (r.segment as string | null) ?? null,
      newlyReady: Number(r.newly_ready) === 1,
    })),
    totals: {
      atRisk: p.riskDistribution.high.accounts + p.riskDistribution.critical.accounts,
      dropped: Number(counts?.dropped ?? 0),
      referralReady: Math.round(p.referralReadyRate * p.scored),
      renewalsAtRisk: Number(counts?.renewals ?? 0),
    },
  };
}
