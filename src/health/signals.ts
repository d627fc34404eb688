// What the scoring engine is given about one account: its facts and its signals, as
// plain data (times as epoch milliseconds, lists in time order). The storage layer
// fills these; the engine never reads a database or a clock.

export interface AccountFacts {
  id: number;
  externalId: string;
  name: string;
  segment: string | null;
  lifecycleStage: string | null;
  industry: string | null;
  plan: string | null;
  arr: number | null;
  seatsPurchased: number | null;
  renewalDate: number | null;
  contractStart: number | null;
}

/** One day's value of a usage metric; `day` is the UTC midnight of the day. */
export interface UsagePoint {
  day: number;
  value: number;
}

export interface TicketSignal {
  openedAt: number;
  resolvedAt: number | null;
  status: string;
  priority: string;
}

export interface SurveySignal {
  kind: 'nps' | 'csat';
  score: number;
  at: number;
}

export interface NoteSignal {
  /** positive 1, neutral 0, negative -1 */
  sentiment: number;
  at: number;
}

export interface EventSignal {
  at: number;
  event: string;
  user: string | null;
}

export interface CrmPoint {
  at: number;
  value: number;
}

export interface AccountSignals {
  /** metric -> points in day order */
  usage: Map<string, UsagePoint[]>;
  tickets: TicketSignal[];
  surveys: SurveySignal[];
  notes: NoteSignal[];
  events: EventSignal[];
  /** CRM field -> numeric history in time order */
  crm: Map<string, CrmPoint[]>;
}

export const emptySignals = (): AccountSignals => ({
  usage: new Map(),
  tickets: [],
  surveys: [],
  notes: [],
  events: [],
  crm: new Map(),
});

export const DAY_MS = 86_400_000;

/** Scoring "as of" a date means through the end of that UTC day. */
export function endOfDay(day: number): number {
  return day + DAY_MS - 1;
}

export function utcDay(date: Date | number): number {
  const t = typeof date === 'number' ? date : date.getTime();
  return t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
}
