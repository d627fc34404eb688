// A digest composed from figures and built as a message: each asked-for section with
// its accounts, long lists cut with "and N more" counting every account beyond those
// shown, the warning when the scores are older than they should be, the late note,
// the empty cases; always within Slack's limits, hostile names and filters inert.
import { describe, expect, it } from 'vitest';
import { composeDigest, referenceDay, suggestedAsk, type ComposeInput } from '../../src/digest/compose.ts';
import { SECTIONS, type DigestSection } from '../../src/digest/subscription.ts';
import { digestMessage } from '../../src/slack/blocks/digest.ts';
import type { DigestBook } from '../../src/storage/digests.ts';
import type { Mover } from '../../src/storage/portfolio.ts';
import { atRiskAccounts, BANDS, DAY, HOSTILE_NAMES, portfolio, TODAY } from '../slack/blocks/fixtures.ts';
import { expectSafe, mrkdwnStrings } from '../slack/blocks/limits.ts';

const since = new Date(TODAY.getTime() - DAY);
const slot = { at: new Date('2026-11-21T08:00:00Z'), late: false };

function drops(n: number, name = (i: number) => `Dropper ${i}`): Mover[] {
  return Array.from({ length: n }, (_, i) => ({
    accountId: 100 + i,
    externalId: `drop-${i}`,
    name: name(i),
    arr: 90_000,
    from: 70,
    to: 70 - 20 + i, // falls of 20, 19, ... points
    delta: -20 + i,
    explanation: '-20 over 1 day: active users -32% over 14 days (-9)',
  }));
}

function book(
  over: { n?: number; name?: (i: number) => string; totals?: Partial<DigestBook['totals']> } = {},
) {
  const n = over.n ?? 10;
  const name = over.name ?? ((i: number) => `Account ${i}`);
  const p = portfolio({
    atRisk: atRiskAccounts(n, name),
    movers: { drops: drops(n, name), gains: [] },
    renewalsAtRisk: Array.from({ length: n }, (_, i) => ({
      accountId: 300 + i,
      externalId: `ren-${i}`,
      name: name(i),
      arr: 40_000,
      renewalDate: new Date(TODAY.getTime() + (i + 5) * DAY),
      daysToRenewal: i + 5,
      healthIndex: 50,
      riskTier: 'high' as const,
    })),
  });
  const b: DigestBook = {
    portfolio: p,
    averageBefore: 63.94,
    referralReady: Array.from({ length: n }, (_, i) => ({
      accountId: 200 + i,
      externalId: `ref-${i}`,
      name: name(i),
      arr: i % 2 ? 150_000 : 20_000,
      referralScore: 90 - i,
      healthIndex: 88,
      segment: null,
      newlyReady: i < 2,
    })),
    totals: { atRisk: n, dropped: n, referralReady: n, renewalsAtRisk: n, ...over.totals },
  };
  return b;
}

function input(
  over: Partial<ComposeInput> = {},
  sections: readonly DigestSection[] = SECTIONS,
): ComposeInput {
  return {
    subscription: { filters: {}, sections, timeZone: 'Europe/Paris' },
    book: book(),
    since,
    expectedDay: TODAY,
    latestRun: { day: TODAY },
    slot,
    now: slot.at,
    ...over,
  };
}

const message = (i: ComposeInput, charts = { risk: null, health: null }) =>
  digestMessage({ digest: composeDigest(i), bands: BANDS, charts });
const texts = (i: ComposeInput) => mrkdwnStrings(message(i)).join('\n');

describe('digest composition', () => {
  it('counts changes from the last digest, else the previous slot, else the day before', () => {
    const day = TODAY;
    const earlier = new Date(day.getTime() - 3 * DAY);
    expect(referenceDay(day, earlier, since)).toEqual(earlier);
    expect(referenceDay(day, null, earlier)).toEqual(earlier);
    expect(referenceDay(day, null, day)).toEqual(since);
    expect(referenceDay(day, day, null)).toEqual(since);
  });

  it('suggests a bigger ask of readier, larger accounts', () => {
    expect(suggestedAsk({ referralScore: 90, arr: 200_000, segment: 'smb' })).toBe(
      'a case study or a reference call',
    );
    expect(suggestedAsk({ referralScore: 90, arr: 10_000, segment: 'smb' })).toBe(
      'an introduction to a peer',
    );
    expect(suggestedAsk({ referralScore: 75, arr: 10_000, segment: 'enterprise' })).toBe(
      'a reference call with a prospect',
    );
    expect(suggestedAsk({ referralScore: 75, arr: null, segment: null })).toBe('a review on G2 or Capterra');
  });

  it('keeps only falls of 5 points or more as dropped, and the average change', () => {
    const d = composeDigest(input());
    expect(d.dropped!.items.map((m) => m.from - m.to)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
    const few = composeDigest(
      input({ book: { ...book(), portfolio: portfolio({ movers: { drops: drops(20), gains: [] } }) } }),
    );
    expect(few.dropped!.items.map((m) => m.from - m.to).at(-1)).toBe(5);
    expect(d.averageChange).toBeCloseTo(62.44 - 63.94);
    expect(d.referrals!.items[0]).toMatchObject({ newlyReady: true, ask: 'an introduction to a peer' });
  });

  it('shows only the sections asked for', () => {
    const d = composeDigest(input({}, ['renewals']));
    expect(d).toMatchObject({ atRisk: null, dropped: null, referrals: null, cases: null, charts: false });
    expect(d.renewals!.items).toHaveLength(10);
    const text = texts(input({}, ['renewals']));
    expect(text).toContain('*Renewals in the next 90 days with weak scores* · 10');
    expect(text).not.toContain('Accounts at risk');
  });
});

describe('digest message', () => {
  it('shows the headline and every section, each account with its line', () => {
    const m = message(input({ casesWaiting: { items: [], total: 0 } }));
    expectSafe(m);
    const text = mrkdwnStrings(m).join('\n');
    expect(m.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Canary digest' } });
    expect(text).toContain('Scores of 2026-11-20 · Sat, 21 Nov 2026, 09:00 (Europe/Paris)');
    expect(text).toContain('*Average Health Index*\n62.4');
    expect(text).toContain('Average Health Index -1.5 since 2026-11-19');
    expect(text).toContain('*Accounts at risk* · 10, most valuable first');
    expect(text).toContain('*Account 0* (acct-1) · 30.0 critical · value tier 1 · $1.0M ARR');
    expect(text).toContain('*Dropped since 2026-11-19* · 10');
    expect(text).toContain('70.0 → 50.0 (-20.0) · $90.0k ARR');
    expect(text).toContain('🆕 newly ready · readiness 90.0 · Health Index 88.0');
    expect(text).toContain('Suggested ask: an introduction to a peer');
    expect(text).toContain('renews 2026-11-25 (in 5 days) · 50.0 high · $40.0k ARR');
    expect(text).toContain('*Open cases waiting for an owner* · 0\nEvery open case has an owner.');
    expect(m.text).toBe(
      'Canary digest, scores of 2026-11-20: 10 at risk ($1.2M ARR), 10 dropped since 2026-11-19, 10 referral-ready, 10 renewals at risk, 0 cases waiting for an owner',
    );
  });

  it('cuts long lists with "and N more" counting the accounts beyond those fetched, within Slack limits', () => {
    const m = message(
      input({
        book: book({ n: 10, totals: { atRisk: 140, dropped: 12, referralReady: 31, renewalsAtRisk: 10 } }),
      }),
    );
    expectSafe(m);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    const text = mrkdwnStrings(m).join('\n');
    const shown = (prefix: string) =>
      m.blocks.filter((b) => JSON.stringify(b).includes(`(${prefix}-`)).length;
    const more = (what: string) => Number(new RegExp(`…and (\\d+) more ${what}`).exec(text)?.[1]);
    expect(shown('acct') + more('at risk')).toBe(140);
    expect(shown('drop') + more('dropped')).toBe(12);
    expect(shown('ref') + more('referral-ready')).toBe(31);
    expect(text).toMatch(/more at risk: `\/health at-risk 50`/);
    expect(text).toMatch(/more referral-ready: `\/health referrals`/);
  });

  it('warns when the scores are older than they should be, and says when it is late', () => {
    const stale = texts(
      input({
        latestRun: { day: since },
        book: { ...book(), portfolio: portfolio({ day: since }) },
        slot: { ...slot, late: true },
      }),
    );
    expect(stale).toContain(
      '⚠️ *These scores are from 2026-11-19*: the scoring of 2026-11-20 has not completed, so they are the latest Canary has.',
    );
    expect(stale).toContain(
      '⏰ Late: this digest was due Sat, 21 Nov 2026, 09:00 (Europe/Paris), when Canary was not running.',
    );
    expect(texts(input())).not.toMatch(/These scores are from|Late:/);
  });

  it('says so when nothing is scored yet, or nothing matches the filters', () => {
    const none = message(input({ book: null, latestRun: null }));
    expectSafe(none);
    expect(none.text).toBe('No scores yet: Canary has not completed a scoring run.');
    const empty = message(
      input({
        subscription: { filters: { segment: 'nobody' }, sections: SECTIONS, timeZone: 'UTC' },
        book: { ...book(), portfolio: portfolio({ scored: 0, accounts: 0 }) },
      }),
    );
    expect(empty.text).toBe("No account matches this digest's filters on 2026-11-20.");
    expect(empty.blocks[0]).toMatchObject({ text: { text: 'Canary digest: segment nobody' } });
  });

  it('shows the charts when it has them', () => {
    const m = message(input(), { risk: { slackFileId: 'F1' }, health: { slackFileId: 'F2' } } as never);
    expectSafe(m);
    expect(m.blocks.filter((b) => b.type === 'image')).toMatchObject([
      { slack_file: { id: 'F1' }, title: { text: 'Risk distribution' } },
      { slack_file: { id: 'F2' }, title: { text: 'Health by industry' } },
    ]);
    expect(mrkdwnStrings(m).join('\n')).toContain('*Health by industry*');
  });

  it('keeps hostile account names and filters inert, within the limits', () => {
    for (const name of HOSTILE_NAMES) {
      const m = message(
        input({
          subscription: { filters: { segment: name, industry: name }, sections: SECTIONS, timeZone: 'UTC' },
          book: book({ n: 10, name: () => name, totals: { atRisk: 500 } }),
          casesWaiting: {
            items: [
              {
                id: 7,
                account: { accountId: 1, externalId: name, name, arr: 1 },
                reason: name,
                openedAt: TODAY,
              },
            ],
            total: 40,
          },
        }),
      );
      expectSafe(m);
    }
  });
});
