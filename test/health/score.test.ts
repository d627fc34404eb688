// Pass two of scoring: normalisation, weights with redistribution and coverage, segment
// weights, bands, value tier, drops, leading indicators, referral readiness, overrides
// and explanations. Raw measures are mostly given by hand (`measured`) so each number
// below can be checked with pencil and paper; the working is in the comments.
import { describe, expect, it } from 'vitest';
import { weightedIndex } from '../../src/health/explain.ts';

import { measureAccount, type MeasuredAccount, type SignalFindings } from '../../src/health/measures.ts';
import { loadModel, type HealthModel } from '../../src/health/model.ts';
import {
  normalise,
  percentileRank,
  percentileTables,
  scoreAccount,
  weightsFor,
  type History,
  type Override,
  type PercentileTables,
  type Snapshot,
} from '../../src/health/score.ts';
import {
  account,
  daily,
  daysAgo,
  dedent,
  isWeekend,
  measured,
  NO_HISTORY,
  nps,
  signals,
  smallModel,
  ticket,
  TODAY,
} from './fixtures.ts';

function score(
  model: HealthModel,
  subject: MeasuredAccount,
  given: { history?: History; overrides?: Override[]; tables?: PercentileTables } = {},
): Snapshot {
  return scoreAccount(
    model,
    subject,
    given.tables ?? new Map(),
    given.history ?? NO_HISTORY,
    given.overrides ?? [],
  );
}

/** Points of the index each measure contributes, by measure name. */
const contributions = (s: Snapshot) =>
  Object.fromEntries(s.components.flatMap((c) => c.measures.map((m) => [m.name, m.contribution])));
const sumOfContributions = (s: Snapshot) =>
  s.components.flatMap((c) => c.measures).reduce((sum, m) => sum + m.contribution, 0);

const override = (measure: string | null, value: number, author: string, reason: string): Override => ({
  measure,
  value,
  author,
  reason,
  expiresAt: null,
});

/**
 * Four measures that score their raw value (linear 0-100), in two components:
 * usage (60) = active users 50 + logins 50; support (40) = CSAT 3 + survey responses 1.
 */
const FOUR = dedent(`
  measures:
    active_users: { label: active users, signal: usage.active_users, aggregate: average, window: 14, normalise: { linear: [0, 100] } }
    logins: { label: logins, signal: usage.logins, aggregate: average, window: 14, normalise: { linear: [0, 100] } }
    csat: { label: CSAT, signal: surveys.csat, aggregate: latest, window: 180, normalise: { linear: [0, 100] } }
    responses: { label: survey responses, signal: surveys.nps, aggregate: count, window: 180, normalise: { linear: [0, 100] } }
  components:
    usage: { weight: 60, measures: { active_users: 50, logins: 50 } }
    support: { weight: 40, measures: { csat: 3, responses: 1 } }
`);
const four = smallModel(FOUR);
/** The four measures with more sections, e.g. segments. */
const fourWith = (more: string) => smallModel(`${FOUR}\n${dedent(more)}`);
// With every measure: usage = (80 + 60) / 2 = 70; support = (3 x 40 + 1 x 80) / 4 = 50;
// index = 0.6 x 70 + 0.4 x 50 = 42 + 20 = 62.
const ALL_FOUR = { active_users: 80, logins: 60, csat: 40, responses: 80 };

/** One measure scoring its raw value, so the Health Index is whatever raw value is given. */
const one = smallModel(`
  measures:
    health: { label: health, signal: usage.health, aggregate: latest, window: 7, normalise: { linear: [0, 100] } }
  components:
    all: { weight: 1, measures: { health: 1 } }
  drops:
    - { name: health_index_drop, label: Health Index fell, index_fall: 15, within: 7 }
`);
const withIndex = (index: number, options: Parameters<typeof measured>[1] = {}) =>
  measured({ health: index }, options);

describe('normalise', () => {
  it('linear maps [from, to] onto 0-100 and clamps outside it', () => {
    const rule = { linear: [-50, 10] as [number, number] }; // the default model's active users trend
    expect(normalise(rule, -20)).toBe(50); // 30 of 60 along
    expect(normalise(rule, -50)).toBe(0);
    expect(normalise(rule, 10)).toBe(100);
    expect(normalise(rule, -80)).toBe(0); // clamped
    expect(normalise(rule, 40)).toBe(100); // clamped
  });

  it('linear reversed: lower is better', () => {
    const rule = { linear: [240, 24] as [number, number] }; // hours to resolve: 10 days 0, a day 100
    expect(normalise(rule, 240)).toBe(0);
    expect(normalise(rule, 132)).toBe(50); // 108 of 216 hours saved
    expect(normalise(rule, 24)).toBe(100);
    expect(normalise(rule, 12)).toBe(100); // clamped
    expect(normalise(rule, 300)).toBe(0); // clamped
  });

  it('bands with min: the first band whose min the value reaches, a min itself included', () => {
    const npsBands = {
      bands: [{ min: 9, score: 100 }, { min: 7, score: 65 }, { min: 5, score: 30 }, { score: 0 }],
    };
    expect([10, 9, 8.9, 7, 6.9, 5, 4.9, 0].map((v) => normalise(npsBands, v))).toEqual([
      100, 100, 65, 65, 30, 30, 0, 0,
    ]);
    // Without a catch-all band, a value below every min scores 0.
    const noCatchAll = {
      bands: [
        { min: 10, score: 100 },
        { min: 5, score: 50 },
        { min: 1, score: 20 },
      ],
    };
    expect(normalise(noCatchAll, 0.5)).toBe(0);
  });

  it('bands with max: the first band whose max the value stays within, a max itself included', () => {
    const openTickets = {
      bands: [{ max: 0, score: 100 }, { max: 1, score: 50 }, { max: 2, score: 20 }, { score: 0 }],
    };
    expect([0, 0.5, 1, 1.5, 2, 3, 10].map((v) => normalise(openTickets, v))).toEqual([
      100, 50, 50, 20, 20, 0, 0,
    ]);
  });

  it('percentile: the share of the book below the value, ties counting half', () => {
    const book = Float64Array.from([10, 20, 20, 30]);
    // 5: none below. 10: (0 + 1/2) / 4. 20: (1 + 2/2) / 4. 25: 3 below. 30: (3 + 1/2) / 4. 40: all below.
    expect([5, 10, 20, 25, 30, 40].map((v) => percentileRank(book, v))).toEqual([0, 12.5, 50, 75, 87.5, 100]);
    expect(normalise({ percentile: 'higher_is_better' }, 10, book)).toBe(12.5);
    expect(normalise({ percentile: 'lower_is_better' }, 10, book)).toBe(87.5); // 100 - 12.5
    expect(normalise({ percentile: 'lower_is_better' }, 20, book)).toBe(50);
    // An empty book puts everyone in the middle.
    expect(percentileRank(new Float64Array(), 7)).toBe(50);
  });

  it('percentile tables come from the book, leaving out accounts without data', () => {
    const model = smallModel(`
      measures:
        features: { label: features used, signal: usage.features_used, aggregate: average, window: 14, normalise: { percentile: higher_is_better } }
        tickets: { label: tickets, signal: tickets, aggregate: count, window: 30, normalise: { percentile: lower_is_better } }
      components:
        adoption: { weight: 1, measures: { features: 1 } }
        support: { weight: 1, measures: { tickets: 1 } }
    `);
    const book = [
      measured({ features: 30, tickets: 4 }),
      measured({ features: 10, tickets: 0 }),
      measured({ features: null, tickets: 1 }),
      measured({ features: 20, tickets: 1 }),
      measured({ features: 20, tickets: 2 }),
    ];
    const tables = percentileTables(model, book);
    expect([...tables.get('features')!]).toEqual([10, 20, 20, 30]);
    expect([...tables.get('tickets')!]).toEqual([0, 1, 1, 2, 4]);

    // The last account: features 20 -> 50; tickets 2 -> (3 + 1/2) / 5 = 70% below, lower is better: 30.
    // Index = (50 + 30) / 2 = 40.
    const s = score(model, book[4]!, { tables });
    expect(s.components.map((c) => c.measures[0]!.normalised)).toEqual([50, 30]);
    expect(s.healthIndex).toBe(40);
  });
});

describe('weights, redistribution and coverage', () => {
  it('blends measures into components and components into the index; contributions add up to it', () => {
    const s = score(four, measured(ALL_FOUR));
    expect(s.healthIndex).toBe(62);
    expect(s.components.map((c) => [c.name, c.score, c.contribution])).toEqual([
      ['usage', 70, 42],
      ['support', 50, 20],
    ]);
    // active users 0.6 x 1/2 x 80 = 24; logins 0.6 x 1/2 x 60 = 18; CSAT 0.4 x 3/4 x 40 = 12; survey responses 0.4 x 1/4 x 80 = 8.
    expect(contributions(s)).toEqual({ active_users: 24, logins: 18, csat: 12, responses: 8 });
    expect(sumOfContributions(s)).toBe(62);
    expect(s.coverage).toBe(1);
  });

  it('a measure without data is left out and its weight goes to the rest of its component, not scored 0', () => {
    const s = score(four, measured({ ...ALL_FOUR, logins: null }));
    // usage = active users alone = 80 (not (80 + 0) / 2 = 40); index = 0.6 x 80 + 0.4 x 50 = 68.
    expect(s.healthIndex).toBe(68);
    expect(contributions(s)).toEqual({ active_users: 48, logins: 0, csat: 12, responses: 8 });
    // Coverage: everything but logins, 0.6 x 1/2 = 0.3 of the model: 0.7.
    expect(s.coverage).toBe(0.7);

    const noResponse = score(four, measured({ ...ALL_FOUR, responses: null }));
    // support = CSAT alone = 40; index = 42 + 0.4 x 40 = 58; coverage 1 - 0.4 x 1/4 = 0.9.
    expect(noResponse.healthIndex).toBe(58);
    expect(noResponse.coverage).toBe(0.9);
    expect(sumOfContributions(noResponse)).toBeCloseTo(58, 2);
  });

  it('a component without data is left out and its weight goes to the other components', () => {
    const s = score(four, measured({ csat: 40, responses: 80 }));
    // Only support (50) has data: the index is 50, not 0.4 x 50 = 20.
    expect(s.healthIndex).toBe(50);
    expect(s.components.map((c) => [c.name, c.score, c.contribution])).toEqual([
      ['usage', null, 0],
      ['support', 50, 50],
    ]);
    // CSAT 3/4 x 40 = 30, survey responses 1/4 x 80 = 20.
    expect(contributions(s)).toEqual({ active_users: 0, logins: 0, csat: 30, responses: 20 });
    expect(s.coverage).toBe(0.4);
    expect(s.explanation).toMatch(/; only 40% of the model has data$/);
  });

  it('with no data at all there is no index, and it says so', () => {
    const s = score(four, measured({}));
    expect(s).toMatchObject({
      healthIndex: null,
      grade: null,
      colour: null,
      riskTier: null,
      valueTier: null,
      coverage: 0,
      explanation: "No Health Index: none of the model's measures has data.",
    });
    expect(s.referral.ready).toBe(false);
    expect(s.referral.blockers).toContain('no Health Index');
  });
});

describe('staleness', () => {
  it('lists the stale measures that carry weight', () => {
    const stale = { value: 60, observedAt: daysAgo(5), stale: true };
    const s = score(four, measured({ ...ALL_FOUR, logins: stale }));
    expect(s.stale).toEqual(['logins']);
    // Stale data still counts: the index is the same 62 as with fresh data.
    expect(s.healthIndex).toBe(62);
    expect(s.components[0]!.measures[1]).toMatchObject({
      name: 'logins',
      stale: true,
      observedAt: daysAgo(5),
    });
  });

  it('leaves out a stale measure a segment switched off', () => {
    const model = fourWith(`
      segments:
        - { name: no_logins, when: { plan: starter }, measures: { usage.logins: 0 } }
    `);
    const stale = { value: 60, observedAt: daysAgo(5), stale: true };
    const s = score(
      model,
      measured({ ...ALL_FOUR, logins: stale }, { account: account({ plan: 'starter' }) }),
    );
    expect(s.stale).toEqual([]);
  });
});

describe('segment overrides', () => {
  const segmented = fourWith(`
    segments:
      - name: onboarding
        when: { lifecycle_stage: onboarding }
        components: { support: 0 }
      - name: enterprise
        when: { segment: enterprise }
        components: { usage: 20 }
        measures: { support.responses: 0 }
      - name: retail_mid_market
        when: { segment: [enterprise, mid_market], industry: retail }
        components: { usage: 90 }
  `);
  const scoreFor = (facts: Parameters<typeof account>[0]) =>
    score(segmented, measured(ALL_FOUR, { account: account(facts) }));

  it('an account no rule matches keeps the model weights', () => {
    expect(scoreFor({ segment: 'smb', lifecycleStage: 'mature' })).toMatchObject({
      segmentRule: null,
      healthIndex: 62,
    });
  });

  it('a weight of 0 switches a component off', () => {
    // Support off: the index is usage alone, 70; what is left of the model all has data.
    expect(scoreFor({ lifecycleStage: 'onboarding' })).toMatchObject({
      segmentRule: 'onboarding',
      healthIndex: 70,
      coverage: 1,
    });
  });

  it('changes component and measure weights for a matching account', () => {
    const s = scoreFor({ segment: 'enterprise' });
    // usage 20 x 70, support 40 x CSAT 40 (survey responses off): (1400 + 1600) / 60 = 50.
    expect(s).toMatchObject({ segmentRule: 'enterprise', healthIndex: 50 });
    expect(s.components.map((c) => c.contribution)).toEqual([23.3, 26.7]); // 1400/60, 1600/60
    expect(weightsFor(segmented, account({ segment: 'enterprise' }))).toEqual({
      rule: 'enterprise',
      components: [
        {
          name: 'usage',
          label: 'usage',
          weight: 20,
          measures: [
            { name: 'active_users', weight: 50 },
            { name: 'logins', weight: 50 },
          ],
        },
        {
          name: 'support',
          label: 'support',
          weight: 40,
          measures: [
            { name: 'csat', weight: 3 },
            { name: 'responses', weight: 0 },
          ],
        },
      ],
    });
  });

  it('matches any of a list, ignoring case', () => {
    // usage 90 x 70 + support 40 x 50 = 6300 + 2000 = 8300, over 130: 63.85 -> 63.8.
    expect(scoreFor({ segment: 'mid_market', industry: 'Retail' })).toMatchObject({
      segmentRule: 'retail_mid_market',
      healthIndex: 63.8,
    });
  });

  it('the first matching rule wins', () => {
    expect(scoreFor({ segment: 'enterprise', industry: 'retail' }).segmentRule).toBe('enterprise');
    expect(scoreFor({ segment: 'enterprise', lifecycleStage: 'onboarding' })).toMatchObject({
      segmentRule: 'onboarding',
      healthIndex: 70,
    });
  });
});

describe('grade, colour and risk tier', () => {
  it.each([
    // index, grade, colour, risk: from is included, to is not, and 100 is in the top band
    [100, 'A', 'green', 'low'],
    [80, 'A', 'green', 'low'],
    [79.9, 'B', 'green', 'low'],
    [75, 'B', 'green', 'low'],
    [74.9, 'B', 'green', 'medium'],
    [70, 'B', 'green', 'medium'],
    [69.9, 'B', 'yellow', 'medium'],
    [65, 'B', 'yellow', 'medium'],
    [64.9, 'C', 'yellow', 'medium'],
    [55, 'C', 'yellow', 'medium'],
    [54.9, 'C', 'yellow', 'high'],
    [45, 'C', 'yellow', 'high'],
    [44.9, 'D', 'red', 'high'],
    [35, 'D', 'red', 'high'],
    [34.9, 'D', 'red', 'critical'],
    [0, 'D', 'red', 'critical'],
  ])('an index of %d is grade %s, %s, %s risk', (index, grade, colour, riskTier) => {
    expect(score(one, withIndex(index))).toMatchObject({ healthIndex: index, grade, colour, riskTier });
  });
});

describe('value tier: ARR x the risk tier weight against 100k, 25k and 5k', () => {
  it.each([
    // index (risk tier), ARR, priority, tier
    [20, 400_000, '400k x 1 (critical)', 1],
    [20, 4_000, '4k x 1', 4],
    [20, 100_000, '100k: at the tier 1 threshold', 1],
    [20, 99_999, 'just under 100k', 2],
    [20, 25_000, '25k', 2],
    [20, 24_999, 'just under 25k', 3],
    [20, 5_000, '5k', 3],
    [20, 4_999, 'just under 5k', 4],
    [40, 400_000, '400k x 0.6 (high) = 240k', 1],
    [40, 100_000, '100k x 0.6 = 60k', 2],
    [60, 400_000, '400k x 0.25 (medium) = 100k', 1],
    [90, 2_000_000, '2M x 0.05 (low) = 100k', 1],
    [90, 400_000, '400k x 0.05 = 20k', 3],
  ])('index %d with ARR %d: %s, tier %d', (index, arr, _priority, tier) => {
    expect(score(one, withIndex(index, { account: account({ arr }) })).valueTier).toBe(tier);
  });

  it('an account without ARR is tier 4 whatever its risk', () => {
    expect(score(one, withIndex(10, { account: account({ arr: null }) })).valueTier).toBe(4);
  });
});

describe('drops', () => {
  it('the Health Index falling 15 points or more within 7 days, from the highest point in them', () => {
    const dropsWith = (now: number, indexByDay: History['indexByDay']) =>
      score(one, withIndex(now), { history: { indexByDay, previous: null } }).drops;

    // 80 seven days ago, 65 now: -15.
    expect(dropsWith(65, [{ day: daysAgo(7), healthIndex: 80 }])).toEqual([
      {
        rule: 'health_index_drop',
        label: 'Health Index fell',
        detail: 'Health Index -15 in 7 days (from 80)',
      },
    ]);
    // Eight days ago is outside the 7 days; -14.9 is not enough.
    expect(dropsWith(65, [{ day: daysAgo(8), healthIndex: 80 }])).toEqual([]);
    expect(dropsWith(65, [{ day: daysAgo(3), healthIndex: 79.9 }])).toEqual([]);
    // From the peak (82 two days ago), not the oldest day: -17 in 2 days. Days without an index are skipped.
    expect(
      dropsWith(65, [
        { day: daysAgo(6), healthIndex: 70 },
        { day: daysAgo(2), healthIndex: 82 },
        { day: daysAgo(1), healthIndex: null },
      ]),
    ).toEqual([
      {
        rule: 'health_index_drop',
        label: 'Health Index fell',
        detail: 'Health Index -17 in 2 days (from 82)',
      },
    ]);
  });

  describe('daily active users against their own baseline (default model)', () => {
    const model = loadModel();
    const dropsFor = (activeUsers: (day: number, daysAgo: number) => number) => {
      const sigs = signals({ usage: { active_users: daily(41, 0, activeUsers) } });
      return score(model, measureAccount(model, account(), sigs, TODAY)).drops;
    };

    it('a 30% decline over 14 days against the 28 before is a drop', () => {
      // Days 41..14 ago at 100, the last 14 days at 70: -30%.
      expect(dropsFor((_, n) => (n <= 13 ? 70 : 100))).toEqual([
        {
          rule: 'active_users_drop',
          label: 'active users fell',
          detail: 'active users -30% over 14 days (the last 7 days against the 28 before)',
        },
      ]);
    });

    it('a 10% decline is not', () => {
      expect(dropsFor((_, n) => (n <= 13 ? 90 : 100))).toEqual([]);
    });

    it('a seasonal weekend dip is not: weekends at 40% of weekdays, steady otherwise', () => {
      expect(dropsFor((day) => (isWeekend(day) ? 40 : 100))).toEqual([]);
    });
  });
});

describe('leading indicators', () => {
  it('usage decline of 15% or more over 14 days', () => {
    const indicators = (pct: number) =>
      score(one, withIndex(70, { findings: { usageDeclinePct: pct } })).leadingIndicators;
    expect(indicators(20)).toEqual(['usage decline: active users -20% over 14 days']);
    expect(indicators(15)).toEqual(['usage decline: active users -15% over 14 days']);
    expect(indicators(14.9)).toEqual([]);
  });

  it('P1/P2 tickets open over 72 hours', () => {
    const indicators = (n: number) =>
      score(one, withIndex(70, { findings: { ageingTickets: n } })).leadingIndicators;
    expect(indicators(1)).toEqual(['1 P1/P2 ticket open over 72 h']);
    expect(indicators(2)).toEqual(['2 P1/P2 tickets open over 72 h']);
    expect(indicators(0)).toEqual([]);
  });

  it('sentiment turning negative', () => {
    expect(
      score(one, withIndex(70, { findings: { negativeSentiment: 'latest NPS 6' } })).leadingIndicators,
    ).toEqual(['sentiment turning negative: latest NPS 6']);
  });

  it('renewal within 90 days with an index below 65', () => {
    const indicators = (index: number, renewalInDays: number) =>
      score(one, withIndex(index, { account: account({ renewalDate: daysAgo(-renewalInDays) }) }))
        .leadingIndicators;
    expect(indicators(64.9, 90)).toEqual(['renewal in 90 days with a Health Index of 64.9']);
    expect(indicators(40, 0)).toEqual(['renewal in 0 days with a Health Index of 40']);
    expect(indicators(65, 30)).toEqual([]); // the index is not weak
    expect(indicators(40, 91)).toEqual([]); // the renewal is not near
    expect(indicators(40, -1)).toEqual([]); // the renewal has passed
  });

  it('all of them together, in a fixed order', () => {
    const s = score(
      one,
      withIndex(50, {
        account: account({ renewalDate: daysAgo(-30) }),
        findings: { usageDeclinePct: 32, ageingTickets: 3, negativeSentiment: 'latest CSM note negative' },
      }),
    );
    expect(s.leadingIndicators).toEqual([
      'usage decline: active users -32% over 14 days',
      '3 P1/P2 tickets open over 72 h',
      'sentiment turning negative: latest CSM note negative',
      'renewal in 30 days with a Health Index of 50',
    ]);
  });
});

describe('referral readiness', () => {
  // Index = (active users trend + CSAT) / 2; the trend is also the engagement measure.
  const model = smallModel(`
    measures:
      active_users_trend: { label: active users, signal: usage.active_users, aggregate: trend, window: 14, baseline: 28, normalise: { linear: [-50, 10] } }
      csat_latest: { label: CSAT, signal: surveys.csat, aggregate: latest, window: 180, normalise: { linear: [1, 5] } }
    components:
      usage: { weight: 1, measures: { active_users_trend: 1, csat_latest: 1 } }
    drops:
      - { name: health_index_drop, label: Health Index fell, index_fall: 15, within: 7 }
  `);
  // Trend -2% -> (48 / 60) = 80; CSAT 4.28 -> (3.28 / 4) = 82; index (80 + 82) / 2 = 81.
  const raw = { active_users_trend: -2, csat_latest: 4.28 };
  // Over the last 30 days the index was 75 and 86 (30 days ago is outside): with today's 81, a swing of 11.
  const indexByDay = [
    { day: daysAgo(10), healthIndex: 75 },
    { day: daysAgo(20), healthIndex: 86 },
    { day: daysAgo(30), healthIndex: 50 },
  ];
  const referral = (findings: Partial<SignalFindings>, days = indexByDay) =>
    score(model, measured(raw, { findings }), { history: { indexByDay: days, previous: null } }).referral;

  it('scores promoter, health, stability and engagement; a passive NPS keeps it below 70', () => {
    const r = referral({ recentNps: { average: 8, answers: 1 } });
    // promoter: NPS 8 -> 40; health: (81 - 60) / 30 -> 70; stability: swing 11 on [20 -> 0, 5 -> 100] -> 60;
    // engagement: the trend's 80. Score = 0.4 x 40 + 0.3 x 70 + 0.15 x 60 + 0.15 x 80 = 16 + 21 + 9 + 12 = 58.
    expect(r).toEqual({
      score: 58,
      ready: false,
      parts: { promoter: 40, health: 70, stability: 60, engagement: 80 },
      blockers: [],
    });
  });

  it('a promoter makes it referral-ready', () => {
    // promoter 100 instead of 40: 58 + 0.4 x 60 = 82, at least 70.
    expect(referral({ recentNps: { average: 10, answers: 1 } })).toMatchObject({ score: 82, ready: true });
  });

  it('scores the average of recent answers, not the latest one', () => {
    // 9.5 -> 100; 8.5 -> 40 (7 or more); 6 -> 0; no recent answer -> 0.
    expect(referral({ recentNps: { average: 9.5, answers: 2 } }).parts.promoter).toBe(100);
    expect(referral({ recentNps: { average: 8.5, answers: 2 } }).parts.promoter).toBe(40);
    expect(referral({ recentNps: { average: 6, answers: 3 } }).parts.promoter).toBe(0);
    expect(referral({ recentNps: null }).parts.promoter).toBe(0);
  });

  it('without history, stability is a neutral 50', () => {
    // 40 + 21 + 0.15 x 50 + 12 = 80.5.
    expect(referral({ recentNps: { average: 10, answers: 1 } }, [])).toMatchObject({
      score: 80.5,
      parts: { stability: 50 },
    });
  });

  it('an open P1/P2 ticket blocks it, whatever the score', () => {
    expect(referral({ recentNps: { average: 10, answers: 1 }, openBlockingTickets: 1 })).toMatchObject({
      score: 82,
      ready: false,
      blockers: ['1 open P1/P2 ticket'],
    });
  });

  it('a drop blocks it', () => {
    // 97 two days ago, 81 now: -16 within 7 days.
    const r = referral({ recentNps: { average: 10, answers: 1 } }, [
      ...indexByDay,
      { day: daysAgo(2), healthIndex: 97 },
    ]);
    expect(r.ready).toBe(false);
    expect(r.blockers).toEqual(['a drop: Health Index fell']);
  });

  it('the engagement measure need not belong to a component', () => {
    const sentimentOnly = smallModel(
      `
      measures:
        nps_latest: { label: NPS, signal: surveys.nps, aggregate: latest, window: 365, normalise: { linear: [0, 10] } }
        active_users_per_day: { label: active users per day, signal: usage.active_users, aggregate: average, window: 14, normalise: { linear: [0, 200] } }
      components:
        sentiment: { weight: 1, measures: { nps_latest: 1 } }
    `,
      'active_users_per_day',
    );
    // 150 active users a day on [0, 200]: 75.
    const s = score(sentimentOnly, measured({ nps_latest: 9, active_users_per_day: 150 }));
    expect(s.referral.parts.engagement).toBe(75);
  });
});

describe('manual overrides', () => {
  it('of a measure replace its score and are named in the explanation', () => {
    const s = score(four, measured(ALL_FOUR), {
      overrides: [override('csat', 90, 'dana', 'survey tool outage')],
    });
    // support = (3 x 90 + 80) / 4 = 87.5; index = 42 + 0.4 x 87.5 = 77.
    expect(s.healthIndex).toBe(77);
    expect(s.components[1]!.measures[0]).toMatchObject({
      name: 'csat',
      raw: 40,
      normalised: 90,
      overridden: true,
    });
    expect(s.overrides).toEqual([
      { ...override('csat', 90, 'dana', 'survey tool outage'), applied: 'CSAT set to 90' },
    ]);
    // Against 50: CSAT 0.3 x 40 = +12, active users 0.3 x 30 = +9, then logins and survey responses at +3 (by name).
    expect(s.explanation).toBe(
      '77 (B): CSAT 40 (overridden to 90) (+12), active users 80 (+9), logins 60 (+3); override by dana: CSAT set to 90 (survey tool outage)',
    );
  });

  it('of a measure without data give it a score', () => {
    const s = score(four, measured({ ...ALL_FOUR, logins: null }), {
      overrides: [override('logins', 50, 'dana', 'login tracking broken')],
    });
    // usage = (80 + 50) / 2 = 65; index = 0.6 x 65 + 20 = 59.
    expect(s.healthIndex).toBe(59);
  });

  it('of the whole index replace it, with grade, colour and tier following', () => {
    const s = score(four, measured(ALL_FOUR, { account: account({ arr: 30_000 }) }), {
      overrides: [override(null, 30, 'lee', 'customer announced churn')],
    });
    expect(s).toMatchObject({
      healthIndex: 30,
      grade: 'D',
      colour: 'red',
      riskTier: 'critical',
      valueTier: 2,
    });
    expect(s.explanation).toMatch(/; override by lee: Health Index set to 30 \(customer announced churn\)$/);
  });
});

describe('explanations', () => {
  it('say what holds the score where it is, each measure against a neutral 50', () => {
    // active users 0.3 x (80 - 50) = +9; logins 0.3 x 10 = +3; CSAT 0.3 x -10 = -3; survey responses 0.1 x 30 = +3.
    // Drags first (CSAT), then the largest lifts, ties by name: active users, logins.
    const s = score(four, measured(ALL_FOUR));
    expect(s.explanation).toBe('62 (C): CSAT 40 (-3), active users 80 (+9), logins 60 (+3)');
  });

  it('count a measure scoring 0 as the drag it is', () => {
    const model = smallModel(`
      measures:
        active_users: { label: active users, signal: usage.active_users, aggregate: average, window: 14, normalise: { linear: [0, 100] } }
        open_tickets:
          label: open P1/P2 tickets
          signal: tickets
          aggregate: count
          where: { priority: [P1, P2], open: true }
          normalise: { bands: [{ max: 0, score: 100 }, { max: 1, score: 50 }, { max: 2, score: 20 }, { score: 0 }] }
          text: '{value} P1/P2 tickets open'
      components:
        usage: { weight: 50, measures: { active_users: 1 } }
        support: { weight: 50, measures: { open_tickets: 1 } }
    `);
    // 3 open tickets score 0: 0.5 x (0 - 50) = -25; active users 90: 0.5 x 40 = +20. Index 45.
    expect(score(model, measured({ active_users: 90, open_tickets: 3 })).explanation).toBe(
      '45 (C): 3 P1/P2 tickets open (-25), active users 90 (+20)',
    );
  });

  it('say what moved the index since the previous snapshot, with signed points', () => {
    const model = smallModel(`
      measures:
        active_users_trend:
          label: active users
          signal: usage.active_users
          aggregate: trend
          window: 14
          baseline: 28
          normalise: { linear: [-50, 10] }
          text: 'active users {value}% over 14 days'
        open_high_priority_tickets:
          label: open P1/P2 tickets
          signal: tickets
          aggregate: count
          where: { priority: [P1, P2], open: true }
          normalise: { bands: [{ max: 0, score: 100 }, { max: 1, score: 50 }, { max: 2, score: 20 }, { score: 0 }] }
          text: '{value} P1/P2 tickets open'
        nps_latest:
          label: NPS
          signal: surveys.nps
          aggregate: latest
          window: 365
          normalise: { bands: [{ min: 9, score: 100 }, { min: 7, score: 65 }, { min: 5, score: 30 }, { score: 0 }] }
          text: 'latest NPS {value}'
      components:
        usage: { weight: 25, measures: { active_users_trend: 1 } }
        support: { weight: 25, measures: { open_high_priority_tickets: 1 } }
        sentiment: { weight: 50, measures: { nps_latest: 1 } }
    `);
    // Active users 100 a day until two weeks ago, 68 since; two P1 tickets opened yesterday; NPS 8 a month ago.
    const sigs = signals({
      usage: { active_users: [...daily(55, 14, 100), ...daily(13, 0, 68)] },
      tickets: [ticket('P1', daysAgo(1, 9)), ticket('P1', daysAgo(1, 15))],
      surveys: [nps(8, daysAgo(30))],
    });
    const scoreOn = (day: number, history: History) =>
      scoreAccount(model, measureAccount(model, account(), sigs, day), new Map(), history, []);

    // Two weeks ago: trend 0% -> 50 / 60 = 83.3; no tickets -> 100; NPS 8 -> 65.
    // Index = 0.25 x 83.3 + 0.25 x 100 + 0.5 x 65 = 20.825 + 25 + 32.5 = 78.3.
    const before = scoreOn(daysAgo(14), NO_HISTORY);
    expect(before.healthIndex).toBe(78.3);

    // Now: trend -32% -> 18 / 60 = 30; 2 tickets -> 20; NPS 65. Index = 7.5 + 5 + 32.5 = 45.
    // Tickets moved 25 -> 5 (-20), active users 20.83 -> 7.5 (-13.3); the index moved 78.3 -> 45 (-33.3).
    const now = scoreOn(TODAY, { indexByDay: [{ day: daysAgo(14), healthIndex: 78.3 }], previous: before });
    expect(now.healthIndex).toBe(45);
    expect(now.change).toMatchObject({ since: daysAgo(14), delta: -33.3 });
    expect(now.explanation).toBe('-33: 2 P1/P2 tickets open (-20), active users -32% over 14 days (-13)');
  });

  it('name a measure that has lost its data since the previous snapshot', () => {
    const before = score(four, measured(ALL_FOUR));
    // Without CSAT, support = survey responses = 80: index = 42 + 32 = 74, +12.
    // Had CSAT kept its low score, the index would still be 62: losing it is worth +12, all
    // of it CSAT's (survey responses did not change, it only gained weight).
    const now = score(four, measured({ ...ALL_FOUR, csat: null }), {
      history: { indexByDay: [], previous: before },
    });
    expect(now.explanation).toBe('+12: CSAT: no data now (+12)');
  });
});

describe('the change attribution', () => {
  it('recomputes the index exactly as scoring does', () => {
    for (const raw of [
      ALL_FOUR,
      { ...ALL_FOUR, csat: null },
      { ...ALL_FOUR, active_users: null, logins: null },
    ]) {
      const s = score(four, measured(raw));
      expect(weightedIndex(s.components)).toBeCloseTo(s.healthIndex!, 1);
    }
  });
});

describe('determinism', () => {
  const model = loadModel();
  const book = [
    {
      facts: account({ id: 1, seatsPurchased: 50, arr: 48_000, renewalDate: daysAgo(-60) }),
      features: 6,
      users: 40,
    },
    {
      facts: account({ id: 2, seatsPurchased: 20, arr: 9_000, renewalDate: daysAgo(-200) }),
      features: 3,
      users: 12,
    },
    {
      facts: account({ id: 3, seatsPurchased: 80, arr: 150_000, segment: 'enterprise' }),
      features: 9,
      users: 70,
    },
  ].map(({ facts, features, users }) => ({
    facts,
    signals: () =>
      signals({
        usage: {
          active_users: daily(60, 0, (_, n) => users - (n < 14 ? 5 : 0)),
          logins: daily(60, 0, users * 2),
          features_used: daily(20, 0, features),
          seats_used: daily(5, 0, users),
        },
        tickets: [ticket('P2', daysAgo(4)), ticket('P3', daysAgo(40), { resolvedAt: daysAgo(38) })],
        surveys: [nps(9, daysAgo(100)), nps(7, daysAgo(20))],
        notes: [{ sentiment: 1, at: daysAgo(12) }],
        crm: {
          arr: [
            { at: daysAgo(400), value: facts.arr! * 0.9 },
            { at: daysAgo(50), value: facts.arr! },
          ],
        },
      }),
  }));
  const scoreBook = (order: typeof book) => {
    const measuredBook = order.map((a) => measureAccount(model, a.facts, a.signals(), TODAY));
    const tables = percentileTables(model, measuredBook);
    return measuredBook
      .map((m) => scoreAccount(model, m, tables, NO_HISTORY, []))
      .sort((a, b) => a.accountId - b.accountId);
  };

  it('scores the same book the same way twice, and in any order', () => {
    const first = scoreBook(book);
    expect(first.every((s) => s.healthIndex !== null)).toBe(true);
    expect(scoreBook(book)).toEqual(first);
    expect(scoreBook([...book].reverse())).toEqual(first);
  });
});
