// The portfolio on both providers, on a hand-made book of five accounts whose
// snapshots are written by hand, so every figure can be checked with pencil and paper:
// averages (plain and ARR-weighted), share and ARR at risk, the risk distribution,
// health by industry and segment, movers over 7 days, and the short lists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RiskTier } from '../../src/health/model.ts';
import type { Database } from '../../src/storage/db.ts';
import { portfolio } from '../../src/storage/portfolio.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

const DAY = 86_400_000;
const day = new Date('2026-11-20T00:00:00Z');
const weekBefore = new Date(day.getTime() - 7 * DAY);
const inDays = (n: number) => new Date(day.getTime() + n * DAY);

interface Hand {
  externalId: string;
  industry: string | null;
  segment: string;
  owner: string;
  arr: number;
  renewsIn: number;
  /** Health Index a week before and on the day; null: no data. */
  was: number | null;
  now: number | null;
  risk: RiskTier | null;
  valueTier: number | null;
  referral: number;
}

// prettier-ignore
const BOOK: Hand[] = [
  { externalId: 'A', industry: 'Software', segment: 'enterprise', owner: 'dana@example.com', arr: 400_000, renewsIn: 30, was: 50, now: 30, risk: 'critical', valueTier: 1, referral: 10 },
  { externalId: 'B', industry: 'Software', segment: 'smb', owner: 'tom@example.com', arr: 20_000, renewsIn: 200, was: 48, now: 50, risk: 'high', valueTier: 3, referral: 30 },
  { externalId: 'C', industry: 'Retail', segment: 'smb', owner: 'dana@example.com', arr: 100_000, renewsIn: 60, was: 75, now: 60, risk: 'medium', valueTier: 2, referral: 50 },
  { externalId: 'D', industry: 'Retail', segment: 'enterprise', owner: 'tom@example.com', arr: 200_000, renewsIn: 10, was: 80, now: 90, risk: 'low', valueTier: 3, referral: 85 },
  { externalId: 'E', industry: null, segment: 'smb', owner: 'tom@example.com', arr: 10_000, renewsIn: 5, was: null, now: null, risk: null, valueTier: null, referral: 0 },
];

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };

  beforeEach(async () => {
    d = await freshDatabase(provider);
    for (const a of BOOK) {
      const account = await d.db.account.create({
        data: {
          externalId: a.externalId,
          name: `Account ${a.externalId}`,
          industry: a.industry,
          segment: a.segment,
          ownerEmail: a.owner,
          arr: a.arr,
          renewalDate: inDays(a.renewsIn),
        },
      });
      for (const [when, index] of [
        [weekBefore, a.was],
        [day, a.now],
      ] as const) {
        await d.db.healthSnapshot.create({
          data: {
            accountId: account.id,
            day: when,
            modelVersion: 'test',
            healthIndex: index,
            riskTier: when === day ? a.risk : index === null ? null : 'medium',
            valueTier: when === day ? a.valueTier : null,
            coverage: index === null ? 0 : 1,
            referralScore: when === day ? a.referral : 0,
            referralReady: when === day && a.referral >= 70,
            arr: a.arr,
            breakdown: {},
            explanation: `${a.externalId} on ${when.toISOString().slice(0, 10)}`,
            measureValues: {},
            computedAt: day,
          },
        });
      }
    }
  });
  afterEach(() => d.close());

  const ref = (externalId: string) => ({
    externalId,
    name: `Account ${externalId}`,
    arr: BOOK.find((a) => a.externalId === externalId)!.arr,
  });

  it('adds up the latest scored day', async () => {
    const p = (await portfolio(d.db, { renewalIndexBelow: 65 }))!;
    expect(p.day).toEqual(day);
    expect(p).toMatchObject({ accounts: 5, scored: 4, totalArr: 730_000 });
    // (30 + 50 + 60 + 90) / 4
    expect(p.averageIndex).toBeCloseTo(57.5, 9);
    // (30 x 400k + 50 x 20k + 60 x 100k + 90 x 200k) / 720k = 37,000k / 720k
    expect(p.arrWeightedIndex).toBeCloseTo(37_000 / 720, 9);
    // A (critical) and B (high) of the four with an index
    expect(p.atRiskShare).toBe(0.5);
    expect(p.arrAtRisk).toBe(420_000);
    expect(p.referralReadyRate).toBe(0.25);
    expect(p.riskDistribution).toEqual({
      low: { accounts: 1, arr: 200_000 },
      medium: { accounts: 1, arr: 100_000 },
      high: { accounts: 1, arr: 20_000 },
      critical: { accounts: 1, arr: 400_000 },
    });
    expect(p.byIndustry).toEqual([
      { industry: 'Software', accounts: 2, averageIndex: 40, arrAtRisk: 420_000 },
      { industry: 'Retail', accounts: 2, averageIndex: 75, arrAtRisk: 0 },
      { industry: null, accounts: 1, averageIndex: null, arrAtRisk: 0 },
    ]);
    expect(p.bySegment).toEqual([
      { segment: 'enterprise', accounts: 2, averageIndex: 60, arrAtRisk: 400_000 },
      { segment: 'smb', accounts: 3, averageIndex: 55, arrAtRisk: 20_000 },
    ]);
  });

  it('lists movers, accounts at risk, referral-ready accounts and renewals at risk', async () => {
    const p = (await portfolio(d.db, { renewalIndexBelow: 65 }))!;
    expect(p.movers.drops).toEqual([
      {
        accountId: expect.any(Number),
        ...ref('A'),
        from: 50,
        to: 30,
        delta: -20,
        explanation: 'A on 2026-11-20',
      },
      {
        accountId: expect.any(Number),
        ...ref('C'),
        from: 75,
        to: 60,
        delta: -15,
        explanation: 'C on 2026-11-20',
      },
    ]);
    expect(p.movers.gains.map((m) => [m.externalId, m.delta])).toEqual([
      ['D', 10],
      ['B', 2],
    ]);
    // By value tier, then ARR.
    expect(p.atRisk).toEqual([
      {
        accountId: expect.any(Number),
        ...ref('A'),
        healthIndex: 30,
        riskTier: 'critical',
        valueTier: 1,
        explanation: 'A on 2026-11-20',
      },
      {
        accountId: expect.any(Number),
        ...ref('B'),
        healthIndex: 50,
        riskTier: 'high',
        valueTier: 3,
        explanation: 'B on 2026-11-20',
      },
    ]);
    expect(p.referralReady).toEqual([
      { accountId: expect.any(Number), ...ref('D'), referralScore: 85, healthIndex: 90 },
    ]);
    // Within 90 days: A (critical), C (60, below 65); not D (90, low), not E (no index), not B (200 days).
    expect(p.renewalsAtRisk).toEqual([
      {
        accountId: expect.any(Number),
        ...ref('A'),
        renewalDate: inDays(30),
        daysToRenewal: 30,
        healthIndex: 30,
        riskTier: 'critical',
      },
      {
        accountId: expect.any(Number),
        ...ref('C'),
        renewalDate: inDays(60),
        daysToRenewal: 60,
        healthIndex: 60,
        riskTier: 'medium',
      },
    ]);
    const tiersOnly = (await portfolio(d.db))!;
    expect(tiersOnly.renewalsAtRisk.map((r) => r.externalId)).toEqual(['A']);
  });

  it('filters by industry, segment and owner, shortens the lists, and reads an earlier day', async () => {
    const retail = (await portfolio(d.db, { industry: 'Retail' }))!;
    expect(retail).toMatchObject({
      accounts: 2,
      scored: 2,
      averageIndex: 75,
      arrAtRisk: 0,
      totalArr: 300_000,
    });
    const dana = (await portfolio(d.db, { owner: 'dana@example.com' }))!;
    expect(dana.atRisk.map((a) => a.externalId)).toEqual(['A']);
    expect(dana.movers.drops.map((m) => m.externalId)).toEqual(['A', 'C']);
    const smb = (await portfolio(d.db, { segment: 'smb', top: 1 }))!;
    expect(smb).toMatchObject({ accounts: 3, scored: 2 });
    expect(smb.movers.drops.map((m) => m.externalId)).toEqual(['C']);
    expect(smb.movers.gains.map((m) => m.externalId)).toEqual(['B']);

    const before = (await portfolio(d.db, { day: weekBefore }))!;
    expect(before).toMatchObject({ day: weekBefore, accounts: 5, scored: 4, atRiskShare: 0 });
    expect(before.averageIndex).toBeCloseTo((50 + 48 + 75 + 80) / 4, 9);
    expect(before.movers).toEqual({ drops: [], gains: [] });
  });

  it('has nothing to show before the first scoring', async () => {
    await d.db.healthSnapshot.deleteMany();
    expect(await portfolio(d.db)).toBeNull();
  });
});
