// The modals a case's buttons open: Assign (a person, an optional due date, a note),
// Resolve (the outcome and a note) and Snooze until a date. Each names its case and the
// version the person saw in private_metadata (caseRef); case-actions.ts reads the
// submission back. A modal can turn into a notice instead (a refusal: nothing changed).
import type { types } from '@slack/bolt';
import { NOTE_MAX, OUTCOME_WORDS, OUTCOMES, type RecoveryCase } from '../../cases/case.ts';
import type { CaseAccount } from '../../storage/cases.ts';
import { caseName, REASON_TITLE } from './alert.ts';
import { CASE_INPUT, CASE_VIEW, caseRef } from './case-actions.ts';
import { section } from './kit.ts';
import { escapeText, LIMITS, plain, type KnownBlock, type SlackMessage } from './text.ts';

const TITLE = 24;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

function modal(
  callbackId: string,
  c: RecoveryCase,
  title: string,
  submit: string,
  blocks: KnownBlock[],
): types.ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: caseRef(c),
    title: plain(title, TITLE),
    submit: plain(submit, TITLE),
    close: plain('Cancel', TITLE),
    blocks,
  };
}

const about = (c: RecoveryCase, a: CaseAccount): KnownBlock =>
  section(`${caseName(c, a)}\n*${REASON_TITLE[c.reason]}:* ${escapeText(c.summary, 1000)}`);

function noteInput(label: string): KnownBlock {
  return {
    type: 'input',
    block_id: CASE_INPUT.note.block,
    optional: true,
    label: plain(label, LIMITS.header),
    element: {
      type: 'plain_text_input',
      action_id: CASE_INPUT.note.action,
      multiline: true,
      max_length: NOTE_MAX,
    },
  };
}

export function assignModal(c: RecoveryCase, account: CaseAccount, now: Date): types.ModalView {
  return modal(CASE_VIEW.assign, c, 'Assign case', 'Assign', [
    about(c, account),
    {
      type: 'input',
      block_id: CASE_INPUT.assignee.block,
      label: plain('Assign to', LIMITS.header),
      element: {
        type: 'users_select',
        action_id: CASE_INPUT.assignee.action,
        placeholder: plain('Pick a person', LIMITS.placeholder),
        ...(c.assigneeSlackId ? { initial_user: c.assigneeSlackId } : {}),
      },
    },
    {
      type: 'input',
      block_id: CASE_INPUT.due.block,
      optional: true,
      label: plain('Due', LIMITS.header),
      element: {
        type: 'datepicker',
        action_id: CASE_INPUT.due.action,
        initial_date: isoDay(c.dueOn ?? new Date(now.getTime() + 7 * 86_400_000)),
      },
    },
    noteInput('Note for the assignee'),
  ]);
}

export function resolveModal(c: RecoveryCase, account: CaseAccount): types.ModalView {
  return modal(CASE_VIEW.resolve, c, 'Resolve case', 'Resolve', [
    about(c, account),
    {
      type: 'input',
      block_id: CASE_INPUT.outcome.block,
      label: plain('Outcome', LIMITS.header),
      element: {
        type: 'radio_buttons',
        action_id: CASE_INPUT.outcome.action,
        options: OUTCOMES.map((o) => ({
          text: plain(capitalise(OUTCOME_WORDS[o]), LIMITS.optionText),
          value: o,
        })),
      },
    },
    noteInput('What happened'),
  ]);
}

export function snoozeModal(c: RecoveryCase, account: CaseAccount, now: Date): types.ModalView {
  return modal(CASE_VIEW.snooze, c, 'Snooze case', 'Snooze', [
    about(c, account),
    {
      type: 'input',
      block_id: CASE_INPUT.until.block,
      label: plain('Open it again on (the start of the day, UTC)', LIMITS.header),
      element: {
        type: 'datepicker',
        action_id: CASE_INPUT.until.action,
        initial_date: isoDay(new Date(now.getTime() + 86_400_000)),
      },
    },
  ]);
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A modal that only tells something (why nothing changed), with a Close button. */
export function noticeModal(title: string, message: SlackMessage): types.ModalView {
  return {
    type: 'modal',
    title: plain(title, TITLE),
    close: plain('Close', TITLE),
    blocks: message.blocks.slice(0, LIMITS.messageBlocks),
  };
}
