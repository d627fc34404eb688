// Alert rules for the case tests, a fixed clock, and the accounts, people and
// triggers the scenarios use: Acme (enterprise, owned by Olive), Globex (smb, owned by
// email only), two managers (one by Slack id, one by email) and a bystander.
import { loadRules, type AlertRules } from '../../src/cases/rules.ts';
import type { RecoveryCase } from '../../src/cases/case.ts';
import type { Trigger } from '../../src/cases/triggers.ts';
import type { CaseAccount } from '../../src/storage/cases.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 09:00 UTC on the scenarios' day. */
export const NOW = new Date('2026-11-20T09:00:00Z');
export const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR);

export const CHANNEL = 'C0ALERTS01';
export const ENTERPRISE_CHANNEL = 'C0ENTERP01';
export const MANAGER_CHANNEL = 'C0MANAGE01';

export const OLIVE = { slackId: 'U0OLIVE001', email: 'olive@example.com' };
export const GREG = { slackId: 'U0GREG0001', email: 'greg@example.com' };
export const MAYA = { slackId: 'U0MAYA0001', email: 'maya@example.com' };
export const MARK = { slackId: 'U0MARK0001', email: 'Mark@Example.com' };
export const BOB = { slackId: 'U0BOB00001', email: 'bob@example.com' };

/** The built-in rules with channels, managers Maya (by id) and Mark (by email), and `over` on top. */
export function rules(over: Partial<AlertRules> = {}): AlertRules {
  const base = loadRules();
  return {
    ...base,
    routing: {
      routes: [{ when: { segment: 'enterprise' }, channel: ENTERPRISE_CHANNEL }],
      default: CHANNEL,
    },
    reminders: { ...base.reminders, manager_channel: MANAGER_CHANNEL },
    people: { managers: [MAYA.slackId, 'mark@example.com'] },
    ...over,
  };
}

export const ACME = {
  externalId: 'acme',
  name: 'Acme Corp',
  segment: 'enterprise',
  industry: 'Software',
  arr: 250_000,
  ownerSlackId: OLIVE.slackId,
  ownerEmail: OLIVE.email,
};
export const GLOBEX = {
  externalId: 'globex',
  name: 'Globex',
  segment: 'smb',
  industry: 'Retail',
  arr: 12_000,
  ownerSlackId: null,
  ownerEmail: GREG.email,
};

export const dropTrigger = (accountId: number, day = '2026-11-20'): Trigger => ({
  accountId,
  reason: 'drop',
  key: `drop:${day}`,
  summary: 'Usage drop: active users -35% over 14 days',
});

/** An open case as the domain tests start from. */
export function openCaseAt(over: Partial<RecoveryCase> = {}): RecoveryCase {
  return {
    id: 1,
    accountId: 7,
    reason: 'drop',
    state: 'open',
    summary: 'Usage drop: active users -35% over 14 days',
    timesFired: 1,
    lastFiredAt: NOW,
    assigneeSlackId: null,
    dueOn: null,
    snoozedUntil: null,
    openSince: NOW,
    remindedAt: null,
    escalatedAt: null,
    outcome: null,
    note: null,
    resolvedAt: null,
    version: 1,
    revision: 1,
    openedAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

/** Acme as case messages show it. */
export const caseAccount = (over: Partial<CaseAccount> = {}): CaseAccount => ({
  id: 7,
  externalId: 'acme',
  name: 'Acme Corp',
  arr: 250_000,
  segment: 'enterprise',
  industry: 'Software',
  renewalDate: new Date('2027-01-04T00:00:00Z'),
  ownerSlackId: OLIVE.slackId,
  ownerEmail: OLIVE.email,
  ...over,
});
