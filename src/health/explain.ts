// Explanations in plain words: how a measure's value reads, which measures hold the
// Health Index where it is, and which moved it since the previous snapshot, each with
// signed points of the index.
import type { MeasureSpec } from './model.ts';
import type { Driver, EarlierScore, MeasureScores, Snapshot } from './score.ts';

const TOP = 3;

/** Points of a driver: hundredths are all an explanation (whole points) or a ranking needs. */
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Whole points with their sign: +5, -3, 0. */
export function signed(n: number): string {
  const r = Math.round(n);
  return r > 0 ? `+${r}` : r < 0 ? `${r}` : '0';
}

/** Drivers as they read in an explanation: `3 P1/P2 tickets open (-5), latest NPS 9 (+4)`. */
export function driverList(drivers: readonly Driver[]): string {
  return drivers.map((d) => `${d.text} (${signed(d.points)})`).join(', ');
}

function formatValue(spec: MeasureSpec, value: number): string {
  if (spec.aggregate === 'trend') return `${value > 0 ? '+' : ''}${Math.round(value)}`;
  if (spec.aggregate === 'ratio' && spec.of && /utilisation|share|rate/.test(spec.label))
    return `${Math.round(value * 100)}%`;
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 10 ? String(Math.round(value)) : value.toFixed(1);
}

/** How a measure's raw value reads: the model's `text` template, or a default by aggregation. */
export function measureText(spec: MeasureSpec, value: number): string {
  const shown = spec.aggregate === 'count' && value === 0 ? 'no' : formatValue(spec, value);
  if (spec.text) return spec.text.replace('{value}', shown);
  switch (spec.aggregate) {
    case 'trend':
      return `${spec.label} ${shown}% over ${spec.window! + (spec.gap ?? 0)} days`;
    case 'count':
      return `${shown} ${spec.label}`;
    case 'days_since':
      return `${shown} days since ${spec.label}`;
    case 'days_until':
      return `${shown} days to ${spec.label}`;
    default:
      return `${spec.label} ${shown}`;
  }
}

/** How an overridden measure reads: what it would have said, and the score it was set to. */
export const overriddenText = (text: string | null, label: string, value: number) =>
  `${text ?? label} (overridden to ${value})`;

/** How a driver reads: its measure's text, or that the measure lost its data. */
export const driverText = (m: { text: string | null; label: string }) => m.text ?? `${m.label}: no data now`;

const measuresOf = <T extends MeasureScores[number]>(components: T[]): T['measures'] =>
  components.flatMap((c) => c.measures);

/**
 * What holds the score where it is: each measure's points against a neutral 50 (a
 * measure at 50 neither lifts nor lowers the index): the largest drags first (up to
 * two), then the largest lifts.
 */
export function describeScore(s: Snapshot): Driver[] {
  const drivers: Driver[] = [];
  // A measure's share of the index: its component's share of the weight with data, times
  // its share of the component's. (Not contribution / normalised: a measure at 0 has no
  // contribution, yet it is the strongest drag.)
  const scored = s.components.filter((c) => c.score !== null && c.weight > 0);
  const total = scored.reduce((sum, c) => sum + c.weight, 0);
  for (const c of scored) {
    const withData = c.measures.filter((m) => m.normalised !== null && m.weight > 0);
    const inComponent = withData.reduce((sum, m) => sum + m.weight, 0);
    for (const m of withData) {
      if (!m.text) continue;
      const share = (c.weight / total) * (m.weight / inComponent);
      drivers.push({ measure: m.name, points: round2(share * (m.normalised! - 50)), text: m.text });
    }
  }
  const ranked = drivers
    .filter((d) => Math.abs(d.points) >= 0.5)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || a.measure.localeCompare(b.measure));
  // What holds the index down comes first: that is what a CSM acts on.
  const down = ranked.filter((d) => d.points < 0).slice(0, TOP - 1);
  const up = ranked.filter((d) => d.points > 0).slice(0, TOP - down.length);
  return [...down, ...up];
}

type Weighted = { weight: number; measures: { name: string; weight: number; normalised: number | null }[] }[];

/**
 * The Health Index of a set of components: the weighted average of the components with
 * data, each the weighted average of its measures with data (the rule scoreAccount
 * applies; a test keeps the two equal).
 */
export function weightedIndex(components: Weighted): number | null {
  let total = 0;
  let weight = 0;
  for (const c of components) {
    let sum = 0;
    let w = 0;
    for (const m of c.measures) {
      if (m.normalised === null || m.weight <= 0) continue;
      sum += m.weight * m.normalised;
      w += m.weight;
    }
    if (w === 0 || c.weight <= 0) continue;
    total += c.weight * (sum / w);
    weight += c.weight;
  }
  return weight > 0 ? total / weight : null;
}

/**
 * What moved the index since the previous snapshot. Each measure is credited with the
 * points the index would lose if that measure alone went back to how it was (its score,
 * and whether it had data at all): a measure that gains data at a low score lowers the
 * weight of the others, and those points belong to it, not to them.
 */
export function describeChange(
  s: Pick<Snapshot, 'healthIndex' | 'components'>,
  previous: EarlierScore,
): Snapshot['change'] {
  const before = new Map(measuresOf(previous.components).map((m) => [m.name, m]));
  const now = weightedIndex(s.components);
  const drivers: Driver[] = [];
  for (const m of measuresOf(s.components)) {
    const was = before.get(m.name);
    const wasScore = was?.normalised ?? null;
    if (wasScore === m.normalised) continue;
    const reverted = weightedIndex(
      s.components.map((c) => ({
        weight: c.weight,
        measures: c.measures.map((x) => (x.name === m.name ? { ...x, normalised: wasScore } : x)),
      })),
    );
    const points = (now ?? 0) - (reverted ?? 0);
    if (Math.abs(points) < 0.5) continue;
    drivers.push({ measure: m.name, points: round2(points), text: driverText(m) });
  }
  drivers.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || a.measure.localeCompare(b.measure));
  return {
    since: previous.day,
    delta: Math.round((s.healthIndex! - previous.healthIndex!) * 10) / 10,
    drivers: drivers.slice(0, TOP),
  };
}
