// The case state machine as a CSM and a manager meet it: each action from each state,
// who may take it, what the event records, refusals in plain words, and what the clock
// owes a case left open or snoozed.
import { describe, expect, it } from 'vitest';
import {
  actorFor,
  CANARY_ACTOR,
  clockKey,
  dueActions,
  snoozeEnd,
  STATES,
  transition,
  type Actor,
  type CaseAction,
  type CaseState,
} from '../../src/cases/case.ts';
import { at, BOB, DAY, GREG, MARK, MAYA, NOW, OLIVE, openCaseAt, rules } from './fixtures.ts';

const r = rules();
const acme = { ownerSlackId: OLIVE.slackId, ownerEmail: OLIVE.email };
const owner = actorFor(r, OLIVE, acme, null);
const manager = actorFor(r, MAYA, acme, null);
const bystander = actorFor(r, BOB, acme, null);

describe('who acts', () => {
  it('knows managers by Slack id or email (any case), owners by Slack id or email, and the assignee', () => {
    expect(manager).toEqual({ kind: 'person', slackId: MAYA.slackId, manager: true, owner: false });
    expect(actorFor(r, { slackId: 'U0OTHER001', email: 'MARK@example.COM' }, acme, null)).toMatchObject({
      manager: true,
    });
    expect(actorFor(r, MARK, acme, null)).toMatchObject({ manager: true, owner: false });
    expect(actorFor(r, { slackId: 'U0OTHER001', email: 'Olive@Example.com' }, acme, null)).toMatchObject({
      owner: true,
    });
    expect(owner).toMatchObject({ manager: false, owner: true });
    expect(bystander).toMatchObject({ manager: false, owner: false });
    expect(actorFor(r, GREG, acme, { assigneeSlackId: GREG.slackId })).toMatchObject({ owner: true });
    // No email on file is no match, not a match of two missing emails.
    expect(
      actorFor(r, { slackId: 'U0OTHER001', email: null }, { ownerSlackId: null, ownerEmail: null }, null),
    ).toMatchObject({
      owner: false,
    });
  });
});

describe('transitions', () => {
  it('acknowledge: open -> acknowledged by the owner; the version and revision move on; the event says who and when', () => {
    const result = transition(openCaseAt(), { kind: 'acknowledge' }, owner, at(1));
    expect(result).toEqual({
      refused: false,
      case: openCaseAt({ state: 'acknowledged', version: 2, revision: 2, updatedAt: at(1) }),
      event: {
        actor: OLIVE.slackId,
        action: 'acknowledge',
        fromState: 'open',
        toState: 'acknowledged',
        note: null,
        details: null,
        at: at(1),
      },
    });
  });

  it('assign: by a manager, to a person, with a due date and a note; the assignee and due date are recorded', () => {
    const due = new Date('2026-11-27T00:00:00Z');
    const result = transition(
      openCaseAt({ state: 'acknowledged' }),
      { kind: 'assign', assignee: GREG.slackId, dueOn: due, note: '  call the champion  ' },
      manager,
      at(1),
    );
    expect(result).toMatchObject({
      refused: false,
      case: { state: 'assigned', assigneeSlackId: GREG.slackId, dueOn: due, version: 2 },
      event: { note: 'call the champion', details: { assignee: GREG.slackId, due: '2026-11-27' } },
    });
  });

  it('refuses bad input in words a person can act on', () => {
    const assign = (assignee: string, dueOn: Date | null, note: string | null = null) =>
      transition(openCaseAt(), { kind: 'assign', assignee, dueOn, note }, manager, NOW);
    expect(assign('#general', null)).toMatchObject({
      refused: true,
      reason: 'input',
      message: 'Pick a person in Slack to assign the case to.',
    });
    expect(assign(GREG.slackId, new Date('2026-11-19T00:00:00Z'))).toMatchObject({
      reason: 'input',
      message: 'The due date 2026-11-19 has passed.',
    });
    // Today is still a fine due date.
    expect(assign(GREG.slackId, new Date('2026-11-20T00:00:00Z'))).toMatchObject({ refused: false });
    expect(assign(GREG.slackId, null, 'x'.repeat(2001))).toMatchObject({
      reason: 'input',
      message: 'a note is at most 2000 characters',
    });
    expect(transition(openCaseAt(), { kind: 'snooze', until: NOW }, owner, NOW)).toMatchObject({
      reason: 'input',
      message: 'A snooze must end in the future.',
    });
    expect(
      transition(
        openCaseAt({ state: 'assigned', assigneeSlackId: GREG.slackId }),
        { kind: 'assign', assignee: GREG.slackId, dueOn: null, note: null },
        manager,
        NOW,
      ),
    ).toMatchObject({ reason: 'state', message: 'The case is already assigned to them.' });
  });

  it('snooze and wake: snoozed until a time, then open again with the reminder clock restarted', () => {
    const snoozed = transition(openCaseAt(), { kind: 'snooze', until: at(24) }, owner, at(1));
    expect(snoozed).toMatchObject({
      case: { state: 'snoozed', snoozedUntil: at(24) },
      event: { details: { until: at(24).toISOString() } },
    });
    if (snoozed.refused) throw new Error('refused');
    expect(transition(snoozed.case, { kind: 'wake' }, CANARY_ACTOR, at(23))).toMatchObject({
      refused: true,
      reason: 'state',
    });
    expect(transition(snoozed.case, { kind: 'wake' }, CANARY_ACTOR, at(24))).toMatchObject({
      case: { state: 'open', snoozedUntil: null, openSince: at(24), version: 3 },
      event: { actor: 'canary', fromState: 'snoozed', toState: 'open' },
    });
  });

  it('resolve: an outcome and a note, and nothing moves a resolved case again', () => {
    const resolved = transition(
      openCaseAt({ state: 'assigned' }),
      { kind: 'resolve', outcome: 'churned', note: 'lost to a competitor' },
      owner,
      at(2),
    );
    expect(resolved).toMatchObject({
      case: { state: 'resolved', outcome: 'churned', note: 'lost to a competitor', resolvedAt: at(2) },
      event: { details: { outcome: 'churned' } },
    });
    if (resolved.refused) throw new Error('refused');
    const actions: CaseAction[] = [
      { kind: 'acknowledge' },
      { kind: 'snooze', until: at(48) },
      { kind: 'resolve', outcome: 'other', note: null },
    ];
    for (const action of actions)
      expect(transition(resolved.case, action, owner, at(3))).toMatchObject({
        refused: true,
        reason: 'state',
        message: expect.stringMatching(/^The case is resolved: it cannot be \w+ now\.$/),
      });
    expect(transition(resolved.case, { kind: 'fire', summary: 'again' }, CANARY_ACTOR, at(3))).toMatchObject({
      reason: 'state',
    });
  });

  it('a rule firing again adds to the case without changing its state or version (buttons stay valid)', () => {
    const result = transition(
      openCaseAt({ state: 'assigned', version: 3, revision: 4 }),
      { kind: 'fire', summary: 'Usage drop: -50%' },
      CANARY_ACTOR,
      at(24),
    );
    expect(result).toMatchObject({
      case: {
        state: 'assigned',
        version: 3,
        revision: 5,
        timesFired: 2,
        summary: 'Usage drop: -50%',
        lastFiredAt: at(24),
      },
      event: { action: 'fire', fromState: 'assigned', toState: 'assigned' },
    });
  });

  it('lets each role do exactly its actions, in every state an action starts from', () => {
    const people: [string, Actor][] = [
      ['owner', owner],
      ['manager', manager],
      ['bystander', bystander],
    ];
    const actions: CaseAction[] = [
      { kind: 'acknowledge' },
      { kind: 'assign', assignee: GREG.slackId, dueOn: null, note: null },
      { kind: 'snooze', until: at(48) },
      { kind: 'escalate', note: null },
      { kind: 'resolve', outcome: 'recovered', note: null },
    ];
    const table: Record<string, Record<string, CaseState[]>> = {};
    for (const [who, actor] of people)
      for (const action of actions)
        for (const state of STATES) {
          const result = transition(openCaseAt({ state }), action, actor, NOW);
          if (result.refused) continue;
          ((table[who] ??= {})[action.kind] ??= []).push(state);
        }
    expect(table).toEqual({
      owner: {
        acknowledge: ['open', 'escalated'],
        snooze: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
        resolve: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
      },
      manager: {
        assign: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
        escalate: ['open', 'acknowledged', 'assigned', 'snoozed'],
        resolve: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
      },
    });
    expect(
      transition(
        openCaseAt(),
        { kind: 'assign', assignee: GREG.slackId, dueOn: null, note: null },
        owner,
        NOW,
      ),
    ).toMatchObject({
      reason: 'forbidden',
      message: 'Only a manager may assign this case.',
    });
    expect(transition(openCaseAt(), { kind: 'acknowledge' }, bystander, NOW)).toMatchObject({
      message: "Only the account's owner or the case's assignee may acknowledge this case.",
    });
    // Canary acts only as the clock and the rules.
    expect(transition(openCaseAt(), { kind: 'acknowledge' }, CANARY_ACTOR, NOW)).toMatchObject({
      reason: 'forbidden',
    });
    expect(transition(openCaseAt(), { kind: 'remind' }, manager, NOW)).toMatchObject({ reason: 'forbidden' });
  });
});

describe('the clock', () => {
  const reminders = r.reminders; // remind after 4 h, escalate after 24 h

  it('reminds after 4 h and escalates after 24 h of a case left open, each once per time it became open', () => {
    expect(dueActions(openCaseAt(), at(3.9), reminders)).toEqual([]);
    expect(dueActions(openCaseAt(), at(4), reminders)).toEqual(['remind']);
    expect(dueActions(openCaseAt({ remindedAt: at(4) }), at(5), reminders)).toEqual([]);
    expect(dueActions(openCaseAt({ remindedAt: at(4) }), at(24), reminders)).toEqual(['escalate']);
    expect(dueActions(openCaseAt(), at(30), reminders)).toEqual(['remind', 'escalate']);
    // Woken from a snooze: a reminder of the earlier open spell does not count.
    const reopened = openCaseAt({ openSince: at(50), remindedAt: at(4), escalatedAt: at(24) });
    expect(dueActions(reopened, at(54), reminders)).toEqual(['remind']);
    expect(clockKey(reopened, 'remind')).not.toBe(clockKey(openCaseAt(), 'remind'));
  });

  it('owes nothing to an acknowledged, assigned or resolved case, and wakes a snoozed one when its snooze ends', () => {
    for (const state of ['acknowledged', 'assigned', 'escalated', 'resolved'] as const)
      expect(dueActions(openCaseAt({ state }), at(100), reminders)).toEqual([]);
    const snoozed = openCaseAt({ state: 'snoozed', snoozedUntil: at(24) });
    expect(dueActions(snoozed, at(23), reminders)).toEqual([]);
    expect(dueActions(snoozed, at(24), reminders)).toEqual(['wake']);
    expect(clockKey(snoozed, 'wake')).toBe(`wake:${at(24).toISOString()}`);
  });

  it('ends a snooze a day or a week on, or at the start of the chosen day (UTC)', () => {
    expect(snoozeEnd({ days: 1 }, NOW)).toEqual(new Date(NOW.getTime() + DAY));
    expect(snoozeEnd({ days: 7 }, NOW)).toEqual(new Date(NOW.getTime() + 7 * DAY));
    expect(snoozeEnd({ until: new Date('2026-12-01T15:30:00Z') }, NOW)).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });
});
