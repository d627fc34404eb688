// Pass one of scoring: every measure's raw value for one account as of a day, with
// when its newest observation was (for staleness), plus the facts drops, leading
// indicators and referral readiness need from the signals. Pure and deterministic.
import { perObject } from '../lib/memo.ts';
import type { HealthModel, MeasureSpec } from './model.ts';
import {
  DAY_MS,
  endOfDay,
  type AccountFacts,
  type AccountSignals,
  type UsageHistory,
  type UsageWindow,
} from './signals.ts';

/** A measure's raw value; `value` null means no data (left out, never zero). */
export interface RawMeasure {
  value: number | null;
  /** Newest observation used, epoch ms; null for facts without a time. */
  observedAt: number | null;
  stale: boolean;
}

export interface SignalFindings {
  /** Usage drop rules that fired: rule name -> % fall. */
  usageDrops: Record<string, number>;
  usageDeclinePct: number | null;
  ageingTickets: number;
  openBlockingTickets: number;
  /** NPS answers within the referral's window: their average and how many. */
  recentNps: { average: number; answers: number } | null;
  negativeSentiment: string | null;
}

export interface MeasuredAccount {
  account: AccountFacts;
  day: number;
  raw: Record<string, RawMeasure>;
  findings: SignalFindings;
}

interface Observation {
  at: number;
  value: number;
  key?: string | null;
}

const OPEN_STATUSES = new Set(['open', 'pending']);

/** Whether a ticket is open at a time: opened by then, and not resolved by then (or, without a resolution time, open or pending). */
export function isOpenAt(
  t: { openedAt: number; resolvedAt: number | null; status: string },
  at: number,
): boolean {
  if (t.openedAt > at) return false;
  return t.resolvedAt === null ? OPEN_STATUSES.has(t.status) : t.resolvedAt > at;
}

/** A trend's or a fall's two windows: the recent `window` days, and the `baseline` days ending `gap` days before them. */
function recentAndBaseline(
  metric: string,
  { window, baseline, gap = 0 }: { window: number; baseline: number; gap?: number },
): [UsageWindow, UsageWindow] {
  return [
    { metric, since: window, until: 0 },
    { metric, since: window + gap + baseline, until: window + gap },
  ];
}

/** The usage windows a measure of usage reads (its aggregate's). */
const measureUsageWindows = perObject((spec: MeasureSpec): UsageWindow[] => {
  const metric = spec.signal!.slice(6);
  if (spec.aggregate === 'trend')
    return recentAndBaseline(metric, { ...spec, window: spec.window!, baseline: spec.baseline! });
  if (spec.aggregate === 'days_since') return [{ metric, since: Infinity, until: 0 }];
  return [{ metric, since: spec.window ?? Infinity, until: 0 }];
});

interface UsageRule {
  /** The drop rule's name; null for the usage decline (a leading indicator). */
  drop: string | null;
  fallPct: number;
  windows: [UsageWindow, UsageWindow];
}

/** The rules that watch a fall of usage, with their windows: the drop rules (by name) and the usage decline (null). */
const usageRules = perObject((model: HealthModel): UsageRule[] => {
  const decline = model.leading_indicators.usage_decline;
  const rule = (drop: string | null, r: typeof decline): UsageRule => ({
    drop,
    fallPct: r.fall_pct,
    windows: recentAndBaseline(r.signal.slice(6), r),
  });
  return [...model.drops.flatMap((r) => ('signal' in r ? [rule(r.name, r)] : [])), rule(null, decline)];
});

/** A usage window the model reads, and what of it: its summary (days, sum, newest day), its newest value, or both. */
export type ReadWindow = UsageWindow & { summary: boolean; latest: boolean };

/** Every usage window the model reads, each once: what storage aggregates for each account. */
export function usageWindows(model: HealthModel): ReadWindow[] {
  const windows = new Map<string, ReadWindow>();
  const add = (w: UsageWindow, latest: boolean) => {
    const key = usageWindowKey(w);
    const known = windows.get(key);
    windows.set(key, {
      ...w,
      summary: !latest || (known?.summary ?? false),
      latest: latest || (known?.latest ?? false),
    });
  };
  for (const spec of Object.values(model.measures)) {
    if (!spec.signal?.startsWith('usage.')) continue;
    for (const w of measureUsageWindows(spec)) add(w, spec.aggregate === 'latest');
  }
  for (const { windows: pair } of usageRules(model)) for (const w of pair) add(w, false);
  return [...windows.values()];
}

/** A window's identity as text; kept per window object, since storage looks windows up for every account. */
export const usageWindowKey = perObject((w: UsageWindow) => `${w.metric}|${w.since}|${w.until}`);

const prioritiesOf = perObject((priorities: string[]) => new Set(priorities));

/** The observations a measure's signal (any but usage) offers up to `end` (inclusive). */
function observations(
  spec: MeasureSpec,
  account: AccountFacts,
  signals: AccountSignals,
  end: number,
): Observation[] {
  const signal = spec.signal!;
  if (signal === 'tickets') {
    const priorities = spec.where?.priority ? prioritiesOf(spec.where.priority) : null;
    const tickets = signals.tickets.filter(
      (t) => (!priorities || priorities.has(t.priority)) && t.openedAt <= end,
    );
    if (spec.where?.open)
      return tickets.filter((t) => isOpenAt(t, end)).map((t) => ({ at: t.openedAt, value: 1 }));
    if (spec.value === 'resolution_hours') {
      return tickets
        .filter((t) => t.resolvedAt !== null && t.resolvedAt <= end)
        .map((t) => ({ at: t.openedAt, value: (t.resolvedAt! - t.openedAt) / 3_600_000 }));
    }
    return tickets.map((t) => ({ at: t.openedAt, value: 1 }));
  }
  if (signal === 'surveys.nps' || signal === 'surveys.csat') {
    const kind = signal.slice(8);
    return signals.surveys
      .filter((s) => s.kind === kind && s.at <= end)
      .map((s) => ({ at: s.at, value: s.score }));
  }
  if (signal === 'notes')
    return signals.notes.filter((n) => n.at <= end).map((n) => ({ at: n.at, value: n.sentiment }));
  if (signal.startsWith('events')) {
    const name = signal.length > 6 ? signal.slice(7) : null;
    return signals.events
      .filter((e) => e.at <= end && (name === null || e.event === name))
      .map((e) => ({ at: e.at, value: 1, key: spec.field === 'user' ? e.user : e.event }));
  }
  if (signal.startsWith('crm.'))
    return (signals.crm.get(signal.slice(4)) ?? [])
      .filter((p) => p.at <= end)
      .map((p) => ({ at: p.at, value: p.value }));
  // account.<field>: a current fact, without a time
  const field = signal.slice(8);
  const value =
    field === 'renewal_date'
      ? account.renewalDate
      : field === 'contract_start'
        ? account.contractStart
        : field === 'seats_purchased'
          ? account.seatsPurchased
          : account.arr;
  return value === null ? [] : [{ at: Number.NaN, value }];
}

const inWindow = (obs: Observation[], from: number, to: number) =>
  obs.filter((o) => o.at > from && o.at <= to);
const average = (obs: Observation[]) =>
  obs.length ? obs.reduce((s, o) => s + o.value, 0) / obs.length : null;
const newest = (obs: Observation[]) =>
  obs.reduce<Observation | null>((best, o) => (!best || o.at >= best.at ? o : best), null);

/** % change from `before` to `now`; from nothing to something counts as +100%. */
function percentChange(now: number, before: number): number {
  if (before === 0) return now === 0 ? 0 : 100;
  return ((now - before) / Math.abs(before)) * 100;
}

type Evaluated = { value: number | null; observedAt: number | null };

const averageOf = (s: { days: number; sum: number }) => (s.days ? s.sum / s.days : null);

/** A usage measure, from the aggregates of its windows. */
function evaluateUsage(spec: MeasureSpec, usage: UsageHistory, end: number): Evaluated {
  const windows = measureUsageWindows(spec);
  switch (spec.aggregate) {
    case 'latest': {
      const last = usage.latest(windows[0]!, end);
      return { value: last?.value ?? null, observedAt: last?.day ?? null };
    }
    case 'sum':
    case 'average':
    case 'count': {
      const s = usage.summary(windows[0]!, end);
      if (spec.aggregate === 'count') return { value: s.days, observedAt: s.newest };
      if (!s.days) return { value: null, observedAt: null };
      return { value: spec.aggregate === 'sum' ? s.sum : s.sum / s.days, observedAt: s.newest };
    }
    case 'trend': {
      const [current, base] = windows.map((w) => usage.summary(w, end));
      const [a, b] = [averageOf(current!), averageOf(base!)];
      if (a === null || b === null) return { value: null, observedAt: null };
      return { value: percentChange(a, b), observedAt: current!.newest };
    }
    case 'days_since': {
      const newestDay = usage.summary(windows[0]!, end).newest;
      return { value: newestDay === null ? null : Math.floor((end - newestDay) / DAY_MS), observedAt: null };
    }
    default:
      // The model's checks allow no other aggregate of usage (distinct counts events).
      return { value: null, observedAt: null };
  }
}

function evaluate(spec: MeasureSpec, account: AccountFacts, signals: AccountSignals, day: number): Evaluated {
  const end = endOfDay(day);
  if (spec.signal?.startsWith('usage.')) return evaluateUsage(spec, signals.usage, end);
  const obs = observations(spec, account, signals, end);
  const windowStart = spec.window ? end - spec.window * DAY_MS : Number.NEGATIVE_INFINITY;
  const isFact = spec.signal?.startsWith('account.');
  switch (spec.aggregate) {
    case 'latest': {
      const last = isFact ? (obs[0] ?? null) : newest(inWindow(obs, windowStart, end));
      return { value: last?.value ?? null, observedAt: last && !isFact ? last.at : null };
    }
    case 'sum':
    case 'average':
    case 'count':
    case 'distinct': {
      const win = spec.where?.open ? obs : inWindow(obs, windowStart, end);
      const last = newest(win);
      const observedAt = last?.at ?? null;
      if (spec.aggregate === 'count') return { value: win.length, observedAt };
      if (spec.aggregate === 'distinct')
        return { value: new Set(win.map((o) => o.key).filter((k) => k != null)).size, observedAt };
      if (!win.length) return { value: null, observedAt: null };
      return {
        value: spec.aggregate === 'sum' ? win.reduce((s, o) => s + o.value, 0) : average(win),
        observedAt,
      };
    }
    case 'trend': {
      const split = end - spec.window! * DAY_MS;
      // The baseline ends `gap` days before the recent window (default: right before it).
      const baseEnd = split - (spec.gap ?? 0) * DAY_MS;
      const baseStart = baseEnd - spec.baseline! * DAY_MS;
      if (spec.signal?.startsWith('crm.')) {
        // Facts are sparse: compare the value in force now with the one in force at the split.
        const now = newest(obs);
        const then = newest(obs.filter((o) => o.at <= split));
        if (!now || !then) return { value: null, observedAt: null };
        return { value: percentChange(now.value, then.value), observedAt: now.at };
      }
      const current = inWindow(obs, split, end);
      const base = inWindow(obs, baseStart, baseEnd);
      if (spec.signal === 'tickets' || spec.signal?.startsWith('events')) {
        // Volumes: tickets (or events) per day in each window, zero when there were none.
        return {
          value: percentChange(current.length / spec.window!, base.length / spec.baseline!),
          observedAt: newest(current)?.at ?? null,
        };
      }
      const [a, b] = [average(current), average(base)];
      if (a === null || b === null) return { value: null, observedAt: null };
      return { value: percentChange(a, b), observedAt: newest(current)!.at };
    }
    case 'days_since': {
      // A fact's value is its date; other signals count from their newest observation. Whole
      // days to the end of the scoring day: earlier today is 0, any time yesterday is 1.
      const since = isFact ? obs[0]?.value : newest(obs)?.at;
      return { value: since === undefined ? null : Math.floor((end - since) / DAY_MS), observedAt: null };
    }
    case 'days_until': {
      const date = obs[0];
      return { value: date ? Math.round((date.value - day) / DAY_MS) : null, observedAt: null };
    }
    case 'ratio':
      throw new Error('ratios are computed from other measures');
  }
}

/**
 * A usage metric's average over the last `window` days against its average over the
 * `baseline` days that end `gap` days before that window, as a % fall (positive =
 * fell). The gap lets a fall that took two weeks be measured from where it started.
 */
function usageFall(usage: UsageHistory, windows: [UsageWindow, UsageWindow], end: number): number | null {
  const [a, b] = windows.map((w) => averageOf(usage.summary(w, end)));
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return -percentChange(a, b);
}

/**
 * A raw value as scoring keeps it: six decimals. Every snapshot stores its raw values
 * and ranks the book by them; digits past these describe floating-point noise, not the
 * account, and cost every row that holds them.
 */
const kept = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);

/** The model's measures read from signals, and the ratios computed from them after. */
const measuresByKind = perObject((model: HealthModel) => {
  const all = Object.entries(model.measures);
  return {
    direct: all.filter(([, s]) => s.aggregate !== 'ratio'),
    ratios: all.filter(([, s]) => s.aggregate === 'ratio'),
  };
});

/** The ticket priorities the leading indicators and the referral rule look for. */
const findingSets = perObject((model: HealthModel) => ({
  ageingPriorities: new Set<string>(model.leading_indicators.tickets_ageing.priority),
  blocking: new Set<string>(model.referral.blocking_priorities),
}));

export function measureAccount(
  model: HealthModel,
  account: AccountFacts,
  signals: AccountSignals,
  day: number,
): MeasuredAccount {
  const raw: Record<string, RawMeasure> = {};
  const end = endOfDay(day);
  const stale = (spec: MeasureSpec, observedAt: number | null) =>
    spec.stale_after !== undefined && observedAt !== null && observedAt < end - spec.stale_after * DAY_MS;
  const { direct, ratios } = measuresByKind(model);
  for (const [name, spec] of direct) {
    const { value, observedAt } = evaluate(spec, account, signals, day);
    raw[name] = { value: kept(value), observedAt, stale: value !== null && stale(spec, observedAt) };
  }
  for (const [name, spec] of ratios) {
    const [n, d] = spec.of!.map((m) => raw[m]!);
    const value = n!.value !== null && d!.value !== null && d!.value !== 0 ? kept(n!.value / d!.value) : null;
    const times = [n!.observedAt, d!.observedAt].filter((t): t is number => t !== null);
    raw[name] = {
      value,
      observedAt: times.length ? Math.min(...times) : null,
      stale: value !== null && (n!.stale || d!.stale),
    };
  }

  const usageDrops: Record<string, number> = {};
  let usageDeclinePct: number | null = null;
  for (const { drop, fallPct, windows } of usageRules(model)) {
    const fall = usageFall(signals.usage, windows, end);
    if (drop === null) usageDeclinePct = fall;
    else if (fall !== null && fall >= fallPct) usageDrops[drop] = fall;
  }
  const li = model.leading_indicators;
  const ageLimit = end - li.tickets_ageing.older_than_hours * 3_600_000;
  const { ageingPriorities, blocking } = findingSets(model);
  let ageingTickets = 0;
  let openBlockingTickets = 0;
  for (const t of signals.tickets) {
    if (!isOpenAt(t, end)) continue;
    if (ageingPriorities.has(t.priority) && t.openedAt < ageLimit) ageingTickets++;
    if (blocking.has(t.priority)) openBlockingTickets++;
  }
  const recentFrom = end - model.referral.nps_within * DAY_MS;
  let recentSum = 0;
  let recentAnswers = 0;
  let lastNps: (typeof signals.surveys)[number] | null = null;
  for (const s of signals.surveys) {
    if (s.kind !== 'nps' || s.at > end) continue;
    if (s.at > recentFrom) {
      recentSum += s.score;
      recentAnswers++;
    }
    if (!lastNps || s.at >= lastNps.at) lastNps = s;
  }
  const sentimentFrom = end - li.sentiment_negative.within * DAY_MS;
  let lastNote: (typeof signals.notes)[number] | null = null;
  for (const n of signals.notes) {
    if (n.at <= end && n.at > sentimentFrom && (!lastNote || n.at >= lastNote.at)) lastNote = n;
  }
  let negativeSentiment: string | null = null;
  if (lastNps && lastNps.at > sentimentFrom && lastNps.score <= li.sentiment_negative.nps_at_most)
    negativeSentiment = `latest NPS ${lastNps.score}`;
  else if (lastNote && lastNote.sentiment < 0) negativeSentiment = 'latest CSM note negative';

  return {
    account,
    day,
    raw,
    findings: {
      usageDrops,
      usageDeclinePct,
      ageingTickets,
      openBlockingTickets,
      recentNps: recentAnswers ? { average: recentSum / recentAnswers, answers: recentAnswers } : null,
      negativeSentiment,
    },
  };
}
