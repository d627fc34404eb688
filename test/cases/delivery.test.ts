// Where an alert goes, whether the channel still takes it today, and what each event
// of a case posts.
import { describe, expect, it } from 'vitest';
import { budgetDecision, budgetOf, channelFor, postsFor } from '../../src/cases/delivery.ts';
import { CHANNEL, ENTERPRISE_CHANNEL, GREG, MANAGER_CHANNEL, MAYA, OLIVE, rules } from './fixtures.ts';

const account = (over: Partial<Parameters<typeof channelFor>[2]> = {}) => ({
  segment: 'smb',
  industry: 'Retail',
  ownerSlackId: OLIVE.slackId,
  ownerEmail: OLIVE.email,
  ...over,
});

describe('routing', () => {
  const r = rules({
    routing: {
      routes: [
        { when: { segment: 'Enterprise', industry: ['software', 'fintech'] }, channel: 'C0ENTSOFT1' },
        { when: { segment: 'enterprise' }, channel: ENTERPRISE_CHANNEL },
        { when: { owner: 'olive@example.com' }, channel: 'C0OLIVE001' },
      ],
      default: CHANNEL,
    },
  });

  it('takes the first route whose every field matches (any case, any of a list), else the default', () => {
    expect(channelFor(r, 'drop', account({ segment: 'enterprise', industry: 'Software' }))).toBe(
      'C0ENTSOFT1',
    );
    expect(channelFor(r, 'drop', account({ segment: 'ENTERPRISE', industry: 'Retail' }))).toBe(
      ENTERPRISE_CHANNEL,
    );
    expect(channelFor(r, 'drop', account({ ownerEmail: 'Olive@Example.com', ownerSlackId: null }))).toBe(
      'C0OLIVE001',
    );
    expect(channelFor(r, 'drop', account({ ownerEmail: null, ownerSlackId: null }))).toBe(CHANNEL);
    expect(channelFor(r, 'drop', account({ segment: null, ownerEmail: null }))).toBe(CHANNEL);
  });

  it("uses a rule's own routing instead of the file's; a null default posts nowhere", () => {
    const own = rules({
      rules: { detractor: { nps_at_most: 6, routing: { routes: [], default: 'C0VOICE001' } }, drop: {} },
      routing: { routes: [], default: null },
    });
    expect(channelFor(own, 'detractor', account())).toBe('C0VOICE001');
    expect(channelFor(own, 'drop', account())).toBeNull();
  });
});

describe('budget', () => {
  it("posts while the channel's count today is under its budget, then batches", () => {
    const r = rules({ budget: { daily: 3, channels: { [ENTERPRISE_CHANNEL]: 10 } } });
    expect(budgetOf(r, CHANNEL)).toBe(3);
    expect(budgetOf(r, ENTERPRISE_CHANNEL)).toBe(10);
    expect([0, 1, 2, 3, 4].map((sent) => budgetDecision(sent, 3))).toEqual([
      'post',
      'post',
      'post',
      'batch',
      'batch',
    ]);
    expect(budgetDecision(0, 0)).toBe('batch');
  });
});

describe('what an event posts', () => {
  const r = rules();
  it('logs every change in the thread, tells the manager channel of an escalation and the assignee of an assignment', () => {
    const none = { assigneeSlackId: null };
    expect(postsFor({ action: 'open', actor: 'canary' }, none, r)).toEqual([]);
    expect(postsFor({ action: 'fire', actor: 'canary' }, none, r)).toEqual([]);
    expect(postsFor({ action: 'acknowledge', actor: OLIVE.slackId }, none, r)).toEqual([{ kind: 'thread' }]);
    expect(postsFor({ action: 'remind', actor: 'canary' }, none, r)).toEqual([{ kind: 'thread' }]);
    expect(postsFor({ action: 'escalate', actor: 'canary' }, none, r)).toEqual([
      { kind: 'thread' },
      { kind: 'escalation', channel: MANAGER_CHANNEL },
    ]);
    expect(postsFor({ action: 'assign', actor: MAYA.slackId }, { assigneeSlackId: GREG.slackId }, r)).toEqual(
      [{ kind: 'thread' }, { kind: 'dm', user: GREG.slackId }],
    );
    expect(postsFor({ action: 'assign', actor: MAYA.slackId }, { assigneeSlackId: MAYA.slackId }, r)).toEqual(
      [{ kind: 'thread' }],
    );
    const noManagers = rules({ reminders: { ...r.reminders, manager_channel: null } });
    expect(postsFor({ action: 'escalate', actor: MAYA.slackId }, none, noManagers)).toEqual([
      { kind: 'thread' },
    ]);
  });
});
