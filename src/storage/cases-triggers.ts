// Finds what the alert rules fire on, with queries that read only candidates (never a
// whole table), and opens or adds to recovery cases for it: after scoring a day (the
// day's snapshots with a drop, a watched risk tier or a renewal at risk, against the
// previous snapshot's tier; the day's detractor answers; tickets unresolved too long),
// and for signals as they are ingested (an NPS answer, a ticket).
import type { AlertRules } from '../cases/rules.ts';
import { signalTrigger, snapshotTriggers, TICKET_KEY, type Signal, type Trigger } from '../cases/triggers.ts';
import type { RiskTier } from '../health/model.ts';
import type { Drop } from '../health/score.ts';
import { openOrUpdateCases, type OpenResult } from './cases.ts';
import { Prisma, type Database, type Db } from './db.ts';
import { parseJson } from './sql.ts';

const DAY_MS = 86_400_000;
const CHUNK = 500;

/**
 * Opens or adds to the cases of a scored day: run after `canary score` (the day it
 * scored last). `now` stamps the cases and decides which tickets have waited too long
 * (no later than the end of the day).
 */
export async function openCasesAfterScoring(
  database: Database,
  rules: AlertRules,
  day: Date,
  now: Date,
): Promise<OpenResult> {
  const triggers = [
    ...(await snapshotFindings(database, rules, day)),
    ...(await dayDetractors(database.db, rules, day, now)),
    ...(await ageingTickets(database.db, rules, new Date(Math.min(now.getTime(), day.getTime() + DAY_MS)))),
  ];
  return openOrUpdateCases(database.db, rules, triggers, now);
}

/** Opens or adds to cases for signals just ingested (a detractor's answer, an urgent ticket). */
export function openCasesForSignals(
  db: Db,
  rules: AlertRules,
  signals: readonly Signal[],
  now: Date,
): Promise<OpenResult> {
  const triggers = signals.flatMap((s) => signalTrigger(rules, s, now) ?? []);
  return openOrUpdateCases(db, rules, triggers, now);
}

async function snapshotFindings(database: Database, rules: AlertRules, day: Date): Promise<Trigger[]> {
  const { drop, risk_tier: tiers, renewal } = rules.rules;
  const sqlite = database.target.provider === 'sqlite';
  // The breakdown keeps drops under `dr` (rows written before its format: `drops`);
  // the rules read nothing else of it, so nothing else of it is read.
  const drops = sqlite
    ? Prisma.sql`COALESCE(json_extract(s.breakdown, '$.dr'), json_extract(s.breakdown, '$.drops'))`
    : Prisma.sql`COALESCE(s.breakdown->'dr', s.breakdown->'drops')`;
  const when: Prisma.Sql[] = [];
  if (tiers) when.push(Prisma.sql`s.risk_tier IN (${Prisma.join(tiers.tiers)})`);
  if (drop)
    when.push(
      sqlite
        ? Prisma.sql`(json_extract(s.breakdown, '$.dr') IS NOT NULL OR json_array_length(s.breakdown, '$.drops') > 0)`
        : Prisma.sql`(s.breakdown->'dr' IS NOT NULL OR jsonb_array_length(COALESCE(s.breakdown->'drops', '[]'::jsonb)) > 0)`,
    );
  if (renewal)
    when.push(
      Prisma.sql`(a.renewal_date >= ${day} AND a.renewal_date <= ${new Date(day.getTime() + renewal.within_days * DAY_MS)} AND s.health_index < ${renewal.index_below})`,
    );
  if (!when.length) return [];
  const candidates = await database.db.$queryRaw<
    {
      account_id: unknown;
      health_index: unknown;
      risk_tier: string | null;
      previous_tier: string | null;
      drops: unknown;
      renewal_date: Date | null;
    }[]
  >(
    Prisma.sql`SELECT s.account_id, s.health_index, s.risk_tier, ${drops} AS drops, a.renewal_date,
      (SELECT p.risk_tier FROM health_snapshots p WHERE p.account_id = s.account_id AND p.day < s.day
        ORDER BY p.day DESC LIMIT 1) AS previous_tier
      FROM health_snapshots s JOIN accounts a ON a.id = s.account_id
      WHERE s.day = ${day} AND s.health_index IS NOT NULL AND (${Prisma.join(when, ' OR ')})`,
  );
  return candidates.flatMap((c) =>
    snapshotTriggers(rules, {
      accountId: Number(c.account_id),
      day,
      healthIndex: Number(c.health_index),
      riskTier: c.risk_tier as RiskTier | null,
      drops: c.drops === null ? [] : parseJson<Drop[]>(c.drops),
      renewalDate: c.renewal_date,
      previousRiskTier: c.previous_tier as RiskTier | null,
    }),
  );
}

/** The day's NPS answers at or below the detractor score (most were seen on ingestion already). */
async function dayDetractors(db: Db, rules: AlertRules, day: Date, now: Date): Promise<Trigger[]> {
  const rule = rules.rules.detractor;
  if (!rule) return [];
  const rows = await db.surveyResponse.findMany({
    where: {
      kind: 'nps',
      score: { lte: rule.nps_at_most },
      respondedAt: { gte: day, lt: new Date(day.getTime() + DAY_MS) },
    },
    select: { id: true, accountId: true, kind: true, score: true, respondent: true, comment: true },
  });
  return rows.flatMap((r) => signalTrigger(rules, { ...r, kind: 'survey', survey: r.kind }, now) ?? []);
}

/**
 * The tickets of the rule's priorities unresolved at `at` that have waited the rule's
 * hours and not fired yet. Each fires once (its key): one that did is not read again
 * every night, however long it stays open.
 */
async function ageingTickets(db: Db, rules: AlertRules, at: Date): Promise<Trigger[]> {
  const rule = rules.rules.ticket;
  if (!rule) return [];
  const waited = new Date(at.getTime() - rule.unresolved_hours * 3_600_000);
  const due = await db.$queryRaw<{ id: unknown }[]>(
    Prisma.sql`SELECT t.id FROM tickets t
      WHERE t.priority IN (${Prisma.join(rule.priorities)}) AND t.opened_at <= ${waited}
        AND ((t.resolved_at IS NULL AND t.status IN ('open', 'pending')) OR t.resolved_at > ${at})
        AND NOT EXISTS (SELECT 1 FROM recovery_cases c JOIN case_events e ON e.case_id = c.id
          WHERE c.account_id = t.account_id AND c.reason = 'ticket'
            AND e.idempotency_key = CAST(${TICKET_KEY} AS text) || t.id)`,
  );
  const triggers: Trigger[] = [];
  for (let i = 0; i < due.length; i += CHUNK) {
    const rows = await db.ticket.findMany({
      where: { id: { in: due.slice(i, i + CHUNK).map((t) => Number(t.id)) } },
      select: {
        id: true,
        accountId: true,
        priority: true,
        status: true,
        subject: true,
        openedAt: true,
        resolvedAt: true,
      },
    });
    triggers.push(...rows.flatMap((r) => signalTrigger(rules, { kind: 'ticket', ...r }, at) ?? []));
  }
  return triggers;
}
