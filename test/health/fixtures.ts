// Builders for the Health Index tests: the scoring day, accounts, signals, small models
// written as YAML, and measured accounts whose raw values are given by hand.
import { parse as parseYaml } from 'yaml';

import type { MeasuredAccount, RawMeasure, SignalFindings } from '../../src/health/measures.ts';
import { parseModelText, type HealthModel } from '../../src/health/model.ts';
import type { History } from '../../src/health/score.ts';
import {
  DAY_MS,
  type AccountFacts,
  type AccountSignals,
  type CrmPoint,
  type EventSignal,
  type NoteSignal,
  type SurveySignal,
  type TicketSignal,
  type UsagePoint,
  usageFromPoints,
} from '../../src/health/signals.ts';

export { DAY_MS };
export const HOUR_MS = 3_600_000;

/** The day being scored: Wednesday 4 March 2026, UTC midnight. Scoring covers through its end. */
export const TODAY = Date.UTC(2026, 2, 4);
/** The last millisecond the scoring of TODAY sees. */
export const END_OF_TODAY = TODAY + DAY_MS - 1;

/** Midnight `n` days before TODAY (negative: after), plus `hours`. */
export const daysAgo = (n: number, hours = 0): number => TODAY - n * DAY_MS + hours * HOUR_MS;

export function account(facts: Partial<AccountFacts> = {}): AccountFacts {
  return {
    id: 1,
    externalId: 'acme',
    name: 'Acme',
    segment: null,
    lifecycleStage: null,
    industry: null,
    plan: null,
    arr: null,
    seatsPurchased: null,
    renewalDate: null,
    contractStart: null,
    ...facts,
  };
}

export interface SignalParts {
  usage?: Record<string, UsagePoint[]>;
  tickets?: TicketSignal[];
  surveys?: SurveySignal[];
  notes?: NoteSignal[];
  events?: EventSignal[];
  crm?: Record<string, CrmPoint[]>;
}

export function signals(parts: SignalParts = {}): AccountSignals {
  return {
    usage: usageFromPoints(new Map(Object.entries(parts.usage ?? {}))),
    tickets: parts.tickets ?? [],
    surveys: parts.surveys ?? [],
    notes: parts.notes ?? [],
    events: parts.events ?? [],
    crm: new Map(Object.entries(parts.crm ?? {})),
  };
}

/** One usage point a day from `fromDaysAgo` down to `toDaysAgo` (both included), in day order. */
export function daily(
  fromDaysAgo: number,
  toDaysAgo: number,
  value: number | ((day: number, daysAgo: number) => number),
): UsagePoint[] {
  const points: UsagePoint[] = [];
  for (let n = fromDaysAgo; n >= toDaysAgo; n--) {
    const day = daysAgo(n);
    points.push({ day, value: typeof value === 'number' ? value : value(day, n) });
  }
  return points;
}

export const isWeekend = (day: number): boolean => [0, 6].includes(new Date(day).getUTCDay());

export function ticket(
  priority: string,
  openedAt: number,
  resolution: { resolvedAt?: number | null; status?: string } = {},
): TicketSignal {
  const resolvedAt = resolution.resolvedAt ?? null;
  return {
    priority,
    openedAt,
    resolvedAt,
    status: resolution.status ?? (resolvedAt === null ? 'open' : 'resolved'),
  };
}

export const nps = (score: number, at: number): SurveySignal => ({ kind: 'nps', score, at });
export const csat = (score: number, at: number): SurveySignal => ({ kind: 'csat', score, at });

/** Removes the indentation common to all lines, so YAML can sit indented inside a test. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/**
 * The sections every model needs, with the default model's settings written out here
 * so the tests' arithmetic does not move when someone tunes the default model.
 */
const standardSections = (engagement: string) => `
version: test-1
bands:
  grade:
    - { label: A, from: 80, to: 100 }
    - { label: B, from: 65, to: 80 }
    - { label: C, from: 45, to: 65 }
    - { label: D, from: 0, to: 45 }
  colour:
    - { label: green, from: 70, to: 100 }
    - { label: yellow, from: 45, to: 70 }
    - { label: red, from: 0, to: 45 }
  risk:
    - { label: low, from: 75, to: 100 }
    - { label: medium, from: 55, to: 75 }
    - { label: high, from: 35, to: 55 }
    - { label: critical, from: 0, to: 35 }
value_tiers:
  risk_weights: { low: 0.05, medium: 0.25, high: 0.6, critical: 1 }
  thresholds: [100000, 25000, 5000]
leading_indicators:
  usage_decline: { signal: usage.active_users, window: 14, baseline: 28, fall_pct: 15 }
  tickets_ageing: { priority: [P1, P2], older_than_hours: 72 }
  sentiment_negative: { nps_at_most: 6, within: 90 }
  renewal_weak: { within: 90, index_below: 65 }
referral:
  threshold: 70
  weights: { promoter: 40, health: 30, stability: 15, engagement: 15 }
  nps_within: 180
  promoter: [{ min: 9, score: 100 }, { min: 7, score: 40 }, { score: 0 }]
  health: [60, 90]
  stability: { days: 30, swing: [5, 20] }
  engagement_measure: ${engagement}
  blocking_priorities: [P1, P2]
`;

/**
 * A model from YAML holding `measures`, `components` and optionally `segments` and
 * `drops`; the other sections are the standard ones above. The referral's engagement
 * measure is the first measure with a normalise unless named.
 */
export function smallModel(body: string, engagement?: string): HealthModel {
  const text = dedent(body);
  const measures = (parseYaml(text) as { measures: Record<string, { normalise?: unknown }> }).measures;
  const first = Object.keys(measures).find((m) => measures[m]!.normalise)!;
  return parseModelText(`${text}\n${standardSections(engagement ?? first)}`, 'small-model.yaml');
}

export const NO_FINDINGS: SignalFindings = {
  usageDrops: {},
  usageDeclinePct: null,
  ageingTickets: 0,
  openBlockingTickets: 0,
  recentNps: null,
  negativeSentiment: null,
};

export const NO_HISTORY: History = { indexByDay: [], previous: null };

/** A measured account with raw values given by hand (a number, or a whole RawMeasure); unnamed measures have no data. */
export function measured(
  raw: Record<string, number | null | Partial<RawMeasure>>,
  options: { account?: AccountFacts; findings?: Partial<SignalFindings>; day?: number } = {},
): MeasuredAccount {
  return {
    account: options.account ?? account(),
    day: options.day ?? TODAY,
    raw: Object.fromEntries(
      Object.entries(raw).map(([name, v]) => [
        name,
        v === null || typeof v === 'number'
          ? { value: v, observedAt: null, stale: false }
          : { value: null, observedAt: null, stale: false, ...v },
      ]),
    ),
    findings: { ...NO_FINDINGS, ...options.findings },
  };
}
