// The messages around an alert: each change as a line in its thread, the reminder that
// reaches the owner, the escalation in the manager channel, the DM to an assignee, the
// summary of cases past a channel's budget, the `/health cases` list, and the private
// answer to an action that changed nothing. All within Slack's limits, hostile text
// inert.
import { describe, expect, it } from 'vitest';
import type { CaseEventRecord } from '../../../src/cases/case.ts';
import { refuse } from '../../../src/cases/case.ts';
import { CASE_ACTION } from '../../../src/slack/blocks/case-actions.ts';
import { casesListMessage } from '../../../src/slack/blocks/case-list.ts';
import {
  assignedMessage,
  escalationMessage,
  refusalMessage,
  summaryMessage,
  threadLine,
} from '../../../src/slack/blocks/case-messages.ts';
import type { CaseListItem } from '../../../src/storage/cases.ts';
import { at, caseAccount, GREG, MAYA, NOW, OLIVE, openCaseAt } from '../../cases/fixtures.ts';
import { HOSTILE_NAMES } from './fixtures.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

const olive = `<@${OLIVE.slackId}>`;
const greg = `<@${GREG.slackId}>`;
const maya = `<@${MAYA.slackId}>`;
const c = openCaseAt({ id: 42 });
const acme = caseAccount();
const event = (over: Partial<CaseEventRecord>): CaseEventRecord => ({
  actor: OLIVE.slackId,
  action: 'acknowledge',
  fromState: 'open',
  toState: 'acknowledged',
  note: null,
  details: null,
  at: at(1),
  ...over,
});
const items = (n: number, name = (i: number) => `Shop ${i}`): CaseListItem[] =>
  Array.from({ length: n }, (_, i) => ({
    case: openCaseAt({ id: 100 + i, summary: `Usage drop ${i}` }),
    account: caseAccount({ id: 200 + i, name: name(i), externalId: `shop-${i}` }),
  }));

describe('thread lines', () => {
  it('logs each change: who, what, when, and the note', () => {
    const lines = [
      event({}),
      event({
        actor: MAYA.slackId,
        action: 'assign',
        details: { assignee: GREG.slackId, due: '2026-11-27' },
        note: 'call the CTO',
      }),
      event({ action: 'snooze', details: { until: at(24).toISOString() } }),
      event({ actor: 'canary', action: 'wake', at: at(24) }),
      event({ actor: MAYA.slackId, action: 'escalate' }),
      event({ actor: 'canary', action: 'escalate', at: at(25) }),
      event({ action: 'resolve', details: { outcome: 'recovered' }, note: 'usage back' }),
    ].map((e) => threadLine(e, c, acme).text);
    expect(lines).toEqual([
      `👀 ${olive} acknowledged the case · 2026-11-20 10:00 UTC`,
      `👤 ${maya} assigned the case to ${greg}, due 2026-11-27 · 2026-11-20 10:00 UTC\nNote: call the CTO`,
      `😴 ${olive} snoozed the case until 2026-11-21 09:00 UTC · 2026-11-20 10:00 UTC`,
      '⏰ The snooze ended: the case is open again · 2026-11-21 09:00 UTC',
      `🚨 ${maya} escalated the case · 2026-11-20 10:00 UTC`,
      '🚨 Escalated by Canary: nobody acknowledged the case · 2026-11-21 10:00 UTC',
      `✅ ${olive} resolved the case: recovered · 2026-11-20 10:00 UTC\nNote: usage back`,
    ]);
  });

  it('reminds the assignee, else the owner by mention, else by email', () => {
    const remind = event({ actor: 'canary', action: 'remind', at: at(4) });
    expect(threadLine(remind, c, acme).text).toBe(
      `⏰ ${olive}: this case has been open for 4 h without anyone acknowledging it. Acknowledge, assign or snooze it above.`,
    );
    expect(threadLine(remind, { ...c, assigneeSlackId: GREG.slackId }, acme).text).toMatch(
      /^⏰ <@U0GREG0001>: /,
    );
    expect(threadLine(remind, c, { ownerSlackId: null, ownerEmail: 'olive@example.com' }).text).toMatch(
      /^⏰ olive@example\.com: /,
    );
  });
});

describe('escalation, DM, refusal', () => {
  it('escalates into the manager channel with why and a link to the alert', () => {
    const m = escalationMessage({
      case: c,
      account: acme,
      event: event({ actor: 'canary', action: 'escalate' }),
      link: 'https://acme.slack.com/archives/C0ALERTS01/p1700000001000100',
    });
    expect(m.text).toBe('🚨 Escalated: case #42, *Acme Corp* (Sharp drop), nobody acknowledged it in time');
    expect(m.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [
        {
          action_id: CASE_ACTION.link,
          url: 'https://acme.slack.com/archives/C0ALERTS01/p1700000001000100',
          value: '42:1',
        },
      ],
    });
    expectSafe(m);
    expectSafe(
      escalationMessage({
        case: c,
        account: acme,
        event: event({ actor: MAYA.slackId, note: 'big account' }),
        link: null,
      }),
      [maya],
    );
  });

  it('tells the assignee who assigned what, due when, with the alert and its buttons below', () => {
    const assigned = {
      ...c,
      state: 'assigned' as const,
      version: 2,
      assigneeSlackId: GREG.slackId,
      dueOn: new Date('2026-11-27T00:00:00Z'),
    };
    const m = assignedMessage({
      case: assigned,
      account: acme,
      snapshot: null,
      change: { days7: null, days30: null },
      latest: event({ actor: MAYA.slackId, action: 'assign' }),
      now: NOW,
      event: { actor: MAYA.slackId, note: 'they renew in January' },
      link: null,
    });
    expect(m.text).toBe(`${maya} assigned you case #42, *Acme Corp*`);
    expect(mrkdwnStrings(m)[1]).toBe(
      `👤 ${maya} assigned you case #42, *Acme Corp*, due 2026-11-27.\nNote: they renew in January`,
    );
    expect(JSON.stringify(m.blocks)).toContain(`"action_id":"${CASE_ACTION.resolve}","value":"42:2"`);
    expectSafe(m, [maya, olive, greg]);
  });

  it('answers a refused action privately, naming who got there first', () => {
    const m = refusalMessage(
      refuse('stale', 'Someone changed the case first; nothing was done.'),
      event({ actor: MAYA.slackId, action: 'assign' }),
    );
    expect(m.text).toBe(
      `:no_entry: Someone changed the case first; nothing was done. ${maya} assigned it at 2026-11-20 10:00 UTC.`,
    );
    expect(refusalMessage(refuse('forbidden', 'Only a manager may assign this case.'), null).text).toBe(
      ':no_entry: Only a manager may assign this case.',
    );
  });
});

describe('lists', () => {
  it('summarises the cases past the budget, each with a button to open it, within a message', () => {
    const m = summaryMessage({ day: NOW, budget: 20, cases: items(80) });
    expect(m.text).toBe('More recovery cases today: 80');
    const rows = m.blocks.filter((b) => b.type === 'section');
    expect(rows[0]).toMatchObject({ accessory: { action_id: CASE_ACTION.open, value: '100:1' } });
    expect(mrkdwnStrings(m).at(-1)).toMatch(/^…and \d+ more cases/);
    expectSafe(m);
  });

  it('lists cases for /health cases, with those beyond the page counted', () => {
    const mine = casesListMessage({ scope: { kind: 'mine' }, cases: items(3), total: 5 });
    expect(mine.text).toBe('Your open recovery cases: 5');
    expect(mrkdwnStrings(mine).at(-1)).toBe('…and 2 more cases: `canary cases list` lists them all');
    const long = casesListMessage({ scope: { kind: 'all' }, cases: items(70), total: 70 });
    expect(long.blocks.length).toBeLessThanOrEqual(50);
    expectSafe(long);
    const none = casesListMessage({ scope: { kind: 'account', account: acme }, cases: [], total: 0 });
    expect(mrkdwnStrings(none)).toContain('No open recovery cases.');
  });

  it.each(HOSTILE_NAMES)('keeps %j inert in every case message', (name) => {
    const hostile = items(30, () => name).map((i) => ({ ...i, case: { ...i.case, summary: name } }));
    const e = event({
      actor: name,
      note: name,
      details: { assignee: name, due: name, until: NOW.toISOString(), outcome: 'other' },
    });
    for (const action of ['acknowledge', 'assign', 'snooze', 'resolve', 'escalate', 'remind'] as const)
      expectSafe(
        threadLine(
          { ...e, action },
          { ...c, assigneeSlackId: name },
          { ownerSlackId: name, ownerEmail: name },
        ),
      );
    expectSafe(
      escalationMessage({ case: hostile[0]!.case, account: hostile[0]!.account, event: e, link: null }),
    );
    expectSafe(summaryMessage({ day: NOW, budget: 1, cases: hostile }));
    expectSafe(
      casesListMessage({
        scope: { kind: 'account', account: hostile[0]!.account },
        cases: hostile,
        total: 300,
      }),
    );
    expectSafe(refusalMessage(refuse('input', name), e));
  });
});
