// Every builder given the names a CRM export could hold (`<!channel> *Acme*`,
// `<@U123>`, `&lt;`, 5000 characters, emoji, right-to-left text) renders them inert:
// no ping, no mention, no link, no formatting, nothing over a limit. And the checker
// those tests lean on catches what it should.
import { describe, expect, it } from 'vitest';
import { appHome } from '../../../src/slack/blocks/app-home.ts';
import { healthCard } from '../../../src/slack/blocks/health-card.ts';
import { header, section } from '../../../src/slack/blocks/kit.ts';
import { atRiskMessage, moversMessage, referralsMessage } from '../../../src/slack/blocks/lists.ts';
import { pickList } from '../../../src/slack/blocks/pick-list.ts';
import { portfolioMessage } from '../../../src/slack/blocks/portfolio.ts';
import { inChannel } from '../../../src/slack/blocks/share.ts';
import type { KnownBlock } from '../../../src/slack/blocks/text.ts';
import { atRiskAccounts, BANDS, cardModel, HOSTILE_NAMES, portfolio, snapshot, TODAY } from './fixtures.ts';
import { expectSafe, injectionProblems, limitProblems, mrkdwnStrings } from './limits.ts';
import { caseAccount, openCaseAt } from '../../cases/fixtures.ts';

function everyView(name: string) {
  const base = cardModel();
  const accounts = atRiskAccounts(60, () => name).map((a) => ({
    ...a,
    explanation: `${name} ${a.explanation}`,
  }));
  const mover = { ...accounts[0]!, from: 60, to: 40, delta: -20 };
  const card = healthCard({
    ...base,
    account: {
      ...base.account,
      name,
      domain: name,
      industry: name,
      segment: name,
      ownerEmail: name,
      ownerSlackId: name,
    },
    snapshot: snapshot({
      explanation: name,
      drops: [{ rule: 'r', label: name, detail: name }],
      leadingIndicators: [name],
      referral: { score: 10, ready: false, parts: {}, blockers: [name] },
      modelVersion: name,
      segmentRule: name,
    }),
    openCase: { id: name, state: name },
  });
  const p = portfolio({ byIndustry: [{ industry: name, accounts: 3, averageIndex: 50, arrAtRisk: 0 }] });
  return {
    card,
    shared: inChannel(card, name),
    pickMany: pickList({
      query: name,
      matches: accounts.map((a) => ({ ...a, id: a.accountId, domain: name })),
      suggestions: [],
    }),
    pickFew: pickList({
      query: name,
      matches: [],
      suggestions: accounts.slice(0, 3).map((a) => ({ ...a, id: a.accountId, domain: name })),
    }),
    portfolio: portfolioMessage({
      portfolio: p,
      bands: BANDS,
      filter: { industry: name, segment: name },
      charts: { risk: null, health: null },
    }),
    atRisk: atRiskMessage({ day: TODAY, accounts, total: 60 }),
    referrals: referralsMessage({
      day: TODAY,
      accounts: accounts.map((a) => ({ ...a, referralScore: 90 })),
      total: 60,
    }),
    movers: moversMessage({ day: TODAY, drops: [mover], gains: [] }),
    home: appHome({
      portfolio: p,
      bands: BANDS,
      charts: { risk: null, health: null },
      myAccounts: accounts.map((a) => ({
        ...a,
        grade: 'D',
        colour: 'red',
        explanation: name,
        churnedOn: null,
      })),
      openCases: [{ case: openCaseAt({ summary: name }), account: caseAccount({ name, externalId: name }) }],
    }),
  };
}

describe.each(HOSTILE_NAMES.map((n) => [n.length > 40 ? `${n.slice(0, 20)}… (${n.length})` : n, n]))(
  'an account named %s',
  (_, name) => {
    for (const [view, surface] of Object.entries(everyView(name))) {
      it(`renders inert in the ${view}`, () => {
        expectSafe(surface);
        const text = mrkdwnStrings(surface).join('\n');
        expect(text).not.toContain('<!');
        expect(text).not.toContain('<@U123>');
        for (const formatted of ['*Acme*', '_x_', '~x~', '`x`']) expect(text).not.toContain(formatted);
        expect(text).not.toContain('\u202e');
      });
    }
  },
);

describe('the limits checker', () => {
  const message = (blocks: KnownBlock[]) => ({ text: 'x', blocks });

  it('catches too many blocks, long texts and long labels', () => {
    expect(limitProblems(message(Array.from({ length: 51 }, () => section('x'))))).not.toEqual([]);
    const long = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } } as KnownBlock;
    expect(limitProblems(message([long]))).not.toEqual([]);
    const longHeader = { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } } as KnownBlock;
    expect(limitProblems(message([longHeader]))).not.toEqual([]);
    const context = { type: 'context', elements: [{ type: 'mrkdwn', text: 'x'.repeat(2001) }] } as KnownBlock;
    expect(limitProblems(message([context]))).not.toEqual([]);
    expect(limitProblems({ text: '', blocks: [header('x')] })).not.toEqual([]);
    const big = Array.from({ length: 5 }, () => section('x'.repeat(2900)));
    expect(limitProblems(message(big))).not.toEqual([]);
  });

  it('catches raw < > & and unexpected mentions in mrkdwn', () => {
    const raw = (text: string) => message([{ type: 'section', text: { type: 'mrkdwn', text } }]);
    expect(injectionProblems(raw('<!channel>'))).not.toEqual([]);
    expect(injectionProblems(raw('a & b'))).not.toEqual([]);
    expect(injectionProblems(raw('owner <@U1>'))).not.toEqual([]);
    expect(injectionProblems(raw('owner <@U1>'), ['<@U1>'])).toEqual([]);
    expect(injectionProblems(raw('&lt;b&gt; &amp;'))).toEqual([]);
  });
});
