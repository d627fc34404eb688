// The alert of a recovery case as the channel sees it, and as it is updated in place
// after each action: what happened, the Health Index and why, the facts, who changed
// the case last and when, and only the buttons its state allows, each carrying the
// case and the version shown. Hostile names, summaries and notes stay inert.
import { describe, expect, it } from 'vitest';
import type { RecoveryCase } from '../../../src/cases/case.ts';
import { alertMessage, type AlertModel } from '../../../src/slack/blocks/alert.ts';
import { CASE_ACTION } from '../../../src/slack/blocks/case-actions.ts';
import { ACTION } from '../../../src/slack/blocks/actions.ts';
import { at, caseAccount, GREG, NOW, OLIVE, openCaseAt } from '../../cases/fixtures.ts';
import { HOSTILE_NAMES } from './fixtures.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

const OLIVE_MENTION = `<@${OLIVE.slackId}>`;

function model(c: Partial<RecoveryCase> = {}, over: Partial<AlertModel> = {}): AlertModel {
  return {
    case: openCaseAt({ id: 42, ...c }),
    account: caseAccount(),
    snapshot: {
      day: new Date('2026-11-20T00:00:00Z').getTime(),
      healthIndex: 41.6,
      grade: 'D',
      colour: 'red',
      riskTier: 'high',
      valueTier: 1,
      explanation: 'drop: active users -35% over 14 days; -9: active users -35% over 14 days (-9)',
    },
    change: { days7: -14, days30: -20 },
    latest: null,
    now: NOW,
    ...over,
  };
}

/** Each interactive element of the message: action id and value (a menu: its options' values). */
function controls(m: ReturnType<typeof alertMessage>) {
  return m.blocks.flatMap((b) =>
    b.type === 'actions'
      ? b.elements.map((e) =>
          e.type === 'overflow'
            ? [e.action_id, e.options.map((o) => o.value)]
            : [('action_id' in e && e.action_id) || '', 'value' in e ? e.value : undefined],
        )
      : [],
  );
}

describe('the alert', () => {
  it('says what happened, the Health Index and why, the facts, and offers every action of an open case', () => {
    const m = alertMessage(model());
    expect(m.text).toBe('Sharp drop: Acme Corp: Usage drop: active users -35% over 14 days (🔔 Open)');
    const text = mrkdwnStrings(m).join('\n');
    expect(m.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Sharp drop: Acme Corp' } });
    expect(text).toContain('*What happened:* Usage drop: active users -35% over 14 days');
    expect(text).toContain('*Health Index 41.6* 🔴  grade *D* · risk *high* · value tier *1* (2026-11-20)');
    expect(text).toContain('↓ -14 over 7 days · -20 over 30 days');
    expect(text).toContain('*Why:* drop: active users -35% over 14 days');
    expect(text).toContain('*ARR*\n$250k');
    expect(text).toContain('*Renewal*\n2027-01-04 (in 45 days)');
    expect(text).toContain(`*Owner*\n${OLIVE_MENTION}`);
    expect(text).toContain('*Case #42*\n🔔 Open');
    expect(text).toContain('🔔 Open since 2026-11-20 09:00 UTC');
    expect(controls(m)).toEqual([
      [CASE_ACTION.acknowledge, '42:1'],
      [CASE_ACTION.assign, '42:1'],
      [CASE_ACTION.escalate, '42:1'],
      [CASE_ACTION.resolve, '42:1'],
      [CASE_ACTION.snooze, ['42:1:1d', '42:1:7d', '42:1:date']],
      [ACTION.openCard, '7'],
    ]);
    expectSafe(m, [OLIVE_MENTION]);
  });

  it('updated in place: who changed it and when, the buttons of the new state, at the new version', () => {
    const acked = alertMessage(
      model(
        { state: 'acknowledged', version: 2 },
        { latest: { actor: OLIVE.slackId, action: 'acknowledge', at: at(1), note: null } },
      ),
    );
    expect(mrkdwnStrings(acked)).toContain(`👀 Acknowledged by ${OLIVE_MENTION} at 2026-11-20 10:00 UTC`);
    expect(controls(acked).map(([id, value]) => [id, Array.isArray(value) ? value[0] : value])).toEqual([
      [CASE_ACTION.assign, '42:2'],
      [CASE_ACTION.escalate, '42:2'],
      [CASE_ACTION.resolve, '42:2'],
      [CASE_ACTION.snooze, '42:2:1d'],
      [ACTION.openCard, '7'],
    ]);

    const assigned = alertMessage(
      model(
        {
          state: 'assigned',
          version: 3,
          assigneeSlackId: GREG.slackId,
          dueOn: new Date('2026-11-27T00:00:00Z'),
        },
        { latest: { actor: 'U0MAYA0001', action: 'assign', at: at(2), note: 'call them' } },
      ),
    );
    expect(mrkdwnStrings(assigned).join('\n')).toContain(
      `👤 Assigned\nAssigned to <@${GREG.slackId}>, due 2026-11-27`,
    );
    expectSafe(assigned, [OLIVE_MENTION, `<@${GREG.slackId}>`, '<@U0MAYA0001>']);

    const snoozed = alertMessage(
      model(
        { state: 'snoozed', version: 4, snoozedUntil: at(24) },
        { latest: { actor: OLIVE.slackId, action: 'snooze', at: at(3), note: null } },
      ),
    );
    expect(mrkdwnStrings(snoozed)).toContain(
      `😴 Snoozed by ${OLIVE_MENTION} at 2026-11-20 12:00 UTC until 2026-11-21 09:00 UTC`,
    );

    const resolved = alertMessage(
      model(
        { state: 'resolved', version: 5, outcome: 'false_alarm', note: 'seasonal dip', resolvedAt: at(4) },
        { latest: { actor: OLIVE.slackId, action: 'resolve', at: at(4), note: 'seasonal dip' } },
      ),
    );
    expect(mrkdwnStrings(resolved)).toContain(
      `✅ Resolved by ${OLIVE_MENTION} at 2026-11-20 13:00 UTC: false alarm · seasonal dip`,
    );
    expect(controls(resolved)).toEqual([[ACTION.openCard, '7']]);
  });

  it('shows a rule that fired again, and an account never scored', () => {
    const m = alertMessage(
      model(
        { timesFired: 3, lastFiredAt: at(48) },
        { snapshot: null, change: { days7: null, days30: null } },
      ),
    );
    const text = mrkdwnStrings(m).join('\n');
    expect(text).toContain('_(fired 3 times, latest 2026-11-22 09:00 UTC)_');
    expect(text).toContain('No Health Index yet: the account has not been scored.');
  });

  it.each(HOSTILE_NAMES)('keeps %j inert everywhere it can appear', (name) => {
    const m = alertMessage(
      model(
        { summary: name, note: name, state: 'resolved', outcome: 'other', assigneeSlackId: name },
        {
          account: caseAccount({ name, externalId: name, ownerSlackId: name, ownerEmail: name }),
          snapshot: { ...model().snapshot!, explanation: name },
          latest: { actor: name, action: 'resolve', at: at(1), note: name },
        },
      ),
    );
    expectSafe(m);
  });
});
