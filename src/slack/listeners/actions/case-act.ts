// What every case button and modal does with a person's action: who they are (their
// Slack id and the email Slack has for them, which the alert rules' managers and the
// account's owner are matched against), the action applied under an idempotency key
// (a repeated payload does nothing), and what they hear back. Applied: the outbox
// updates the alert in place and logs the change in its thread (the case jobs are
// kicked to do it now), and a private copy of the case they clicked on (an ephemeral
// message, the App Home) shows it as it is now. Refused: a private explanation, naming
// who got there first when the case changed meanwhile; nothing changes.
import type { AllMiddlewareArgs, BlockAction, RespondFn } from '@slack/bolt';
import { refuse, type PersonAction } from '../../../cases/case.ts';
import { applyAction, caseWithEvents, type ActionResult } from '../../../storage/cases.ts';
import type { CaseRef } from '../../blocks/case-actions.ts';
import { refusalMessage } from '../../blocks/case-messages.ts';
import type { SlackMessage } from '../../blocks/text.ts';
import { sendWithCharts } from '../../deliver.ts';
import type { ListenerDeps } from '../deps.ts';

/** A click on a case button or menu, as its listener gets it. */
export type Click = Pick<AllMiddlewareArgs, 'client'> & { body: BlockAction; respond?: RespondFn };

type Refused = Extract<ActionResult, { kind: 'refused' }>;

/** Why nothing changed, for the person who tried. */
export const refusalOf = (r: Refused): SlackMessage => refusalMessage(r.refusal, r.winner);

/** A case that is not there (a button of a database since replaced, say). */
export const gone = (caseId: number): SlackMessage =>
  refusalMessage(refuse('gone', `There is no case #${caseId}.`), null);

/**
 * Where the clicker hears privately: in the conversation of the click (ephemeral,
 * through its response_url: no channel membership needed), or, from the App Home,
 * which has no conversation, in their messages with Canary.
 */
export function privately(click: Click): (m: SlackMessage) => Promise<unknown> {
  const { respond, client, body } = click;
  return respond
    ? (m) => respond({ response_type: 'ephemeral', replace_original: false, ...m })
    : (m) => client.chat.postMessage({ channel: body.user.id, ...m });
}

/** A person's action on a case as they saw it (`ref`), applied under `key`. */
export async function applyAs(
  deps: ListenerDeps,
  user: string,
  ref: CaseRef,
  action: PersonAction,
  key: string,
): Promise<ActionResult> {
  const { db, rules, now, kick } = deps.cases;
  const email = await deps.directory.emailOf(user);
  const result = await applyAction(
    db,
    rules,
    ref.caseId,
    action,
    { slackId: user, email },
    ref.version,
    key,
    now(),
  );
  deps.logger.info(
    {
      user,
      case: ref.caseId,
      action: action.kind,
      result: result.kind,
      ...(result.kind === 'refused' && { reason: result.refusal.reason }),
    },
    'case action',
  );
  if (result.kind === 'applied') kick();
  return result;
}

/** A button's or menu's action, keyed by the click (action_ts and user): Slack's retries and double clicks do it once. */
export async function act(
  deps: ListenerDeps,
  click: Click,
  ref: CaseRef,
  action: PersonAction,
  actionTs: string,
): Promise<void> {
  const user = click.body.user.id;
  const tell = privately(click);
  await deps.afterAck.run({
    what: `case ${action.kind}`,
    fields: { user, case: ref.caseId, from: click.body.container.type },
    report: tell,
    work: async () => {
      const result = await applyAs(deps, user, ref, action, `${actionTs}:${user}`);
      if (result.kind === 'refused') await tell(refusalOf(result));
      else if (result.kind === 'applied') await refresh(deps, click, ref.caseId);
    },
  });
}

/**
 * The private surface clicked on, shown again as the case is now: an ephemeral copy of
 * the case is replaced, the App Home published again. The alert itself (and a summary
 * it is in) is the outbox's to update.
 */
async function refresh(deps: ListenerDeps, click: Click, caseId: number): Promise<void> {
  const { body, respond, client } = click;
  if (body.container.is_ephemeral && respond) {
    const record = await caseWithEvents(deps.cases.db, caseId);
    if (record)
      await respond({
        response_type: 'ephemeral',
        replace_original: true,
        ...(await deps.cases.messages.alert(record)),
      });
  } else if (body.view?.type === 'home') {
    const user = body.user.id;
    const view = await deps.answers.home({ slackId: user, email: await deps.directory.emailOf(user) });
    await sendWithCharts(view, (v) => client.views.publish({ user_id: user, view: v }), deps.logger);
  }
}
