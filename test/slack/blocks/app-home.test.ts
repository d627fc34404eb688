// The App Home: the portfolio at a glance, the viewer's accounts most at risk and most
// valuable first, open cases once they exist; within 100 blocks with 1000 accounts.
import { describe, expect, it } from 'vitest';
import { ACTION } from '../../../src/slack/blocks/actions.ts';
import { CASE_ACTION } from '../../../src/slack/blocks/case-actions.ts';
import { appHome, type OwnedAccount } from '../../../src/slack/blocks/app-home.ts';
import { LIMITS } from '../../../src/slack/blocks/text.ts';
import { BANDS, portfolio } from './fixtures.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';
import { caseAccount, openCaseAt } from '../../cases/fixtures.ts';

const owned = (i: number, over: Partial<OwnedAccount> = {}): OwnedAccount => ({
  accountId: i,
  externalId: `o-${i}`,
  name: `Owned ${i}`,
  arr: 10_000 * i,
  healthIndex: 60,
  grade: 'C',
  colour: 'yellow',
  riskTier: 'medium',
  valueTier: 3,
  explanation: '60 (C): latest NPS 9 (+4)',
  churnedOn: null,
  ...over,
});

const charts = { risk: { slackFileId: 'F0RISK' }, health: { slackFileId: 'F0HEALTH' } };
const rowNames = (texts: string[]) => texts.flatMap((t) => t.match(/\*Owned \d+\*/g) ?? []);

describe('App Home', () => {
  it("shows the portfolio at a glance and the viewer's accounts, most at risk then most valuable first", () => {
    const view = appHome({
      portfolio: portfolio(),
      bands: BANDS,
      charts,
      myAccounts: [
        owned(1),
        owned(2, { riskTier: 'critical', healthIndex: 20, grade: 'D', colour: 'red', valueTier: 1 }),
        owned(3, {
          healthIndex: null,
          grade: null,
          colour: null,
          riskTier: null,
          valueTier: null,
          explanation: null,
        }),
        owned(4),
      ],
    });
    expect(view.type).toBe('home');
    const texts = mrkdwnStrings(view);
    const all = texts.join('\n');
    expect(all).toContain('*Average Health Index*\n62.4 (ARR-weighted 58.1)');
    expect(all).toContain('*Risk distribution*');
    expect(all).toContain('*Health by industry*');
    expect(rowNames(texts)).toEqual(['*Owned 2*', '*Owned 4*', '*Owned 1*', '*Owned 3*']);
    expect(all).toContain(
      '*Owned 2* (o-2) · 🔴 20.0 (D) critical · value tier 1 · $20.0k ARR\n60 (C): latest NPS 9 (+4)',
    );
    expect(all).toContain('*Owned 3* (o-3) · ⚪ no Health Index · $30.0k ARR');
    expect(JSON.stringify(view)).toContain(`"action_id":"${ACTION.openCard}","value":"2"`);
    expect(all).not.toContain('recovery cases');
    expectSafe(view);
  });

  it('stays within 100 blocks with 1000 accounts, and says how many more', () => {
    const view = appHome({
      portfolio: portfolio(),
      bands: BANDS,
      charts,
      myAccounts: Array.from({ length: 1000 }, (_, i) => owned(i + 1)),
      openCases: Array.from({ length: 40 }, (_, i) => ({
        case: openCaseAt({ id: i + 1 }),
        account: caseAccount({ id: i + 1, name: `Owned ${i + 1}`, externalId: `o-${i + 1}` }),
      })),
    });
    expect(view.blocks.length).toBeLessThanOrEqual(LIMITS.homeBlocks);
    const all = mrkdwnStrings(view).join('\n');
    expect(all).toMatch(/…and \d+ more of yours/);
    expect(all).toContain('…and 30 more open cases');
    expect(all).toContain('1,000 accounts you own');
    expectSafe(view);
  });

  it('lists open cases once they exist, and says when there are none', () => {
    const withCase = appHome({
      portfolio: portfolio(),
      bands: BANDS,
      charts,
      myAccounts: [],
      openCases: [
        {
          case: openCaseAt({ id: 12, state: 'acknowledged', version: 2 }),
          account: caseAccount({ id: 1, name: 'Owned 1', externalId: 'o-1' }),
        },
      ],
    });
    const all = mrkdwnStrings(withCase).join('\n');
    expect(all).toContain('*Owned 1* (o-1) · case #12 · 👀 Acknowledged');
    // The buttons its state allows, each carrying the case and the version shown.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const buttons: any[] = withCase.blocks.flatMap((b) => (b.type === 'actions' ? (b as any).elements : []));
    expect(buttons.map((e) => e.action_id)).toEqual([
      CASE_ACTION.assign,
      CASE_ACTION.escalate,
      CASE_ACTION.resolve,
      CASE_ACTION.snooze,
    ]);
    expect(buttons.filter((e) => e.value).every((e) => e.value === '12:2')).toBe(true);
    expect(all).toContain('You own no accounts in Canary');
    const none = appHome({ portfolio: null, bands: BANDS, charts, myAccounts: [], openCases: [] });
    expect(mrkdwnStrings(none).join('\n')).toContain('No open recovery cases.');
    expect(mrkdwnStrings(none).join('\n')).toContain('No scores yet');
    expectSafe(none);
  });
});
