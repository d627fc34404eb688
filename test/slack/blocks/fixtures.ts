// Hand-written inputs for the block builder tests: Acme's snapshot (every figure
// chosen so a person can check what the card prints), a portfolio, long lists of
// accounts, the model's colour bands, and the hostile names every builder must render
// inert.
import type { HealthCardModel } from '../../../src/slack/blocks/health-card.ts';
import type { ColourBand } from '../../../src/slack/blocks/format.ts';
import type { AtRiskAccount } from '../../../src/slack/blocks/lists.ts';
import type { Portfolio } from '../../../src/storage/portfolio.ts';
import type { StoredSnapshot } from '../../../src/storage/snapshots.ts';

export const DAY = 86_400_000;
export const TODAY = new Date('2026-11-20T00:00:00Z');

export const BANDS: ColourBand[] = [
  { label: 'green', from: 70, to: 100 },
  { label: 'yellow', from: 45, to: 70 },
  { label: 'red', from: 0, to: 45 },
];

const measure = (
  name: string,
  label: string,
  normalised: number | null,
  text: string | null,
  stale = false,
) => ({
  name,
  label,
  raw: normalised,
  normalised,
  weight: 1,
  contribution: 0,
  stale,
  observedAt: null,
  overridden: false,
  text,
});

/** Acme on TODAY: 62.4, grade C, yellow, medium risk, value tier 2, down 6 since yesterday. */
export function snapshot(over: Partial<StoredSnapshot> = {}): StoredSnapshot {
  return {
    accountId: 7,
    day: TODAY.getTime(),
    modelVersion: '2026.1',
    segmentRule: null,
    healthIndex: 62.4,
    grade: 'C',
    colour: 'yellow',
    riskTier: 'medium',
    valueTier: 2,
    coverage: 0.85,
    components: [
      {
        name: 'usage',
        label: 'Usage',
        weight: 30,
        score: 48,
        contribution: 16.9,
        measures: [measure('active_users_trend', 'active users', 30, 'active users -32% over 14 days')],
      },
      {
        name: 'support',
        label: 'Support',
        weight: 20,
        score: 35,
        contribution: 8.2,
        measures: [measure('open_p1', 'P1/P2 tickets open', 35, '3 P1/P2 tickets open')],
      },
      {
        name: 'sentiment',
        label: 'Sentiment',
        weight: 20,
        score: 90,
        contribution: 21.2,
        measures: [measure('nps_latest', 'latest NPS', 90, 'latest NPS 9', true)],
      },
      { name: 'engagement', label: 'Engagement', weight: 15, score: null, contribution: 0, measures: [] },
    ],
    stale: ['nps_latest'],
    drivers: [
      { measure: 'active_users_trend', points: -9.2, text: 'active users -32% over 14 days' },
      { measure: 'open_p1', points: -5.1, text: '3 P1/P2 tickets open' },
      { measure: 'nps_latest', points: 4.4, text: 'latest NPS 9' },
    ],
    change: {
      since: TODAY.getTime() - DAY,
      delta: -6,
      drivers: [{ measure: 'active_users_trend', points: -6, text: 'active users -32% over 14 days' }],
    },
    explanation: '-6: active users -32% over 14 days (-6)',
    drops: [],
    leadingIndicators: [],
    referral: { score: 41, ready: false, parts: {}, blockers: ['1 open P1/P2 ticket'] },
    overrides: [],
    arr: 120_000,
    computedAt: TODAY,
    ...over,
  };
}

export function cardModel(over: Partial<HealthCardModel> = {}): HealthCardModel {
  return {
    account: {
      id: 7,
      externalId: 'acme',
      name: 'Acme',
      domain: 'acme.example',
      industry: 'Software',
      segment: 'enterprise',
      arr: 120_000,
      renewalDate: new Date(TODAY.getTime() + 41 * DAY),
      ownerEmail: 'dana@example.com',
      ownerSlackId: 'U0DANA1',
    },
    snapshot: snapshot(),
    change: { days7: -6, days30: -14 },
    openCase: null,
    now: TODAY,
    chart: { slackFileId: 'F0TREND1' },
    ...over,
  };
}

export function portfolio(over: Partial<Portfolio> = {}): Portfolio {
  return {
    day: TODAY,
    accounts: 1250,
    scored: 1234,
    averageIndex: 62.44,
    arrWeightedIndex: 58.06,
    atRiskShare: 0.23,
    arrAtRisk: 1_200_000,
    totalArr: 14_000_000,
    referralReadyRate: 0.12,
    riskDistribution: {
      low: { accounts: 512, arr: 4_200_000 },
      medium: { accounts: 438, arr: 5_000_000 },
      high: { accounts: 204, arr: 3_000_000 },
      critical: { accounts: 80, arr: 1_800_000 },
    },
    byIndustry: [
      { industry: 'Software', accounts: 600, averageIndex: 72.1, arrAtRisk: 500_000 },
      { industry: 'Retail', accounts: 400, averageIndex: 55, arrAtRisk: 400_000 },
      { industry: null, accounts: 234, averageIndex: 40, arrAtRisk: 300_000 },
    ],
    bySegment: [
      { segment: 'enterprise', accounts: 300, averageIndex: 66, arrAtRisk: 700_000 },
      { segment: 'smb', accounts: 934, averageIndex: 61, arrAtRisk: 500_000 },
    ],
    movers: { drops: [], gains: [] },
    atRisk: [],
    referralReady: [],
    renewalsAtRisk: [],
    ...over,
  };
}

/** `n` accounts at risk, most valuable first, each with a long explanation. */
export function atRiskAccounts(
  n: number,
  name: (i: number) => string = (i) => `Account ${i}`,
): AtRiskAccount[] {
  return Array.from({ length: n }, (_, i) => ({
    accountId: i + 1,
    externalId: `acct-${i + 1}`,
    name: name(i),
    arr: 1_000_000 - i * 1000,
    healthIndex: 30,
    riskTier: 'critical' as const,
    valueTier: 1,
    explanation: `drop: Health Index -20 in 7 days (from 50); -20: active users -32% over 14 days (-9), 3 P1/P2 tickets open (-5), ${'latest NPS 2 (-3), '.repeat(10)}`,
  }));
}

/** Names a CRM export could hold: pings, mentions, formatting, entities, very long, emoji, right-to-left. */
export const HOSTILE_NAMES = [
  '<!channel> *Acme*',
  '<@U123> _x_ ~x~ `x`',
  '&lt;b&gt; & Sons',
  '<https://evil.example|click me>',
  '> quoted\nsecond line <!here>',
  'A'.repeat(5000),
  '*'.repeat(3000),
  '👩‍👩‍👧‍👦 Family 🇫🇷 Ltd',
  'שלום עולם \u202eevil\u202c',
];
