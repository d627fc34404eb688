// The case buttons that open a modal: Assign… and Resolve…, and the Snooze menu's
// "until a date…". The trigger id lasts 3 seconds and is good once, so the modal is
// opened as soon as the case is read, before anything slow; then the clicker's rights
// are checked (their email may need a users.info), and a modal they may not submit
// turns into the reason instead. A button older than the case (its version) opens
// nothing: the clicker is told who changed the case first. The submission is
// views/case-submit.ts's.
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import {
  actorFor,
  canStart,
  refuse,
  transition,
  type PersonAction,
  type Refusal,
} from '../../../cases/case.ts';
import { caseWithEvents, latestChange, STALE } from '../../../storage/cases.ts';
import { parseCaseRef, type CaseRef } from '../../blocks/case-actions.ts';
import { refusalMessage } from '../../blocks/case-messages.ts';
import { assignModal, noticeModal, resolveModal, snoozeModal } from '../../blocks/case-modals.ts';
import type { CaseRecord } from '../../cases.ts';
import type { ListenerDeps } from '../deps.ts';
import { gone, privately, type Click } from './case-act.ts';

export type ModalKind = 'assign' | 'resolve' | 'snooze';

const MODALS = {
  assign: (r: CaseRecord, now: Date) => assignModal(r.case, r.account, now),
  resolve: (r: CaseRecord) => resolveModal(r.case, r.account),
  snooze: (r: CaseRecord, now: Date) => snoozeModal(r.case, r.account, now),
};

/** An action of the modal's kind, to ask the state machine whether this person may take it at all. */
const PROBES: Record<ModalKind, (user: string, now: Date) => PersonAction> = {
  assign: (user) => ({ kind: 'assign', assignee: user, dueOn: null, note: null }),
  resolve: () => ({ kind: 'resolve', outcome: 'other', note: null }),
  snooze: (_, now) => ({ kind: 'snooze', until: new Date(now.getTime() + 86_400_000) }),
};

export const NOTHING_CHANGED = 'Nothing changed';

export function openModalButton(deps: ListenerDeps, kind: 'assign' | 'resolve') {
  return async (args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await args.ack();
    const ref = parseCaseRef(args.action.value);
    if (!ref) {
      deps.logger.warn({ user: args.body.user.id }, 'a case button whose value Canary did not write');
      return;
    }
    await openCaseModal(deps, args, kind, ref);
  };
}

/** Opens the modal of `kind` for the case as the clicker saw it, or tells them why not. */
export async function openCaseModal(
  deps: ListenerDeps,
  click: Click,
  kind: ModalKind,
  ref: CaseRef,
): Promise<void> {
  const { db, now } = deps.cases;
  const user = click.body.user.id;
  const tell = privately(click);
  await deps.afterAck.run({
    what: `case ${kind} modal`,
    fields: { user, case: ref.caseId, from: click.body.container.type },
    report: tell,
    work: async () => {
      const record = await caseWithEvents(db, ref.caseId);
      if (!record) return void (await tell(gone(ref.caseId)));
      if (record.case.version !== ref.version)
        return void (await tell(refusalMessage(refuse('stale', STALE), await latestChange(db, ref.caseId))));
      const { view } = await click.client.views.open({
        trigger_id: click.body.trigger_id,
        view: MODALS[kind](record, now()),
      });
      const refusal = await mayNot(deps, user, record, kind);
      if (refusal && view?.id)
        await click.client.views.update({
          view_id: view.id,
          view: noticeModal(NOTHING_CHANGED, refusalMessage(refusal, null)),
        });
    },
  });
}

/** Why this person may not take the modal's action on the case at all (not theirs to do, or not in this state); null: they may. */
async function mayNot(
  deps: ListenerDeps,
  user: string,
  record: CaseRecord,
  kind: ModalKind,
): Promise<Refusal | null> {
  const { rules, now } = deps.cases;
  const person = { slackId: user, email: await deps.directory.emailOf(user) };
  const actor = actorFor(rules, person, record.account, record.case);
  const result = transition(record.case, PROBES[kind](user, now()), actor, now());
  if (!result.refused) return null;
  return result.reason === 'forbidden' || !canStart(kind, record.case.state) ? result : null;
}
