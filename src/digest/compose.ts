// Owns what a digest says: from the filtered book's figures on the scored day, the day
// the channel's last digest showed, the open cases nobody owns (when given), the day
// the scores should be of and the latest completed scoring run, the Digest a channel
// reads: the headline figures and their change, accounts at risk by value tier,
// accounts that dropped since the last digest, referral-ready accounts (newly ready
// first) each with a suggested ask, renewals in the next 90 days with weak scores, and
// cases waiting for an owner; each list with how many it holds in all; whether the
// scores are older than they should be (tonight's run failed) and whether the digest
// is late. Pure: data in, a Digest out; no database, no Slack, no clock.
import type { DigestBook, ReadyAccount } from '../storage/digests.ts';
import type { AccountRef, Mover, Portfolio } from '../storage/portfolio.ts';
import { describeFilters, type DigestFilters, type DigestSection } from './subscription.ts';

const DAY_MS = 86_400_000;

/** A fall of the Health Index by at least this many points since the last digest is a line of "dropped". */
export const DROPPED_POINTS = 5;

/** An open recovery case that nobody owns yet (recovery cases provide them). */
export interface WaitingCase {
  id: number;
  account: AccountRef;
  /** What opened it, in words. */
  reason: string;
  openedAt: Date;
}

export type AtRiskAccount = Portfolio['atRisk'][number];
export type RenewalAccount = Portfolio['renewalsAtRisk'][number];
export type ReferralSuggestion = ReadyAccount & { ask: string };

/** A list of a digest: the first accounts, and how many it holds in all. */
export interface DigestList<T> {
  items: T[];
  total: number;
}

export interface ComposeInput {
  subscription: { filters: DigestFilters; sections: readonly DigestSection[]; timeZone: string };
  /** The filtered book on the latest completed run's day; null before any scoring. */
  book: DigestBook | null;
  /** The day changes are counted from: what the channel's last digest showed. */
  since: Date;
  /** Open cases without an owner, when recovery cases are there to give them. */
  casesWaiting?: DigestList<WaitingCase>;
  /** The scored day the digest should show (the one tonight's scoring run scores). */
  expectedDay: Date;
  /** The latest completed scoring run; null before any. */
  latestRun: { day: Date } | null;
  /** The scheduled slot; null for a preview. */
  slot: { at: Date; late: boolean } | null;
  now: Date;
}

export interface Digest {
  /** The scored day shown; null before any scoring. */
  day: Date | null;
  /** The day the scores should be of, when they are older (its run failed or has not finished). */
  staleSince: Date | null;
  since: Date;
  filters: DigestFilters;
  /** The filters in words; null: the whole book. */
  filterText: string | null;
  slot: { at: Date; timeZone: string; late: boolean } | null;
  /** When it was composed. */
  composedAt: Date;
  portfolio: Portfolio | null;
  /** Change of the average Health Index since `since`; null without both figures. */
  averageChange: number | null;
  /** The sections shown, each null when not asked for. */
  atRisk: DigestList<AtRiskAccount> | null;
  dropped: DigestList<Mover> | null;
  referrals: DigestList<ReferralSuggestion> | null;
  renewals: DigestList<RenewalAccount> | null;
  cases: DigestList<WaitingCase> | null;
  charts: boolean;
}

/**
 * The day changes are counted from: the day the channel's last digest showed, else the
 * day its previous slot would have shown, else (either is not before `day`) the day before.
 */
export function referenceDay(day: Date, lastShown: Date | null, previousSlotDay: Date | null): Date {
  for (const d of [lastShown, previousSlotDay]) if (d && d < day) return d;
  return new Date(day.getTime() - DAY_MS);
}

/** What to ask a referral-ready account for: the readier and the larger, the bigger the ask. */
export function suggestedAsk(a: Pick<ReadyAccount, 'referralScore' | 'arr' | 'segment'>): string {
  const large = (a.arr ?? 0) >= 100_000 || a.segment === 'enterprise';
  if (a.referralScore >= 85) return large ? 'a case study or a reference call' : 'an introduction to a peer';
  return large ? 'a reference call with a prospect' : 'a review on G2 or Capterra';
}

export function composeDigest(input: ComposeInput): Digest {
  const { book, subscription: sub } = input;
  const p = book?.portfolio ?? null;
  const day = p?.day ?? input.latestRun?.day ?? null;
  const wants = (s: DigestSection) => sub.sections.includes(s);
  const list = <T>(s: DigestSection, items: T[] | undefined, total: number): DigestList<T> | null =>
    wants(s) && book ? { items: items ?? [], total } : null;
  const dropped = p?.movers.drops.filter((m) => m.from - m.to >= DROPPED_POINTS);
  return {
    day,
    staleSince: day && day < input.expectedDay ? input.expectedDay : null,
    since: input.since,
    filters: sub.filters,
    filterText: describeFilters(sub.filters),
    slot: input.slot ? { ...input.slot, timeZone: sub.timeZone } : null,
    composedAt: input.now,
    portfolio: p,
    averageChange:
      typeof p?.averageIndex === 'number' && typeof book?.averageBefore === 'number'
        ? p.averageIndex - book.averageBefore
        : null,
    atRisk: list('at-risk', p?.atRisk, book?.totals.atRisk ?? 0),
    dropped: list('dropped', dropped, book?.totals.dropped ?? 0),
    referrals: list(
      'referrals',
      book?.referralReady.map((a) => ({ ...a, ask: suggestedAsk(a) })),
      book?.totals.referralReady ?? 0,
    ),
    renewals: list('renewals', p?.renewalsAtRisk, book?.totals.renewalsAtRisk ?? 0),
    cases: wants('cases') && input.casesWaiting ? input.casesWaiting : null,
    charts: wants('charts'),
  };
}
