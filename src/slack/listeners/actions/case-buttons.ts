// The case buttons that act at once: Acknowledge, Escalate, the Snooze menu's day and
// week (its "until a date…" opens a modal: case-modals.ts), Open (the case privately,
// with its buttons, from a summary, a list or the App Home) and the link to the alert
// (Slack sends the click too; there is nothing to do).
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  BlockOverflowAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import { snoozeEnd } from '../../../cases/case.ts';
import { caseWithEvents } from '../../../storage/cases.ts';
import { parseCaseRef, parseSnoozeValue, snoozeChoiceOf } from '../../blocks/case-actions.ts';
import type { ListenerDeps } from '../deps.ts';
import { act, gone, privately } from './case-act.ts';
import { openCaseModal } from './case-modals.ts';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** A button whose value Canary did not write: logged, nothing else (there is no case to speak of). */
function unreadable(deps: ListenerDeps, args: { body: { user: { id: string } } }, value: unknown): void {
  deps.logger.warn(
    { user: args.body.user.id, value: String(value).slice(0, 40) },
    'a case button whose value Canary did not write',
  );
}

export function acknowledgeCase(deps: ListenerDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const ref = parseCaseRef(args.action.value);
    if (!ref) return unreadable(deps, args, args.action.value);
    await act(deps, args, ref, { kind: 'acknowledge' }, args.action.action_ts);
  };
}

export function escalateCase(deps: ListenerDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const ref = parseCaseRef(args.action.value);
    if (!ref) return unreadable(deps, args, args.action.value);
    await act(deps, args, ref, { kind: 'escalate', note: null }, args.action.action_ts);
  };
}

export function snoozeCase(deps: ListenerDeps) {
  return async (args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockOverflowAction>) => {
    await args.ack();
    const value = args.action.selected_option?.value;
    const chosen = parseSnoozeValue(value);
    if (!chosen) return unreadable(deps, args, value);
    if (chosen.choice === 'date') return openCaseModal(deps, args, 'snooze', chosen);
    const until = snoozeEnd(snoozeChoiceOf(chosen.choice), deps.cases.now());
    await act(deps, args, chosen, { kind: 'snooze', until }, args.action.action_ts);
  };
}

/** The case as its alert shows it now, privately: from a message as an ephemeral one, from the App Home in a DM. */
export function openCase(deps: ListenerDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const ref = parseCaseRef(args.action.value);
    if (!ref) return unreadable(deps, args, args.action.value);
    const tell = privately(args);
    await deps.afterAck.run({
      what: 'case open',
      fields: { user: args.body.user.id, case: ref.caseId, from: args.body.container.type },
      report: tell,
      work: async () => {
        const record = await caseWithEvents(deps.cases.db, ref.caseId);
        await tell(record ? await deps.cases.messages.alert(record) : gone(ref.caseId));
      },
    });
  };
}

/** "View the alert" is a link: Slack opens it and still sends the click, which must be acknowledged. */
export function caseLink() {
  return async ({ ack }: ButtonArgs) => {
    await ack();
  };
}
