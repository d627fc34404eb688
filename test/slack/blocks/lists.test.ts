// The ranked lists: each account's line as canary report words it, with a button to
// open its card; as many as fit (50 blocks, the text budget), then "and N more".
import { describe, expect, it } from 'vitest';
import { ACTION, parseAnswer } from '../../../src/slack/blocks/actions.ts';
import { atRiskMessage, moversMessage, referralsMessage } from '../../../src/slack/blocks/lists.ts';
import { LIMITS } from '../../../src/slack/blocks/text.ts';
import type { Mover } from '../../../src/storage/portfolio.ts';
import { atRiskAccounts, TODAY } from './fixtures.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

const shareValue = (m: { blocks: unknown[] }) =>
  parseAnswer((m.blocks.at(-1) as { elements: { value: string }[] }).elements[0]!.value);

describe('accounts at risk', () => {
  it('gives each account its index, tier, value tier, ARR and explanation, with a button to its card', () => {
    const m = atRiskMessage({ day: TODAY, accounts: atRiskAccounts(3), total: 3 });
    const text = mrkdwnStrings(m).join('\n');
    expect(m.text).toBe('Accounts at risk: 3 of 3');
    expect(text).toContain('High or critical risk on 2026-11-20, most valuable first');
    expect(text).toContain(
      '*Account 0* (acct-1) · 30.0 critical · value tier 1 · $1.0M ARR\ndrop: Health Index -20 in 7 days (from 50)',
    );
    const row = m.blocks[2] as { accessory: { action_id: string; value: string } };
    expect(row.accessory).toMatchObject({ action_id: ACTION.openCard, value: '1' });
    expect(shareValue(m)).toEqual({ kind: 'at-risk', day: '2026-11-20', n: 3 });
    expectSafe(m);
  });

  it('keeps 500 accounts within 50 blocks and the text budget, and says how many more', () => {
    const m = atRiskMessage({ day: TODAY, accounts: atRiskAccounts(500), total: 812 });
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    const shown = m.blocks.filter((b) => 'accessory' in b).length;
    const text = mrkdwnStrings(m).join('\n');
    expect(text).toContain(`…and ${500 - shown} more at risk: open any with \`/health &lt;account&gt;\``);
    expect(text).toContain('`canary report --top 812` lists them all');
    expect(m.blocks.at(-1)!.type).toBe('actions');
    expectSafe(m);
  });

  it('says when no account is at risk', () => {
    const m = atRiskMessage({ day: TODAY, accounts: [], total: 0 });
    expect(mrkdwnStrings(m).join('\n')).toContain('No account is at risk on 2026-11-20.');
    expectSafe(m);
  });
});

describe('referral-ready accounts', () => {
  it('gives readiness and Health Index per account, and fits 500 of them', () => {
    const accounts = atRiskAccounts(500).map((a) => ({ ...a, referralScore: 88, healthIndex: 91 }));
    const m = referralsMessage({ day: TODAY, accounts, total: 500 });
    expect(mrkdwnStrings(m).join('\n')).toContain(
      '*Account 0* (acct-1) · readiness 88.0, Health Index 91.0 · $1.0M ARR',
    );
    expect(mrkdwnStrings(m).join('\n')).toMatch(/…and \d+ more referral-ready/);
    expect(shareValue(m)).toEqual({ kind: 'referrals', day: '2026-11-20' });
    expectSafe(m);
  });
});

describe('movers', () => {
  const mover = (i: number, delta: number): Mover => ({
    accountId: i,
    externalId: `m-${i}`,
    name: `Mover ${i}`,
    arr: 50_000,
    from: 60,
    to: 60 + delta,
    delta,
    explanation: `${delta > 0 ? '+' : ''}${delta} over 7 days: active users ${delta > 0 ? '+' : '-'}20% over 14 days (${delta})`,
  });

  it('gives drops and gains with what moved them', () => {
    const m = moversMessage({ day: TODAY, drops: [mover(1, -12)], gains: [mover(2, 8)] });
    const text = mrkdwnStrings(m).join('\n');
    expect(text).toContain('*Biggest drops in 7 days*\n');
    expect(text).toContain(
      '*Mover 1* (m-1) · 60.0 → 48.0 (-12.0) · $50.0k ARR\n-12 over 7 days: active users -20% over 14 days (-12)',
    );
    expect(text).toContain('*Mover 2* (m-2) · 60.0 → 68.0 (+8.0) · $50.0k ARR\n+8 over 7 days');
    expect(shareValue(m)).toEqual({ kind: 'movers', day: '2026-11-20' });
    expectSafe(m);
  });

  it('shares the room between drops and gains when both are long', () => {
    const drops = Array.from({ length: 500 }, (_, i) => mover(i, -10));
    const gains = Array.from({ length: 500 }, (_, i) => mover(1000 + i, 10));
    const m = moversMessage({ day: TODAY, drops, gains });
    const text = mrkdwnStrings(m).join('\n');
    expect(text).toMatch(/…and \d+ more drops/);
    expect(text).toMatch(/…and \d+ more gains/);
    expect(text).toContain('*Biggest gains in 7 days*');
    expect(text).toContain('Mover 1000');
    expectSafe(m);
  });

  it('says when nothing moved', () => {
    const m = moversMessage({ day: TODAY, drops: [], gains: [] });
    expect(mrkdwnStrings(m).join('\n')).toContain('No Health Index moved in the 7 days to 2026-11-20.');
  });
});
