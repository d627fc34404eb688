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

/**
 * A window of a usage metric's days, in whole days before the end of the scored day:
 * the days after `since` days before it, up to `until` days before it (0: the scored
 * day itself). `since` Infinity: all history.
 */
export interface UsageWindow {
  metric: string;
  since: number;
  until: number;
}

/** A usage metric's days within a window: how many had a value, their sum, the newest day. */
export interface UsageSummary {
  days: number;
  sum: number;
  newest: number | null;
}

/**
 * What the engine reads of usage, the largest source by far: aggregates over windows
 * (the health model names them; see usageWindows), never the days one by one, so that
 * storage can aggregate them where they are. `end` is the end of the scored day.
 */
export interface UsageHistory {
  summary(window: UsageWindow, end: number): UsageSummary;
  /** The newest day of the window with a value, or null. */
  latest(window: UsageWindow, end: number): UsagePoint | null;
}

/** Where a window starts and ends (start exclusive, end inclusive), epoch ms. */
export function windowBounds(w: UsageWindow, end: number): { from: number; to: number } {
  return { from: end - w.since * DAY_MS, to: end - w.until * DAY_MS };
}

/** Usage history from the days themselves (metric -> points): for tests and small inputs. */
export function usageFromPoints(byMetric: ReadonlyMap<string, readonly UsagePoint[]>): UsageHistory {
  const within = (w: UsageWindow, end: number) => {
    const { from, to } = windowBounds(w, end);
    return (byMetric.get(w.metric) ?? []).filter((p) => p.day > from && p.day <= to);
  };
  const newestOf = (points: readonly UsagePoint[]) =>
    points.reduce<UsagePoint | null>((best, p) => (!best || p.day >= best.day ? p : best), null);
  return {
    summary(w, end) {
      const points = within(w, end);
      return {
        days: points.length,
        sum: points.reduce((s, p) => s + p.value, 0),
        newest: newestOf(points)?.day ?? null,
      };
    },
    latest: (w, end) => newestOf(within(w, end)),
  };
}

export interface AccountSignals {
  usage: UsageHistory;
  tickets: TicketSignal[];
  surveys: SurveySignal[];
  notes: NoteSignal[];
  events: EventSignal[];
  /** CRM field -> numeric history in time order */
  crm: Map<string, CrmPoint[]>;
}

export const emptySignals = (usage: UsageHistory = usageFromPoints(new Map())): AccountSignals => ({
  usage,
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
