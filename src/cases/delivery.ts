// What a recovery case sends to Slack, decided from the alert rules: the channel an
// account's alert goes to (the first route that matches, else the default), whether
// a channel's daily budget still takes an alert or it joins a summary, and what each
// event of a case posts (a line in the alert's thread, an escalation in the manager
// channel, a DM to the assignee).
import type { CaseEventRecord, RecoveryCase } from './case.ts';
import type { AlertRules, Reason, Routing } from './rules.ts';

/** What routing reads of an account. */
export interface RoutedAccount {
  segment: string | null;
  industry: string | null;
  ownerSlackId: string | null;
  ownerEmail: string | null;
}

function matches(rule: string | string[] | undefined, values: (string | null)[]): boolean {
  if (rule === undefined) return true;
  const wanted = (Array.isArray(rule) ? rule : [rule]).map((r) => r.toLowerCase());
  return values.some((v) => v !== null && wanted.includes(v.toLowerCase()));
}

/** The channel of a reason's alerts for an account: the rule's routing, or the file's; null: none. */
export function channelFor(rules: AlertRules, reason: Reason, account: RoutedAccount): string | null {
  const routing: Routing = rules.rules[reason]?.routing ?? rules.routing;
  const route = routing.routes.find(
    (r) =>
      matches(r.when.segment, [account.segment]) &&
      matches(r.when.industry, [account.industry]) &&
      matches(r.when.owner, [account.ownerSlackId, account.ownerEmail]),
  );
  return route?.channel ?? routing.default;
}

/** Alerts a channel takes in a day. */
export const budgetOf = (rules: AlertRules, channel: string): number =>
  rules.budget.channels[channel] ?? rules.budget.daily;

/** Post a new case's own alert while the channel's budget lasts; past it, batch it into a summary. */
export const budgetDecision = (sentToday: number, budget: number): 'post' | 'batch' =>
  sentToday < budget ? 'post' : 'batch';

export type PlannedPost =
  { kind: 'thread' } | { kind: 'escalation'; channel: string } | { kind: 'dm'; user: string };

/**
 * What an event posts: every change is logged in the thread of the case's message (a
 * reminder is such a line); an escalation is also said in the manager channel, and an
 * assignment is sent to the assignee (unless they assigned it to themselves). A rule
 * firing again changes the message itself, not the thread.
 */
export function postsFor(
  event: Pick<CaseEventRecord, 'action' | 'actor'>,
  after: Pick<RecoveryCase, 'assigneeSlackId'>,
  rules: Pick<AlertRules, 'reminders'>,
): PlannedPost[] {
  if (event.action === 'open' || event.action === 'fire') return [];
  const posts: PlannedPost[] = [{ kind: 'thread' }];
  const managers = rules.reminders.manager_channel;
  if (event.action === 'escalate' && managers) posts.push({ kind: 'escalation', channel: managers });
  if (event.action === 'assign' && after.assigneeSlackId && after.assigneeSlackId !== event.actor)
    posts.push({ kind: 'dm', user: after.assigneeSlackId });
  return posts;
}
