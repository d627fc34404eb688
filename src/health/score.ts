// Pass two of scoring: from an account's raw measures to its Health Index. Normalises
// each measure to 0-100 (percentiles against the book), applies the account's segment
// weights and any manual overrides, redistributes the weight of measures without data,
// grades the result, finds drops and leading indicators, scores referral readiness and
// explains it all. Pure and deterministic.
import { perObject } from '../lib/memo.ts';
import { describeChange, describeScore, driverList, measureText, overriddenText, signed } from './explain.ts';
import type { MeasuredAccount, RawMeasure } from './measures.ts';
import type { Colour, Grade, HealthModel, Normalise, RiskTier } from './model.ts';
import { DAY_MS, type AccountFacts } from './signals.ts';

/** A manual override in force: a measure's normalised score, or the whole index. */
export interface Override {
  /** null: the whole Health Index. */
  measure: string | null;
  value: number;
  reason: string;
  author: string;
  expiresAt: number | null;
}

export interface MeasureScore {
  name: string;
  label: string;
  raw: number | null;
  normalised: number | null;
  /** The model's weight within the component (after segment overrides). */
  weight: number;
  /** Points of the Health Index this measure contributes. */
  contribution: number;
  stale: boolean;
  observedAt: number | null;
  overridden: boolean;
  text: string | null;
}

export interface ComponentScore {
  name: string;
  label: string;
  weight: number;
  score: number | null;
  contribution: number;
  measures: MeasureScore[];
}

export interface Driver {
  measure: string;
  points: number;
  text: string;
}

export interface Drop {
  rule: string;
  label: string;
  detail: string;
}

export interface Snapshot {
  accountId: number;
  day: number;
  modelVersion: string;
  segmentRule: string | null;
  healthIndex: number | null;
  grade: Grade | null;
  colour: Colour | null;
  riskTier: RiskTier | null;
  valueTier: number | null;
  coverage: number;
  components: ComponentScore[];
  stale: string[];
  drivers: Driver[];
  change: { since: number; delta: number; drivers: Driver[] } | null;
  explanation: string;
  drops: Drop[];
  leadingIndicators: string[];
  referral: { score: number; ready: boolean; parts: Record<string, number>; blockers: string[] };
  overrides: (Override & { applied: string })[];
}

/** The measures' normalised scores, component by component: all a change is explained against. */
export type MeasureScores = { measures: Pick<MeasureScore, 'name' | 'normalised'>[] }[];

/** An earlier snapshot as explaining a change reads it. */
export interface EarlierScore {
  day: number;
  healthIndex: number | null;
  components: MeasureScores;
}

/** What scoring needs from earlier snapshots of the account. */
export interface History {
  /** Health Index by day for the last weeks (any order), excluding the day being scored. */
  indexByDay: { day: number; healthIndex: number | null }[];
  /** The latest earlier snapshot, for explaining the change. */
  previous: EarlierScore | null;
}

/** Sorted raw values per percentile-normalised measure, across the book. */
export type PercentileTables = Map<string, Float64Array>;

/** The measures normalised as a percentile within the book. */
export function percentileMeasures(model: HealthModel): string[] {
  return Object.entries(model.measures)
    .filter(([, s]) => s.normalise && 'percentile' in s.normalise)
    .map(([n]) => n);
}

/** Sorted values per measure, from each account's values of `names` (in that order; null: no data). */
export function tablesOf(
  names: readonly string[],
  rows: Iterable<readonly (number | null)[]>,
): PercentileTables {
  const values = names.map((): number[] => []);
  for (const row of rows) {
    for (let i = 0; i < names.length; i++) {
      const v = row[i];
      if (v !== null && v !== undefined) values[i]!.push(v);
    }
  }
  return new Map(names.map((n, i) => [n, Float64Array.from(values[i]!).sort()]));
}

export function percentileTables(
  model: HealthModel,
  book: Iterable<Pick<MeasuredAccount, 'raw'>>,
): PercentileTables {
  const names = percentileMeasures(model);
  return tablesOf(
    names,
    [...book].map((a) => names.map((n) => a.raw[n]?.value ?? null)),
  );
}

/** Share of the book below a value, counting ties half: 0-100. */
export function percentileRank(sorted: Float64Array, value: number): number {
  if (sorted.length === 0) return 50;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  const equal = lo - below;
  return ((below + equal / 2) / sorted.length) * 100;
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));
export const round1 = (v: number) => Math.round(v * 10) / 10;

export function normalise(rule: Normalise, value: number, table?: Float64Array): number {
  if ('linear' in rule) {
    const [from, to] = rule.linear;
    return clamp(((value - from) / (to - from)) * 100);
  }
  if ('bands' in rule) {
    for (const band of rule.bands) {
      if (band.min !== undefined ? value >= band.min : band.max !== undefined ? value <= band.max : true)
        return band.score;
    }
    return 0;
  }
  const rank = percentileRank(table ?? new Float64Array(), value);
  return rule.percentile === 'higher_is_better' ? rank : 100 - rank;
}

function band<T extends string>(bands: { label: T; from: number; to: number }[], value: number): T {
  const found = bands.find((b) => value >= b.from && (value < b.to || (b.to === 100 && value <= 100)));
  return (found ?? bands[0]!).label;
}

function matches(rule: string | string[] | undefined, value: string | null): boolean {
  if (rule === undefined) return true;
  if (value === null) return false;
  return (Array.isArray(rule) ? rule : [rule]).some((r) => r.toLowerCase() === value.toLowerCase());
}

/** The component and measure weights for an account: the model's, changed by the first matching segment rule. */
export function weightsFor(model: HealthModel, account: AccountFacts) {
  const rule = model.segments.find(
    (s) =>
      matches(s.when.segment, account.segment) &&
      matches(s.when.lifecycle_stage, account.lifecycleStage) &&
      matches(s.when.industry, account.industry) &&
      matches(s.when.plan, account.plan),
  );
  return weightsForRule(model, rule?.name ?? null);
}

/** The component and measure weights under a segment rule (by name; null: the model's own). */
export function weightsForRule(model: HealthModel, ruleName: string | null): Weights {
  const byRule = weightsByRule(model);
  let weights = byRule.get(ruleName);
  if (!weights) byRule.set(ruleName, (weights = computeWeights(model, ruleName)));
  return weights;
}

type Weights = ReturnType<typeof computeWeights>;
const weightsByRule = perObject((_: HealthModel) => new Map<string | null, Weights>());

function computeWeights(model: HealthModel, ruleName: string | null) {
  const rule = ruleName === null ? undefined : model.segments.find((s) => s.name === ruleName);
  if (ruleName !== null && !rule) throw new Error(`the model has no segment rule named ${ruleName}`);
  const components = Object.entries(model.components).map(([name, c]) => ({
    name,
    label: c.label ?? name,
    weight: rule?.components?.[name] ?? c.weight,
    measures: Object.entries(c.measures).map(([m, w]) => ({
      name: m,
      weight: rule?.measures?.[`${name}.${m}`] ?? w,
    })),
  }));
  return { rule: rule?.name ?? null, components };
}

function valueTier(model: HealthModel, arr: number | null, risk: RiskTier): number {
  const priority = (arr ?? 0) * model.value_tiers.risk_weights[risk];
  const [t1, t2, t3] = model.value_tiers.thresholds;
  return priority >= t1 ? 1 : priority >= t2 ? 2 : priority >= t3 ? 3 : 4;
}

const NO_DATA: RawMeasure = { value: null, observedAt: null, stale: false };

const linearScore = (value: number, [zero, hundred]: [number, number]) =>
  clamp(((value - zero) / (hundred - zero)) * 100);

export function scoreAccount(
  model: HealthModel,
  measured: MeasuredAccount,
  tables: PercentileTables,
  history: History,
  overrides: Override[],
): Snapshot {
  const { account, day, raw, findings } = measured;
  const weights = weightsFor(model, account);
  const measureOverride = new Map<string, Override>();
  let indexOverride: Override | null = null;
  for (const o of overrides) {
    if (o.measure === null) indexOverride ??= o;
    else if (!measureOverride.has(o.measure)) measureOverride.set(o.measure, o);
  }
  const applied: Snapshot['overrides'] = [];

  // Normalise, then weigh: only measures (and components) with data share the weight.
  const components: ComponentScore[] = [];
  let weightWithData = 0;
  let allWeight = 0;
  for (const c of weights.components) {
    const measures: MeasureScore[] = [];
    let total = 0;
    let sum = 0;
    for (const m of c.measures) {
      const spec = model.measures[m.name]!;
      const r: RawMeasure = raw[m.name] ?? NO_DATA;
      const override = measureOverride.get(m.name);
      let normalised =
        r.value === null ? null : round1(normalise(spec.normalise!, r.value, tables.get(m.name)));
      let text = r.value === null ? null : measureText(spec, r.value);
      if (override) {
        normalised = override.value;
        applied.push({ ...override, applied: `${spec.label} set to ${override.value}` });
        // An override says what it replaced, so the explanation never contradicts the score.
        text = overriddenText(text, spec.label, override.value);
      }
      if (normalised !== null && m.weight > 0) {
        total += m.weight;
        sum += m.weight * normalised;
      }
      measures.push({
        name: m.name,
        label: spec.label,
        raw: r.value,
        normalised,
        weight: m.weight,
        contribution: 0,
        stale: r.stale,
        observedAt: r.observedAt,
        overridden: override !== undefined,
        text,
      });
    }
    const score = total > 0 ? sum / total : null;
    if (score !== null && c.weight > 0) weightWithData += c.weight;
    allWeight += c.weight;
    components.push({ name: c.name, label: c.label, weight: c.weight, score, contribution: 0, measures });
  }

  let coverage = 0;
  let contributions = 0;
  for (const c of components) {
    let measureWeight = 0;
    let inComponent = 0;
    for (const m of c.measures) {
      measureWeight += m.weight;
      if (m.normalised !== null && m.weight > 0) inComponent += m.weight;
    }
    if (c.weight <= 0 || measureWeight <= 0) continue;
    coverage += (c.weight / allWeight) * (inComponent / measureWeight);
    if (c.score === null || weightWithData === 0) continue;
    const share = c.weight / weightWithData;
    c.contribution = share * c.score;
    contributions += c.contribution;
    for (const m of c.measures) {
      if (m.normalised !== null && m.weight > 0)
        m.contribution = (share * m.weight * m.normalised) / inComponent;
    }
  }

  let computed = weightWithData > 0 ? contributions : null;
  if (indexOverride) {
    applied.push({ ...indexOverride, applied: `Health Index set to ${indexOverride.value}` });
    computed = indexOverride.value;
  }
  const healthIndex = computed === null ? null : round1(computed);
  const riskTier = healthIndex === null ? null : band(model.bands.risk, healthIndex);

  // Drops against the account's own baseline.
  const drops: Drop[] = [];
  for (const rule of model.drops) {
    if ('signal' in rule) {
      const fall = findings.usageDrops[rule.name];
      if (fall !== undefined)
        drops.push({
          rule: rule.name,
          label: rule.label,
          detail: `${rule.signal.slice(6).replace(/_/g, ' ')} -${Math.round(fall)}% over ${rule.window + (rule.gap ?? 0)} days (the last ${rule.window} days against the ${rule.baseline} before)`,
        });
    } else if (healthIndex !== null) {
      const since = day - rule.within * DAY_MS;
      const earlier = history.indexByDay.filter(
        (h) => h.day >= since && h.day < day && h.healthIndex !== null,
      );
      const peak = earlier.reduce<{ day: number; healthIndex: number | null } | null>(
        (b, h) => (!b || h.healthIndex! > b.healthIndex! ? h : b),
        null,
      );
      if (peak && peak.healthIndex! - healthIndex >= rule.index_fall) {
        drops.push({
          rule: rule.name,
          label: rule.label,
          detail: `Health Index -${round1(peak.healthIndex! - healthIndex)} in ${Math.round((day - peak.day) / DAY_MS)} days (from ${peak.healthIndex})`,
        });
      }
    }
  }

  const li = model.leading_indicators;
  const leadingIndicators: string[] = [];
  if (findings.usageDeclinePct !== null && findings.usageDeclinePct >= li.usage_decline.fall_pct) {
    leadingIndicators.push(
      `usage decline: ${li.usage_decline.signal.slice(6).replace(/_/g, ' ')} -${Math.round(findings.usageDeclinePct)}% over ${li.usage_decline.window + (li.usage_decline.gap ?? 0)} days`,
    );
  }
  if (findings.ageingTickets > 0) {
    leadingIndicators.push(
      `${findings.ageingTickets} ${li.tickets_ageing.priority.join('/')} ticket${findings.ageingTickets === 1 ? '' : 's'} open over ${li.tickets_ageing.older_than_hours} h`,
    );
  }
  if (findings.negativeSentiment)
    leadingIndicators.push(`sentiment turning negative: ${findings.negativeSentiment}`);
  if (account.renewalDate !== null && healthIndex !== null) {
    const daysLeft = Math.round((account.renewalDate - day) / DAY_MS);
    if (daysLeft >= 0 && daysLeft <= li.renewal_weak.within && healthIndex < li.renewal_weak.index_below) {
      leadingIndicators.push(`renewal in ${daysLeft} days with a Health Index of ${healthIndex}`);
    }
  }

  // Referral readiness.
  const ref = model.referral;
  const window = history.indexByDay
    .filter((h) => h.day > day - ref.stability.days * DAY_MS && h.day < day && h.healthIndex !== null)
    .map((h) => h.healthIndex!);
  if (healthIndex !== null) window.push(healthIndex);
  const swing = window.length > 1 ? Math.max(...window) - Math.min(...window) : null;
  // The engagement measure may belong to no component: then it is normalised here.
  const engagementRaw = raw[ref.engagement_measure]?.value ?? null;
  const engagement =
    components.flatMap((c) => c.measures).find((m) => m.name === ref.engagement_measure)?.normalised ??
    (engagementRaw === null
      ? null
      : round1(
          normalise(
            model.measures[ref.engagement_measure]!.normalise!,
            engagementRaw,
            tables.get(ref.engagement_measure),
          ),
        ));
  const parts = {
    // The average of recent answers, not the latest one: one enthusiastic respondent is not a promoter account.
    promoter:
      findings.recentNps === null ? 0 : normalise({ bands: ref.promoter }, findings.recentNps.average),
    health: healthIndex === null ? 0 : round1(linearScore(healthIndex, ref.health)),
    stability:
      swing === null ? 50 : round1(linearScore(swing, [ref.stability.swing[1], ref.stability.swing[0]])),
    engagement: engagement ?? 50,
  };
  const weightSum = Object.values(ref.weights).reduce((s, w) => s + w, 0);
  const referralScore = round1(
    weightSum > 0
      ? (Object.keys(parts) as (keyof typeof parts)[]).reduce((s, k) => s + ref.weights[k] * parts[k], 0) /
          weightSum
      : 0,
  );
  const blockers: string[] = [];
  if (findings.openBlockingTickets > 0)
    blockers.push(
      `${findings.openBlockingTickets} open ${ref.blocking_priorities.join('/')} ticket${findings.openBlockingTickets === 1 ? '' : 's'}`,
    );
  if (drops.length) blockers.push(`a drop: ${drops[0]!.label}`);
  if (healthIndex === null) blockers.push('no Health Index');

  const stale = components
    .filter((c) => c.weight > 0)
    .flatMap((c) => c.measures.filter((m) => m.stale && m.weight > 0).map((m) => m.name));
  const snapshot: Snapshot = {
    accountId: account.id,
    day,
    modelVersion: model.version,
    segmentRule: weights.rule,
    healthIndex,
    grade: healthIndex === null ? null : band(model.bands.grade, healthIndex),
    colour: healthIndex === null ? null : band(model.bands.colour, healthIndex),
    riskTier,
    valueTier: riskTier === null ? null : valueTier(model, account.arr, riskTier),
    coverage: round1(coverage * 100) / 100,
    components,
    stale,
    drivers: [],
    change: null,
    explanation: '',
    drops,
    leadingIndicators,
    referral: {
      score: referralScore,
      ready: blockers.length === 0 && referralScore >= ref.threshold,
      parts,
      blockers,
    },
    overrides: applied,
  };
  for (const c of components) {
    c.contribution = round1(c.contribution);
    for (const m of c.measures) m.contribution = Math.round(m.contribution * 100) / 100;
  }
  snapshot.drivers = describeScore(snapshot);
  if (history.previous && history.previous.healthIndex !== null && healthIndex !== null) {
    snapshot.change = describeChange(snapshot, history.previous);
  }
  snapshot.explanation = explanationLine(snapshot);
  return snapshot;
}

/** The one line people read first: the change and its drivers, or what holds the score where it is. */
function explanationLine(s: Snapshot): string {
  if (s.healthIndex === null) return "No Health Index: none of the model's measures has data.";
  const parts: string[] = s.drops.map((d) => `drop: ${d.detail}`);
  // The change since the previous snapshot when it has named causes; otherwise (no
  // change, or many small ones) what holds the index where it is says more.
  if (s.change && Math.round(s.change.delta) !== 0 && s.change.drivers.length)
    parts.push(`${signed(s.change.delta)}: ${driverList(s.change.drivers)}`);
  else parts.push(`${Math.round(s.healthIndex)} (${s.grade}): ${driverList(s.drivers)}`);
  for (const o of s.overrides) parts.push(`override by ${o.author}: ${o.applied} (${o.reason})`);
  if (s.coverage < 0.6) parts.push(`only ${Math.round(s.coverage * 100)}% of the model has data`);
  return parts.join('; ');
}
