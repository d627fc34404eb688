// The health model file: its shape (zod, from which the editors' JSON Schema is
// generated), the checks that need the whole model (references between measures,
// weights, bands that cover 0-100 without overlapping), and loading it from YAML or
// JSON with errors that name the file, the path inside it and what was expected.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { checkSchema, parseConfigText, problemsText, readConfigText, type Fail } from '../lib/config-file.ts';

export const AGGREGATIONS = [
  'latest',
  'sum',
  'average',
  'count',
  'distinct',
  'ratio',
  'trend',
  'days_since',
  'days_until',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/**
 * Where a measure's observations come from:
 * - `usage.<metric>`: daily usage values (e.g. usage.active_users)
 * - `events` or `events.<event name>`: raw product events
 * - `tickets`: support tickets (filter with `where`)
 * - `surveys.nps`, `surveys.csat`: survey scores
 * - `notes`: CSM sentiment notes (positive 1, neutral 0, negative -1)
 * - `crm.<field>`: CRM and contract history (e.g. crm.arr)
 * - `account.<field>`: the account's current facts (renewal_date, contract_start, seats_purchased, arr)
 */
export const SIGNAL_PATTERN =
  /^(usage\.[a-z][a-z0-9_:.]*|events(\..+)?|tickets|surveys\.(nps|csat)|notes|crm\.(arr|seats_purchased)|account\.(renewal_date|contract_start|seats_purchased|arr))$/;

export const ACCOUNT_DATE_FIELDS = ['renewal_date', 'contract_start'] as const;

const name = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { error: 'expected a snake_case name such as active_users_trend' });
const positive = z.number({ error: 'expected a number' }).positive({ error: 'must be greater than 0' });
const days = z
  .number({ error: 'expected a number of days' })
  .int({ error: 'expected whole days' })
  .min(1)
  .max(3650);
const score = z.number().min(0, { error: 'a score is 0-100' }).max(100, { error: 'a score is 0-100' });

const band = z.strictObject({
  min: z.number().optional(),
  max: z.number().optional(),
  score,
});

const normalise = z.union(
  [
    z.strictObject({
      linear: z.tuple([z.number(), z.number()], { error: 'expected [value scoring 0, value scoring 100]' }),
    }),
    z.strictObject({
      bands: z.array(band).min(1, { error: 'at least one band' }),
    }),
    z.strictObject({
      percentile: z.enum(['higher_is_better', 'lower_is_better']),
    }),
  ],
  {
    error:
      'expected one of {linear: [from, to]}, {bands: [...]} or {percentile: higher_is_better|lower_is_better}',
  },
);
export type Normalise = z.infer<typeof normalise>;

const ticketFilter = z.strictObject({
  priority: z
    .array(z.enum(['P1', 'P2', 'P3', 'P4']))
    .min(1)
    .optional(),
  /** Only tickets open at the scoring date (whenever they were opened). */
  open: z.boolean().optional(),
});

const measure = z.strictObject({
  /** Words for the measure in explanations, e.g. "active users". */
  label: z.string().min(1).max(80),
  signal: z
    .string()
    .regex(SIGNAL_PATTERN, {
      error:
        'unknown signal; expected usage.<metric>, events[.<name>], tickets, surveys.nps, surveys.csat, notes, crm.arr, crm.seats_purchased or account.<renewal_date|contract_start|seats_purchased|arr>',
    })
    .optional(),
  aggregate: z.enum(AGGREGATIONS, { error: `expected one of ${AGGREGATIONS.join(', ')}` }),
  /** Lookback window in days ending at the scoring date. */
  window: days.optional(),
  /** trend: the earlier window compared against, in days... */
  baseline: days.optional(),
  /** trend: ...ending this many days before `window` (default 0: just before it). */
  gap: z.number().int().min(0).max(365).optional(),
  /** ratio: [numerator measure, denominator measure]. */
  of: z.tuple([name, name]).optional(),
  /** distinct: which field of events is counted. */
  field: z.enum(['user', 'event']).optional(),
  /** tickets: which tickets count. */
  where: ticketFilter.optional(),
  /** tickets: the value averaged or summed instead of counting (hours from opened to resolved). */
  value: z.enum(['resolution_hours']).optional(),
  /** How the value maps to 0-100; a measure only used inside a ratio needs none. */
  normalise: normalise.optional(),
  /** Flag the measure stale when its newest observation is older than this many days. */
  stale_after: days.optional(),
  /** How a value reads in an explanation; {value} is replaced. Defaults depend on the aggregation. */
  text: z.string().max(120).optional(),
});
export type MeasureSpec = z.infer<typeof measure>;

const component = z.strictObject({
  label: z.string().min(1).max(80).optional(),
  weight: positive,
  /** measure name -> weight within the component */
  measures: z
    .record(name, positive)
    .refine((m) => Object.keys(m).length > 0, { error: 'a component needs at least one measure' }),
});

const range = z.strictObject({ from: score, to: score });
const bandList = <T extends string>(labels: readonly [T, ...T[]]) =>
  z
    .array(range.extend({ label: z.enum(labels) }))
    .min(labels.length, { error: `one band for each of ${labels.join(', ')}` });

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export const COLOURS = ['green', 'yellow', 'red'] as const;
export const RISK_TIERS = ['low', 'medium', 'high', 'critical'] as const;
export type Grade = (typeof GRADES)[number];
export type Colour = (typeof COLOURS)[number];
export type RiskTier = (typeof RISK_TIERS)[number];

const segmentMatch = z.strictObject({
  segment: z.union([z.string(), z.array(z.string())]).optional(),
  lifecycle_stage: z.union([z.string(), z.array(z.string())]).optional(),
  industry: z.union([z.string(), z.array(z.string())]).optional(),
  plan: z.union([z.string(), z.array(z.string())]).optional(),
});

const segmentOverride = z.strictObject({
  name,
  /** Every given field must match the account (a list means any of). */
  when: segmentMatch,
  /** New component weights (0 switches a component off); unnamed components keep theirs. */
  components: z.record(name, z.number().min(0)).optional(),
  /** New measure weights as `component.measure: weight` (0 switches a measure off). */
  measures: z
    .record(
      z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, { error: 'expected component.measure' }),
      z.number().min(0),
    )
    .optional(),
});

const dropRule = z.union([
  z.strictObject({
    name,
    label: z.string().min(1).max(120),
    signal: z.string().regex(/^usage\.[a-z][a-z0-9_:.]*$/, { error: 'a usage drop watches usage.<metric>' }),
    /** The recent days averaged. */
    window: days,
    /** The days averaged as the account's own baseline... */
    baseline: days,
    /** ...ending this many days before the recent window (default 0: just before it). */
    gap: z.number().int().min(0).max(365).optional(),
    /** Flag when the window's average is at least this many percent below the baseline's. */
    fall_pct: z.number().gt(0).lt(100),
  }),
  z.strictObject({
    name,
    label: z.string().min(1).max(120),
    /** Flag when the Health Index fell at least this many points within `within` days. */
    index_fall: z.number().gt(0).max(100),
    within: days,
  }),
]);

export const modelSchema = z.strictObject({
  /** Recorded with every snapshot: change it whenever the model changes. */
  version: z.string().min(1).max(40),
  name: z.string().min(1).max(120).optional(),
  measures: z.record(name, measure),
  components: z.record(name, component),
  bands: z.strictObject({
    grade: bandList(GRADES),
    colour: bandList(COLOURS),
    risk: bandList(RISK_TIERS),
  }),
  /** Priority from ARR and risk: ARR x the tier's weight, then tiers 1 (act first) to 4 by those thresholds. */
  value_tiers: z.strictObject({
    risk_weights: z.strictObject({
      low: z.number().min(0).max(1),
      medium: z.number().min(0).max(1),
      high: z.number().min(0).max(1),
      critical: z.number().min(0).max(1),
    }),
    thresholds: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)], {
      error: 'expected three thresholds for tiers 1, 2 and 3',
    }),
  }),
  segments: z.array(segmentOverride).default([]),
  drops: z.array(dropRule).default([]),
  leading_indicators: z.strictObject({
    usage_decline: z.strictObject({
      signal: z.string().regex(/^usage\.[a-z][a-z0-9_:.]*$/),
      window: days,
      baseline: days,
      gap: z.number().int().min(0).max(365).optional(),
      fall_pct: z.number().gt(0).lt(100),
    }),
    tickets_ageing: z.strictObject({
      priority: z.array(z.enum(['P1', 'P2', 'P3', 'P4'])).min(1),
      older_than_hours: z.number().positive(),
    }),
    sentiment_negative: z.strictObject({ nps_at_most: z.number().int().min(0).max(10), within: days }),
    renewal_weak: z.strictObject({ within: days, index_below: score }),
  }),
  referral: z.strictObject({
    /** Referral Readiness Score at or above this makes an account referral-ready. */
    threshold: score,
    weights: z.strictObject({
      promoter: z.number().min(0),
      health: z.number().min(0),
      stability: z.number().min(0),
      engagement: z.number().min(0),
    }),
    /** Only NPS answers this recent count... */
    nps_within: days,
    /** ...and their average scores the promoter part by these bands. */
    promoter: z.array(band).min(1),
    /** Health Index scoring 0 and 100 for the health part. */
    health: z.tuple([score, score]),
    /** Days over which the index must stay stable, and the swing (points) scoring 100 and 0. */
    stability: z.strictObject({ days, swing: z.tuple([z.number().min(0), z.number().min(0)]) }),
    /** The usage measure whose normalised score is the engagement part. */
    engagement_measure: name,
    /** Never ready with an open ticket of these priorities. */
    blocking_priorities: z.array(z.enum(['P1', 'P2', 'P3', 'P4'])),
  }),
});

export type HealthModel = z.infer<typeof modelSchema>;

export class ModelError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(problemsText(file, 'health model', problems));
  }
}

const failWith =
  (file: string): Fail =>
  (problems) => {
    throw new ModelError(file, problems);
  };

const SAME_ENDS = 'the value scoring 0 and the one scoring 100 must differ';

/** Checks that need the whole model: references, weights, bands covering 0-100 exactly once. */
function crossCheck(model: HealthModel): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const measures = new Set(Object.keys(model.measures));
  const used = new Set<string>();
  for (const [c, comp] of Object.entries(model.components)) {
    for (const m of Object.keys(comp.measures)) {
      if (!measures.has(m))
        problems.push({
          path: `components.${c}.measures.${m}`,
          message: `unknown measure "${m}"; defined measures: ${[...measures].join(', ')}`,
        });
      used.add(m);
    }
  }
  for (const [m, spec] of Object.entries(model.measures)) {
    const at = `measures.${m}`;
    const needsSignal = spec.aggregate !== 'ratio';
    if (needsSignal && !spec.signal)
      problems.push({ path: `${at}.signal`, message: `a ${spec.aggregate} measure needs a signal` });
    if (spec.aggregate === 'ratio') {
      if (!spec.of)
        problems.push({ path: `${at}.of`, message: 'a ratio needs of: [numerator, denominator]' });
      for (const ref of spec.of ?? []) {
        if (!measures.has(ref)) problems.push({ path: `${at}.of`, message: `unknown measure "${ref}"` });
        else if (model.measures[ref]!.aggregate === 'ratio')
          problems.push({ path: `${at}.of`, message: `"${ref}" is itself a ratio` });
      }
    }
    if (spec.aggregate === 'trend' && (!spec.window || !spec.baseline))
      problems.push({ path: at, message: 'a trend needs window and baseline (days)' });
    const windowed = ['sum', 'average', 'count', 'distinct', 'trend'].includes(spec.aggregate);
    if (windowed && !spec.window && !(spec.signal === 'tickets' && spec.where?.open))
      problems.push({ path: `${at}.window`, message: `a ${spec.aggregate} measure needs a window (days)` });
    if (spec.aggregate === 'distinct' && !spec.signal?.startsWith('events'))
      problems.push({ path: `${at}.aggregate`, message: 'distinct counts events (field: user or event)' });
    if ((spec.where || spec.value) && spec.signal !== 'tickets')
      problems.push({ path: at, message: 'where and value apply to tickets only' });
    if (
      (spec.aggregate === 'days_until' || spec.aggregate === 'days_since') &&
      spec.signal?.startsWith('account.') &&
      !(ACCOUNT_DATE_FIELDS as readonly string[]).includes(spec.signal.slice(8))
    ) {
      problems.push({
        path: `${at}.signal`,
        message: `${spec.aggregate} needs a date: account.renewal_date or account.contract_start`,
      });
    }
    if (spec.aggregate === 'days_until' && !spec.signal?.startsWith('account.'))
      problems.push({
        path: `${at}.signal`,
        message: 'days_until needs account.renewal_date or account.contract_start',
      });
    if (spec.normalise && 'bands' in spec.normalise)
      problems.push(...checkScoreBands(spec.normalise.bands, `${at}.normalise.bands`));
    // Linear scales divide by (to - from): equal ends would score NaN or an infinity.
    if (spec.normalise && 'linear' in spec.normalise && spec.normalise.linear[0] === spec.normalise.linear[1])
      problems.push({ path: `${at}.normalise.linear`, message: SAME_ENDS });
    if (!spec.normalise && (used.has(m) || m === model.referral.engagement_measure))
      problems.push({ path: `${at}.normalise`, message: 'a measure used by a component needs normalise' });
  }
  for (const m of measures) {
    const referenced = Object.values(model.measures).some((s) => s.of?.includes(m));
    if (!used.has(m) && !referenced && m !== model.referral.engagement_measure)
      problems.push({ path: `measures.${m}`, message: 'defined but used by no component' });
  }
  problems.push(...checkScoreBands(model.referral.promoter, 'referral.promoter'));
  if (!measures.has(model.referral.engagement_measure))
    problems.push({
      path: 'referral.engagement_measure',
      message: `unknown measure "${model.referral.engagement_measure}"`,
    });
  if (model.referral.health[0] === model.referral.health[1])
    problems.push({ path: 'referral.health', message: SAME_ENDS });
  if (model.referral.stability.swing[0] === model.referral.stability.swing[1])
    problems.push({ path: 'referral.stability.swing', message: SAME_ENDS });
  for (const [scale, bands] of Object.entries(model.bands))
    problems.push(...checkCoverage(bands, `bands.${scale}`));
  const [t1, t2, t3] = model.value_tiers.thresholds;
  if (!(t1 > t2 && t2 > t3))
    problems.push({
      path: 'value_tiers.thresholds',
      message: 'expected decreasing thresholds for tiers 1, 2, 3',
    });
  model.segments.forEach((s, i) => {
    for (const c of Object.keys(s.components ?? {})) {
      if (!model.components[c])
        problems.push({ path: `segments[${i}].components.${c}`, message: `unknown component "${c}"` });
    }
    for (const key of Object.keys(s.measures ?? {})) {
      const [c, m] = key.split('.') as [string, string];
      if (!model.components[c]?.measures[m])
        problems.push({
          path: `segments[${i}].measures.${key}`,
          message: `component "${c}" has no measure "${m}"`,
        });
    }
    // Snapshots name the rule that weighed them; a name must say which one.
    if (model.segments.findIndex((other) => other.name === s.name) < i)
      problems.push({ path: `segments[${i}].name`, message: `"${s.name}" names an earlier rule too` });
    if (Object.keys(s.when).length === 0)
      problems.push({
        path: `segments[${i}].when`,
        message: 'name at least one of segment, lifecycle_stage, industry, plan',
      });
  });
  return problems;
}

function checkCoverage(bands: { label: string; from: number; to: number }[], at: string) {
  const problems: { path: string; message: string }[] = [];
  const labels = new Set<string>();
  bands.forEach((b, i) => {
    if (labels.has(b.label)) problems.push({ path: `${at}[${i}]`, message: `"${b.label}" appears twice` });
    labels.add(b.label);
    if (b.from >= b.to)
      problems.push({ path: `${at}[${i}]`, message: `from (${b.from}) must be below to (${b.to})` });
  });
  const sorted = [...bands].sort((a, b) => a.from - b.from);
  if (sorted[0] && sorted[0].from !== 0)
    problems.push({
      path: at,
      message: `the bands must start at 0 (the lowest starts at ${sorted[0].from})`,
    });
  if (sorted.length && sorted[sorted.length - 1]!.to !== 100)
    problems.push({ path: at, message: 'the bands must end at 100' });
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (b.from < a.to)
      problems.push({
        path: at,
        message: `bands "${a.label}" (${a.from}-${a.to}) and "${b.label}" (${b.from}-${b.to}) overlap`,
      });
    else if (b.from > a.to) problems.push({ path: at, message: `no band covers ${a.to}-${b.from}` });
  }
  return problems;
}

function checkScoreBands(bands: { min?: number; max?: number; score: number }[], at: string) {
  const problems: { path: string; message: string }[] = [];
  const usesMin = bands.some((b) => b.min !== undefined);
  const usesMax = bands.some((b) => b.max !== undefined);
  if (usesMin && usesMax)
    problems.push({
      path: at,
      message: 'use either min (higher is better) or max (lower is better) in one list, not both',
    });
  bands.forEach((b, i) => {
    const last = i === bands.length - 1;
    if (!last && b.min === undefined && b.max === undefined)
      problems.push({
        path: `${at}[${i}]`,
        message: 'only the last band may omit min/max (it catches the rest)',
      });
  });
  const bounds = bands.map((b) => b.min ?? b.max).filter((v): v is number => v !== undefined);
  const ordered = usesMin
    ? bounds.every((v, i) => i === 0 || v < bounds[i - 1]!)
    : bounds.every((v, i) => i === 0 || v > bounds[i - 1]!);
  if (!ordered)
    problems.push({
      path: at,
      message: usesMin
        ? 'list bands from the highest min down, without repeats'
        : 'list bands from the lowest max up, without repeats',
    });
  return problems;
}

/** Validates a parsed model; throws ModelError naming every problem. */
export function validateModel(raw: unknown, file: string): HealthModel {
  const model = checkSchema(modelSchema, raw, failWith(file));
  const problems = crossCheck(model);
  if (problems.length) throw new ModelError(file, problems);
  return model;
}

export function parseModelText(text: string, file: string): HealthModel {
  return validateModel(parseConfigText(text, file, failWith(file)), file);
}

export const DEFAULT_MODEL_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'default-model.yaml',
);

export function loadModel(file = DEFAULT_MODEL_FILE): HealthModel {
  return parseModelText(readConfigText(file, failWith(file)), file);
}

/** The JSON Schema of the model file, for editors (generated from the zod schema). */
export function modelJsonSchema(): object {
  return z.toJSONSchema(modelSchema, { io: 'input', unrepresentable: 'any' });
}
