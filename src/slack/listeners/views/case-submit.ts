// A submitted Assign, Resolve or Snooze modal. Slack waits for the answer to a
// submission (close the modal, show errors beside its inputs, or turn it into another
// view), so the input is read first (a missing choice is an error beside it), then the
// action is applied as the button's would be, keyed by the view (a resubmission does
// nothing twice), and the answer says how it went: closed when applied, the reason in
// the modal when refused (who won, when the case changed meanwhile). Slack allows 3
// seconds; if the database takes more than two, the modal closes anyway and a refusal
// or failure arrives in the person's messages with Canary instead.
import type {
  AllMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { PersonAction } from '../../../cases/case.ts';
import {
  CASE_INPUT,
  parseCaseRef,
  readAssign,
  readResolve,
  readSnoozeUntil,
} from '../../blocks/case-actions.ts';
import type { Submitted } from '../../blocks/case-actions.ts';
import { noticeModal } from '../../blocks/case-modals.ts';
import type { SlackMessage } from '../../blocks/text.ts';
import { applyAs, refusalOf } from '../actions/case-act.ts';
import { NOTHING_CHANGED, type ModalKind } from '../actions/case-modals.ts';
import type { ListenerDeps } from '../deps.ts';

type Values = ViewSubmitAction['view']['state']['values'];

const ok = <T, U>(read: Submitted<T>, to: (value: T) => U): Submitted<U> =>
  read.ok ? { ok: true, value: to(read.value) } : read;

/** Each modal's inputs as the action they ask for. */
const READ: Record<ModalKind, (values: Values, now: Date) => Submitted<PersonAction>> = {
  assign: (values) => ok(readAssign(values), (v) => ({ kind: 'assign', ...v })),
  resolve: (values) => ok(readResolve(values), (v) => ({ kind: 'resolve', ...v })),
  snooze: (values, now) => ok(readSnoozeUntil(values, now), (v) => ({ kind: 'snooze', ...v })),
};

/** The input a refusal of bad input is shown beside: the one the state machine can refuse (a due date already past, say). */
const REFUSED_INPUT: Record<ModalKind, string> = {
  assign: CASE_INPUT.due.block,
  resolve: CASE_INPUT.outcome.block,
  snooze: CASE_INPUT.until.block,
};

/** Slack's limit for answering a submission is 3 s; past this, the modal is closed and the rest follows by DM. */
const ANSWER_WITHIN_MS = 2000;

export function caseSubmission(deps: ListenerDeps, kind: ModalKind) {
  return async ({
    ack,
    body,
    view,
    client,
  }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const user = body.user.id;
    const ref = parseCaseRef(view.private_metadata);
    if (!ref) {
      deps.logger.warn({ user, callbackId: view.callback_id }, 'a case modal Canary did not open');
      await ack();
      return;
    }
    const read = READ[kind](view.state.values, deps.cases.now());
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }

    let answered = false;
    /** Answers the submission unless that was done already (false then). */
    const answer = async (response?: ViewResponseAction): Promise<boolean> => {
      if (answered) return false;
      answered = true;
      await ack(response);
      return true;
    };
    const inModal = (m: SlackMessage): ViewResponseAction => ({
      response_action: 'update',
      view: noticeModal(NOTHING_CHANGED, m),
    });
    const dm = (m: SlackMessage) => client.chat.postMessage({ channel: user, ...m });
    const late = setTimeout(() => void answer(), ANSWER_WITHIN_MS);
    try {
      await deps.afterAck.run({
        what: `case ${kind}`,
        fields: { user, case: ref.caseId, view: view.id },
        work: async () => {
          const result = await applyAs(deps, user, ref, read.value, `view:${view.id}`);
          if (result.kind !== 'refused') return void (await answer());
          const why = refusalOf(result);
          const response: ViewResponseAction =
            result.refusal.reason === 'input'
              ? { response_action: 'errors', errors: { [REFUSED_INPUT[kind]]: result.refusal.message } }
              : inModal(why);
          if (!(await answer(response))) await dm(why);
        },
        report: async (m) => {
          if (!(await answer(inModal(m)))) await dm(m);
        },
      });
    } finally {
      clearTimeout(late);
    }
  };
}
