// Owns the portfolio view of a scored day: SQL aggregates over that day's health
// snapshots joined to their accounts (average Health Index plain and ARR-weighted,
// share and ARR at risk, risk distribution, health by industry and segment) and short
// ranked lists (movers over 7 days, accounts at risk, referral-ready accounts,
// renewals at risk). Every figure is a query; no table is read whole.
import { describeChange, driverList, signed } from '../health/explain.ts';
import { RISK_TIERS, type RiskTier } from '../health/model.ts';
import { round1, type ComponentScore } from '../health/score.ts';
import { DAY_MS } from '../health/signals.ts';
import { Prisma, type Db } from './db.ts';
import { recordedModels } from './models.ts';
import { latestScoredDay, readBreakdown, versionsToRead } from './snapshots.ts';
import { numberOrNull } from './sql.ts';

export interface PortfolioFilter {
  /** The scored day; default the latest. */
  day?: Date;
  industry?: string;
  segment?: string;
  /** The owning CSM's email or Slack id. */
  owner?: string;
  /** Only accounts with at least this ARR on the day. */
  minArr?: number;
  /** Only accounts in these risk tiers on the day. */
  riskTiers?: readonly RiskTier[];
  /** The day movers are measured from; default 7 days before the day. */
  moversSince?: Date;
  /** Parts the caller does not show: not queried, empty in the result. */
  omit?: readonly ('gains' | 'bySegment' | 'referralReady')[];
  /** How long each list is; default 10. */
  top?: number;
  /** A renewal within 90 days is also at risk below this Health Index (the model's renewal_weak.index_below). */
  renewalIndexBelow?: number;
}

export interface AccountRef {
  accountId: number;
  externalId: string;
  name: string;
  arr: number | null;
}

export interface Mover extends AccountRef {
  from: number;
  to: number;
  delta: number;
  explanation: string;
}

export interface HealthGroup {
  accounts: number;
  averageIndex: number | null;
  arrAtRisk: number;
}

export interface Portfolio {
  day: Date;
  /** Accounts with a snapshot of the day. */
  accounts: number;
  /** Of those, accounts with a Health Index (the others had no data); shares are of these. */
  scored: number;
  averageIndex: number | null;
  arrWeightedIndex: number | null;
  /** Share (0-1) of scored accounts in the high or critical risk tier. */
  atRiskShare: number;
  arrAtRisk: number;
  totalArr: number;
  /** Share (0-1) of scored accounts that are referral-ready. */
  referralReadyRate: number;
  riskDistribution: Record<RiskTier, { accounts: number; arr: number }>;
  byIndustry: (HealthGroup & { industry: string | null })[];
  bySegment: (HealthGroup & { segment: string | null })[];
  /** Change of the Health Index over the 7 days before the day. */
  movers: { drops: Mover[]; gains: Mover[] };
  /** High and critical risk, by value tier then ARR. */
  atRisk: (AccountRef & {
    healthIndex: number;
    riskTier: RiskTier;
    valueTier: number;
    explanation: string;
  })[];
  referralReady: (AccountRef & { referralScore: number; healthIndex: number })[];
  renewalsAtRisk: (AccountRef & {
    renewalDate: Date;
    daysToRenewal: number;
    healthIndex: number | null;
    riskTier: RiskTier | null;
  })[];
}

const AT_RISK = Prisma.sql`s.risk_tier IN ('high', 'critical')`;
const MOVERS_OVER_DAYS = 7;
const RENEWALS_WITHIN_DAYS = 90;

/**
 * The snapshots of `day` joined to their accounts (`s`, `a`) and the filter's condition
 * on them: the book a portfolio is of, for queries beside portfolio()'s.
 */
export function filteredBook(
  filter: PortfolioFilter,
  day: Date,
): { from: Prisma.Sql; figures: Prisma.Sql; where: Prisma.Sql } {
  const and = (on: unknown, sql: Prisma.Sql) => (on ? sql : Prisma.empty);
  const where = Prisma.sql`s.day = ${day}${and(filter.industry, Prisma.sql` AND a.industry = ${filter.industry}`)}${and(
    filter.segment,
    Prisma.sql` AND a.segment = ${filter.segment}`,
  )}${and(filter.owner, Prisma.sql` AND (a.owner_email = ${filter.owner} OR a.owner_slack_id = ${filter.owner})`)}${and(
    filter.minArr,
    Prisma.sql` AND s.arr >= ${filter.minArr}`,
  )}${filter.riskTiers?.length ? Prisma.sql` AND s.risk_tier IN (${Prisma.join([...filter.riskTiers])})` : Prisma.empty}`;
  // A figure of the whole book needs no account row: the day's figures index answers it alone.
  const byAccount = Boolean(filter.industry || filter.segment || filter.owner);
  return {
    from: Prisma.sql`FROM health_snapshots s JOIN accounts a ON a.id = s.account_id`,
    figures: byAccount
      ? Prisma.sql`FROM health_snapshots s JOIN accounts a ON a.id = s.account_id`
      : Prisma.sql`FROM health_snapshots s`,
    where,
  };
}

/** The portfolio on a scored day (default the latest), or null before the first scoring. */
export async function portfolio(db: Db, filter: PortfolioFilter = {}): Promise<Portfolio | null> {
  const day = filter.day ?? (await latestScoredDay(db));
  if (!day) return null;
  const top = filter.top ?? 10;
  const { from, figures, where } = filteredBook(filter, day);
  const ref = Prisma.sql`s.account_id, a.external_id, a.name, s.arr`;
  const refOf = (r: Record<string, unknown>): AccountRef => ({
    accountId: Number(r.account_id),
    externalId: r.external_id as string,
    name: r.name as string,
    arr: numberOrNull(r.arr),
  });

  const [totals] = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT COUNT(*) AS accounts, COUNT(s.health_index) AS scored, AVG(s.health_index) AS average_index,
      SUM(CASE WHEN s.health_index IS NOT NULL AND s.arr > 0 THEN s.health_index * s.arr END) AS weighted_sum,
      SUM(CASE WHEN s.health_index IS NOT NULL AND s.arr > 0 THEN s.arr END) AS weights,
      SUM(CASE WHEN ${AT_RISK} THEN 1 ELSE 0 END) AS at_risk,
      SUM(CASE WHEN ${AT_RISK} THEN COALESCE(s.arr, 0) ELSE 0 END) AS arr_at_risk,
      SUM(COALESCE(s.arr, 0)) AS total_arr,
      SUM(CASE WHEN s.referral_ready THEN 1 ELSE 0 END) AS referral_ready
    ${figures} WHERE ${where}`;
  const scored = Number(totals!.scored);
  const weights = numberOrNull(totals!.weights);

  const tiers = await db.$queryRaw<{ risk_tier: string; accounts: unknown; arr: unknown }[]>`
    SELECT s.risk_tier, COUNT(*) AS accounts, SUM(COALESCE(s.arr, 0)) AS arr ${figures}
    WHERE ${where} AND s.risk_tier IS NOT NULL GROUP BY s.risk_tier`;
  const riskDistribution = Object.fromEntries(
    RISK_TIERS.map((t) => [t, { accounts: 0, arr: 0 }]),
  ) as Portfolio['riskDistribution'];
  for (const t of tiers)
    riskDistribution[t.risk_tier as RiskTier] = { accounts: Number(t.accounts), arr: Number(t.arr) };

  const healthBy = async (column: 'industry' | 'segment') => {
    const rows = await db.$queryRaw<Record<string, unknown>[]>`
      SELECT a.${Prisma.raw(column)} AS grouped, COUNT(*) AS accounts, AVG(s.health_index) AS average_index,
        SUM(CASE WHEN ${AT_RISK} THEN COALESCE(s.arr, 0) ELSE 0 END) AS arr_at_risk
      ${from} WHERE ${where} GROUP BY a.${Prisma.raw(column)}
      ORDER BY arr_at_risk DESC, accounts DESC, CASE WHEN a.${Prisma.raw(column)} IS NULL THEN 1 ELSE 0 END, a.${Prisma.raw(column)}`;
    return rows.map((r) => ({
      key: r.grouped as string | null,
      accounts: Number(r.accounts),
      averageIndex: numberOrNull(r.average_index),
      arrAtRisk: Number(r.arr_at_risk),
    }));
  };

  const weekAgo = filter.moversSince ?? new Date(day.getTime() - MOVERS_OVER_DAYS * DAY_MS);
  const movers = async (direction: 'drops' | 'gains') => {
    // The ranking reads only the day's figures; the breakdowns that explain the change are
    // read afterwards for the few accounts listed, not for the whole book.
    const ranked = await db.$queryRaw<Record<string, unknown>[]>`
      SELECT ${ref}, p.health_index AS from_index, s.health_index AS to_index ${from}
      JOIN health_snapshots p ON p.account_id = s.account_id AND p.day = ${weekAgo}
      WHERE ${where} AND s.health_index ${direction === 'drops' ? Prisma.sql`<` : Prisma.sql`>`} p.health_index
      ORDER BY (s.health_index - p.health_index) ${direction === 'drops' ? Prisma.sql`ASC` : Prisma.sql`DESC`}, COALESCE(s.arr, 0) DESC, a.external_id
      LIMIT ${top}`;
    if (ranked.length === 0) return [];
    const stored = await db.healthSnapshot.findMany({
      where: { accountId: { in: ranked.map((r) => Number(r.account_id)) }, day: { in: [day, weekAgo] } },
      select: {
        accountId: true,
        day: true,
        modelVersion: true,
        breakdown: true,
        measureValues: true,
        explanation: true,
      },
    });
    const side = (accountId: number, when: Date) =>
      stored.find((x) => x.accountId === accountId && x.day.getTime() === when.getTime())!;
    const models = await recordedModels(db, versionsToRead(stored));
    return ranked.map((r) => {
      const now = side(Number(r.account_id), day);
      const then = side(Number(r.account_id), weekAgo);
      return {
        ...refOf(r),
        from: Number(r.from_index),
        to: Number(r.to_index),
        delta: round1(Number(r.to_index) - Number(r.from_index)),
        explanation:
          weekExplanation(
            readBreakdown(models, now).components,
            readBreakdown(models, then).components,
            r,
            weekAgo,
            Math.round((day.getTime() - weekAgo.getTime()) / DAY_MS),
          ) ?? now.explanation,
      };
    });
  };

  const atRisk = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT ${ref}, s.health_index, s.risk_tier, s.value_tier, s.explanation ${from}
    WHERE ${where} AND ${AT_RISK}
    ORDER BY s.value_tier, COALESCE(s.arr, 0) DESC, a.external_id LIMIT ${top}`;

  const omitted = (part: NonNullable<PortfolioFilter['omit']>[number]) =>
    filter.omit?.includes(part) ?? false;
  const referralReady = omitted('referralReady')
    ? []
    : await db.$queryRaw<Record<string, unknown>[]>`
    SELECT ${ref}, s.referral_score, s.health_index ${from}
    WHERE ${where} AND s.referral_ready
    ORDER BY s.referral_score DESC, COALESCE(s.arr, 0) DESC, a.external_id LIMIT ${top}`;

  const renewalsUntil = new Date(day.getTime() + RENEWALS_WITHIN_DAYS * DAY_MS);
  const weak =
    filter.renewalIndexBelow === undefined
      ? Prisma.empty
      : Prisma.sql` OR s.health_index < ${filter.renewalIndexBelow}`;
  const renewals = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT ${ref}, a.renewal_date, s.health_index, s.risk_tier ${from}
    WHERE ${where} AND a.renewal_date >= ${day} AND a.renewal_date <= ${renewalsUntil} AND (${AT_RISK}${weak})
    ORDER BY a.renewal_date, COALESCE(s.arr, 0) DESC, a.external_id LIMIT ${top}`;

  const [byIndustry, bySegment, drops, gains] = await Promise.all([
    healthBy('industry'),
    omitted('bySegment') ? [] : healthBy('segment'),
    movers('drops'),
    omitted('gains') ? [] : movers('gains'),
  ]);
  return {
    day,
    accounts: Number(totals!.accounts),
    scored,
    averageIndex: numberOrNull(totals!.average_index),
    arrWeightedIndex: weights ? Number(totals!.weighted_sum) / weights : null,
    atRiskShare: scored ? Number(totals!.at_risk) / scored : 0,
    arrAtRisk: Number(totals!.arr_at_risk ?? 0),
    totalArr: Number(totals!.total_arr ?? 0),
    referralReadyRate: scored ? Number(totals!.referral_ready) / scored : 0,
    riskDistribution,
    byIndustry: byIndustry.map(({ key, ...g }) => ({ industry: key, ...g })),
    bySegment: bySegment.map(({ key, ...g }) => ({ segment: key, ...g })),
    movers: { drops, gains },
    atRisk: atRisk.map((r) => ({
      ...refOf(r),
      healthIndex: Number(r.health_index),
      riskTier: r.risk_tier as RiskTier,
      valueTier: Number(r.value_tier),
      explanation: r.explanation as string,
    })),
    referralReady: referralReady.map((r) => ({
      ...refOf(r),
      referralScore: Number(r.referral_score),
      healthIndex: Number(r.health_index),
    })),
    renewalsAtRisk: renewals.map((r) => {
      const renewalDate = r.renewal_date as Date;
      return {
        ...refOf(r),
        renewalDate,
        daysToRenewal: Math.round((renewalDate.getTime() - day.getTime()) / DAY_MS),
        healthIndex: numberOrNull(r.health_index),
        riskTier: r.risk_tier as RiskTier | null,
      };
    }),
  };
}

/**
 * A mover's explanation: what moved its index over the whole `days` (the two snapshots'
 * measures compared), not the last day's change its snapshot explains.
 */
function weekExplanation(
  now: ComponentScore[],
  then: ComponentScore[],
  r: Record<string, unknown>,
  weekAgo: Date,
  days: number,
): string | null {
  // Snapshots written by hand may lack the breakdown's components.
  if (!now.length || !then.length) return null;
  const change = describeChange(
    { components: now, healthIndex: Number(r.to_index) },
    { day: weekAgo.getTime(), healthIndex: Number(r.from_index), components: then },
  );
  if (!change?.drivers.length) return null;
  return `${signed(change.delta)} over ${days} day${days === 1 ? '' : 's'}: ${driverList(change.drivers)}`;
}
