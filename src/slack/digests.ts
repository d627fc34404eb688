// Digests in the Slack app: who may change a channel's digest from Slack, and the
// scheduler of a running app (`canary serve`, and the tests that run Canary with a
// clock), which posts digests with the app's client, uploads their charts with the
// app's chart uploader, lists the recovery cases waiting for an owner, and opens the
// day's cases after the nightly scoring run.
//
// Permission. The alert rules' managers (people.managers, by Slack id or by the email
// Slack has for the person) may subscribe and unsubscribe channels and list every
// channel's digest. When the rules name no managers, anyone may: a digest shows a
// channel what any of its members can ask `/health` for already, and a fresh Canary
// is usable from Slack before anyone has written an alert rules file. Previews and
// this channel's listing are anyone's.
import { actorFor } from '../cases/case.ts';
import type { AlertRules } from '../cases/rules.ts';
import type { Allowed } from '../digest/manage.ts';
import type { SchedulerDeps } from '../schedule/scheduler.ts';
import { digestSlack } from '../schedule/slack.ts';
import { casesWaiting } from '../storage/digest-cases.ts';
import type { SlackApp } from './app.ts';
import type { Directory } from './directory.ts';

/** Nobody's account: a person is matched against the rules' managers only. */
const NO_ACCOUNT = { ownerSlackId: null, ownerEmail: null };

export function digestPermission(rules: AlertRules, directory: Directory): Allowed {
  return async (userId) => {
    if (rules.people.managers.length === 0) return true;
    const email = await directory.emailOf(userId);
    const actor = actorFor(rules, { slackId: userId, email }, NO_ACCOUNT, null);
    return actor.kind === 'person' && actor.manager;
  };
}

/** The scheduler's dependencies for a Slack app; the rest (database, model, settings, clock) are the caller's. */
export function digestScheduler(
  slack: SlackApp,
  deps: Omit<SchedulerDeps, 'slack' | 'charts' | 'casesWaiting' | 'afterScoring'>,
): SchedulerDeps {
  return {
    ...deps,
    slack: digestSlack(slack.app.client, deps.logger),
    charts: slack.charts,
    casesWaiting,
    afterScoring: (day) => slack.cases.afterScoring(day),
  };
}
