// The interactive parts of recovery case messages and modals, in one place: the
// action_id of each button and menu, the callback_id of each modal and the ids of its
// inputs, the values they carry (the case and the version the person saw, so that an
// action on an old view is refused), and reading a submitted modal back into an action
// or the errors to show beside its inputs.
import type { ViewOutput } from '@slack/bolt';
import { NOTE_MAX, OUTCOMES, snoozeEnd, type Outcome, type SnoozeChoice } from '../../cases/case.ts';

export const CASE_ACTION = {
  /** Button; value: caseRef. */
  acknowledge: 'canary_case_acknowledge',
  /** Button; value: caseRef. Opens the Assign modal. */
  assign: 'canary_case_assign',
  /** Overflow menu; selected_option.value: snoozeValue (a day, a week, or "date": open the Snooze modal). */
  snooze: 'canary_case_snooze',
  /** Button; value: caseRef. */
  escalate: 'canary_case_escalate',
  /** Button; value: caseRef. Opens the Resolve modal. */
  resolve: 'canary_case_resolve',
  /** Button; value: caseRef. Shows the case privately, with its buttons (from a summary or a list). */
  open: 'canary_case_open',
  /** Link button to the alert's message; value: caseRef. Slack still sends it: acknowledge it, nothing else. */
  link: 'canary_case_link',
} as const;

/** Modal callback_ids; each modal's private_metadata is caseRef. */
export const CASE_VIEW = {
  assign: 'canary_case_assign_view',
  resolve: 'canary_case_resolve_view',
  snooze: 'canary_case_snooze_view',
} as const;

/** The input blocks of the modals: block_id, and the action_id of the element inside. */
export const CASE_INPUT = {
  assignee: { block: 'case_assignee', action: 'assignee' },
  due: { block: 'case_due', action: 'due' },
  note: { block: 'case_note', action: 'note' },
  outcome: { block: 'case_outcome', action: 'outcome' },
  until: { block: 'case_until', action: 'until' },
} as const;

export interface CaseRef {
  caseId: number;
  version: number;
}

/** `42:3`: case 42 as seen at version 3. */
export const caseRef = (c: { id: number; version: number }): string => `${c.id}:${c.version}`;

/** The case a button or modal names, or null for a value Canary did not write. */
export function parseCaseRef(value: string | undefined): CaseRef | null {
  const m = /^(\d{1,12}):(\d{1,9})$/.exec(value ?? '');
  return m ? { caseId: Number(m[1]), version: Number(m[2]) } : null;
}

export const SNOOZE_CHOICES = ['1d', '7d', 'date'] as const;
export type SnoozeOption = (typeof SNOOZE_CHOICES)[number];

/** `42:3:7d`: an option of the snooze menu. */
export const snoozeValue = (c: { id: number; version: number }, choice: SnoozeOption): string =>
  `${caseRef(c)}:${choice}`;

export function parseSnoozeValue(value: string | undefined): (CaseRef & { choice: SnoozeOption }) | null {
  const m = /^(\d{1,12}:\d{1,9}):(1d|7d|date)$/.exec(value ?? '');
  const ref = m ? parseCaseRef(m[1]) : null;
  return ref ? { ...ref, choice: m![2] as SnoozeOption } : null;
}

/** The snooze a menu option means; "date" is chosen in the Snooze modal instead. */
export const snoozeChoiceOf = (option: '1d' | '7d'): SnoozeChoice => ({ days: option === '1d' ? 1 : 7 });

type Values = ViewOutput['state']['values'];

/** A submitted modal: what was asked, or the message to show beside each input that is wrong. */
export type Submitted<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

const input = (values: Values, at: { block: string; action: string }) => values[at.block]?.[at.action];

/** A date picker's day (YYYY-MM-DD) as its UTC midnight. */
function dayOf(text: string | null | undefined): Date | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

function note(values: Values): string | null {
  const text = input(values, CASE_INPUT.note)?.value?.trim();
  return text ? text.slice(0, NOTE_MAX) : null;
}

/** The Assign modal: who, due when (optional), and a note. */
export function readAssign(
  values: Values,
): Submitted<{ assignee: string; dueOn: Date | null; note: string | null }> {
  const assignee = input(values, CASE_INPUT.assignee)?.selected_user;
  if (!assignee) return { ok: false, errors: { [CASE_INPUT.assignee.block]: 'Pick who takes the case.' } };
  const due = input(values, CASE_INPUT.due)?.selected_date ?? null;
  return { ok: true, value: { assignee, dueOn: dayOf(due), note: note(values) } };
}

/** The Resolve modal: the outcome, and a note. */
export function readResolve(values: Values): Submitted<{ outcome: Outcome; note: string | null }> {
  const outcome = input(values, CASE_INPUT.outcome)?.selected_option?.value;
  if (!outcome || !(OUTCOMES as readonly string[]).includes(outcome))
    return { ok: false, errors: { [CASE_INPUT.outcome.block]: 'Say how the case ended.' } };
  return { ok: true, value: { outcome: outcome as Outcome, note: note(values) } };
}

/** The Snooze modal: until the start (UTC) of the chosen day, which must be after `now`. */
export function readSnoozeUntil(values: Values, now: Date): Submitted<{ until: Date }> {
  const day = dayOf(input(values, CASE_INPUT.until)?.selected_date);
  if (!day) return { ok: false, errors: { [CASE_INPUT.until.block]: 'Pick the day the case wakes up.' } };
  const until = snoozeEnd({ until: day }, now);
  if (until <= now) return { ok: false, errors: { [CASE_INPUT.until.block]: 'Pick a day after today.' } };
  return { ok: true, value: { until } };
}
