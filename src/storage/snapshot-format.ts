// Owns how a health snapshot's breakdown is kept in its row: numbers in the order of
// the model that scored it, and nothing the model can give back. Labels, measure texts,
// weights, raw values (the row's measure_values) and stale names are rebuilt on read
// from the model version named in the row, which is stored once (storage/models.ts).
// A day of a book of 100,000 accounts is 100,000 rows: every byte of a row is written,
// checkpointed and read back, and rows small enough to share a database page cost a
// fraction of rows that each fill one. Pure: (model, snapshot) <-> row fields.
import { driverText, measureText, overriddenText } from '../health/explain.ts';
import type { HealthModel } from '../health/model.ts';
import {
  weightsForRule,
  type ComponentScore,
  type Driver,
  type MeasureScores,
  type Snapshot,
} from '../health/score.ts';

/** Bit flags of a stored measure. */
const STALE = 1;
const OVERRIDDEN = 2;

// [normalised, contribution, flags, observedAt]
type StoredMeasure = [number | null, number, number, number | null];
// [score, contribution, measures in the component's order]
type StoredComponent = [number | null, number, StoredMeasure[]];
type StoredDriver = [measure: string, points: number];

/** The breakdown column as written; `f` is the format, so that a later one can be told apart. */
export interface StoredBreakdown {
  f: 2;
  c: StoredComponent[];
  d: StoredDriver[];
  /** The change since the previous snapshot: [since, delta, drivers]. */
  ch: [number, number, StoredDriver[]] | null;
  /** Referral parts [promoter, health, stability, engagement] and blockers. */
  r: [number, number, number, number, string[]];
  sr: string | null;
  dr?: Snapshot['drops'];
  li?: string[];
  o?: Snapshot['overrides'];
}

/** The measures of the model in the order measure_values holds them. */
export const measureOrder = (model: HealthModel): string[] => Object.keys(model.measures);

/** The row fields of a snapshot that hold its breakdown and its measures' raw values. */
export function encodeSnapshot(
  model: HealthModel,
  s: Snapshot,
  measureValues: readonly (number | null)[],
): { breakdown: StoredBreakdown; measureValues: (number | null)[] } {
  const driver = (d: Driver): StoredDriver => [d.measure, d.points];
  const breakdown: StoredBreakdown = {
    f: 2,
    c: s.components.map((c) => [
      c.score,
      c.contribution,
      c.measures.map((m) => [
        m.normalised,
        m.contribution,
        (m.stale ? STALE : 0) | (m.overridden ? OVERRIDDEN : 0),
        m.observedAt,
      ]),
    ]),
    d: s.drivers.map(driver),
    ch: s.change ? [s.change.since, s.change.delta, s.change.drivers.map(driver)] : null,
    r: [
      s.referral.parts.promoter!,
      s.referral.parts.health!,
      s.referral.parts.stability!,
      s.referral.parts.engagement!,
      s.referral.blockers,
    ],
    sr: s.segmentRule,
  };
  // Rare, and text already: kept only when there is something.
  if (s.drops.length) breakdown.dr = s.drops;
  if (s.leadingIndicators.length) breakdown.li = s.leadingIndicators;
  if (s.overrides.length) breakdown.o = s.overrides;
  return { breakdown, measureValues: [...measureValues] };
}

export const isStoredBreakdown = (b: unknown): b is StoredBreakdown =>
  typeof b === 'object' && b !== null && (b as { f?: unknown }).f === 2;

/** The snapshot's components as the engine built them, from the stored numbers and the model. */
export function decodeComponents(
  model: HealthModel,
  b: StoredBreakdown,
  measureValues: readonly (number | null)[],
): ComponentScore[] {
  const rawOf = new Map(measureOrder(model).map((name, i) => [name, measureValues[i] ?? null]));
  return weightsForRule(model, b.sr).components.map((c, i) => {
    const [score, contribution, measures] = b.c[i]!;
    return {
      name: c.name,
      label: c.label,
      weight: c.weight,
      score,
      contribution,
      measures: c.measures.map((m, j) => {
        const [normalised, measureContribution, flags, observedAt] = measures[j]!;
        const spec = model.measures[m.name]!;
        const raw = rawOf.get(m.name) ?? null;
        const overridden = (flags & OVERRIDDEN) !== 0;
        const text = raw === null ? null : measureText(spec, raw);
        return {
          name: m.name,
          label: spec.label,
          raw,
          normalised,
          weight: m.weight,
          contribution: measureContribution,
          stale: (flags & STALE) !== 0,
          observedAt,
          overridden,
          // As scoreAccount words it: an override says what it replaced.
          text: overridden ? overriddenText(text, spec.label, normalised!) : text,
        };
      }),
    };
  });
}

/** Each component's measures with their normalised scores: what explaining the next change reads. */
export function storedScores(model: HealthModel, c: StoredBreakdown['c']): MeasureScores {
  return Object.values(model.components).map((component, i) => ({
    measures: Object.keys(component.measures).map((name, j) => ({ name, normalised: c[i]![2][j]![0] })),
  }));
}

/** The parts of a snapshot its breakdown holds, rebuilt. */
export function decodeBreakdown(
  model: HealthModel,
  b: StoredBreakdown,
  measureValues: readonly (number | null)[],
): Pick<
  Snapshot,
  'components' | 'drivers' | 'change' | 'drops' | 'leadingIndicators' | 'stale' | 'segmentRule' | 'overrides'
> & { referral: Pick<Snapshot['referral'], 'parts' | 'blockers'> } {
  const components = decodeComponents(model, b, measureValues);
  const measures = new Map(components.flatMap((c) => c.measures).map((m) => [m.name, m]));
  // Texts as describeScore and describeChange give them.
  const driver = ([measure, points]: StoredDriver): Driver => {
    const m = measures.get(measure);
    return { measure, points, text: driverText(m ?? { text: null, label: measure }) };
  };
  const [promoter, health, stability, engagement, blockers] = b.r;
  return {
    components,
    drivers: b.d.map(driver),
    change: b.ch ? { since: b.ch[0], delta: b.ch[1], drivers: b.ch[2].map(driver) } : null,
    drops: b.dr ?? [],
    leadingIndicators: b.li ?? [],
    stale: components
      .filter((c) => c.weight > 0)
      .flatMap((c) => c.measures.filter((m) => m.stale && m.weight > 0).map((m) => m.name)),
    segmentRule: b.sr,
    overrides: b.o ?? [],
    referral: { parts: { promoter, health, stability, engagement }, blockers },
  };
}
