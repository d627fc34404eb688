// The alert rules applied to what Canary learns: after scoring, an account's snapshot
// of the day against its previous one (a drop, entry into a risk tier, a renewal with a
// weak score); as signals arrive, an NPS answer or a ticket. Each firing is a trigger:
// the account, the reason (the rule), what happened in plain words, and a key naming
// the firing, so that the same firing seen twice (a re-run, a re-import) adds nothing.
import { isOpenAt } from '../health/measures.ts';
import { RISK_TIERS, type RiskTier } from '../health/model.ts';
import type { Drop } from '../health/score.ts';
import type { AlertRules, Reason } from './rules.ts';

export interface Trigger {
  accountId: number;
  reason: Reason;
  /** Names this firing: unique per account and reason. */
  key: string;
  /** What happened, in plain words (user text inside it is not escaped). */
  summary: string;
}

/** What the rules read of an account's snapshot of a day. */
export interface ScoredDay {
  accountId: number;
  /** The scored day (UTC midnight). */
  day: Date;
  healthIndex: number | null;
  riskTier: RiskTier | null;
  drops: readonly Drop[];
  /** The account's renewal date, if on file. */
  renewalDate: Date | null;
  /** The risk tier of the account's latest snapshot before this day; null: none, or unscored. */
  previousRiskTier: RiskTier | null;
}

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const rank = (tier: RiskTier) => RISK_TIERS.indexOf(tier);

/** The triggers of one account's scored day. */
export function snapshotTriggers(rules: AlertRules, s: ScoredDay): Trigger[] {
  const out: Trigger[] = [];
  const day = isoDay(s.day);
  const fire = (reason: Reason, key: string, summary: string) =>
    out.push({ accountId: s.accountId, reason, key: `${reason}:${key}`, summary });
  const { drop, risk_tier: tiers, renewal } = rules.rules;

  if (drop && s.drops.length) fire('drop', day, s.drops.map((d) => `${d.label}: ${d.detail}`).join('; '));

  // Entry: into a watched tier from outside them, or into a worse watched tier.
  if (tiers && s.riskTier && tiers.tiers.includes(s.riskTier)) {
    const before = s.previousRiskTier;
    const entered = before === null || !tiers.tiers.includes(before) || rank(s.riskTier) > rank(before);
    if (entered)
      fire(
        'risk_tier',
        day,
        `Entered ${s.riskTier} risk${before ? ` from ${before}` : ''}, Health Index ${s.healthIndex}`,
      );
  }

  if (renewal && s.renewalDate && s.healthIndex !== null && s.healthIndex < renewal.index_below) {
    const daysLeft = Math.round((s.renewalDate.getTime() - s.day.getTime()) / DAY_MS);
    // Once per renewal date: a weak score every day until then is the same finding.
    if (daysLeft >= 0 && daysLeft <= renewal.within_days)
      fire(
        'renewal',
        isoDay(s.renewalDate),
        `Renewal in ${daysLeft} days (${isoDay(s.renewalDate)}) with a Health Index of ${s.healthIndex}, below ${renewal.index_below}`,
      );
  }
  return out;
}

export type Signal =
  | {
      kind: 'survey';
      id: number;
      accountId: number;
      survey: string;
      score: number;
      respondent: string | null;
      comment: string | null;
    }
  | {
      kind: 'ticket';
      id: number;
      accountId: number;
      priority: string;
      status: string;
      subject: string | null;
      openedAt: Date;
      resolvedAt: Date | null;
    };

/** Whether a ticket is unresolved at a time, as the health model's measures count it. */
export const ticketOpenAt = (
  t: { status: string; openedAt: Date; resolvedAt: Date | null },
  at: Date,
): boolean =>
  isOpenAt(
    { openedAt: t.openedAt.getTime(), resolvedAt: t.resolvedAt?.getTime() ?? null, status: t.status },
    at.getTime(),
  );

const COMMENT_IN_SUMMARY = 300;

/** What a ticket's trigger key is, before the ticket's id. */
export const TICKET_KEY = 'ticket:ticket-';

/** The trigger of a signal at `now`: a detractor's NPS answer, or a ticket unresolved too long. */
export function signalTrigger(rules: AlertRules, signal: Signal, now: Date): Trigger | null {
  if (signal.kind === 'survey') {
    const rule = rules.rules.detractor;
    if (!rule || signal.survey !== 'nps' || signal.score > rule.nps_at_most) return null;
    const who = signal.respondent ?? 'a respondent';
    const comment = signal.comment?.trim() ? `: "${signal.comment.trim().slice(0, COMMENT_IN_SUMMARY)}"` : '';
    return {
      accountId: signal.accountId,
      reason: 'detractor',
      key: `detractor:survey-${signal.id}`,
      summary: `NPS ${signal.score} from ${who}${comment}`,
    };
  }
  const rule = rules.rules.ticket;
  if (!rule || !(rule.priorities as readonly string[]).includes(signal.priority)) return null;
  if (!ticketOpenAt(signal, now)) return null;
  const hours = (now.getTime() - signal.openedAt.getTime()) / 3_600_000;
  if (hours < rule.unresolved_hours) return null;
  return {
    accountId: signal.accountId,
    reason: 'ticket',
    key: `${TICKET_KEY}${signal.id}`,
    summary: `${signal.priority} ticket unresolved for ${Math.floor(hours)} h${signal.subject?.trim() ? `: ${signal.subject.trim()}` : ''}`,
  };
}
