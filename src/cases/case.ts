// The recovery case and its state machine: open -> acknowledged -> assigned ->
// resolved, with snoozed (until a time, then open again) and escalated on the side.
// Every change is a pure transition (case, action, actor, now) -> the changed case and
// the event recording it, or a refusal saying why in plain words; who may do what
// (managers, the account's owner, the case's assignee) is part of it. The clock's own
// actions (a snooze ending, a reminder, an escalation) are transitions too, and
// dueActions says which are due. No Slack, database or clock in here.
import type { AlertRules, Reason } from './rules.ts';

export const STATES = ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated', 'resolved'] as const;
export type CaseState = (typeof STATES)[number];

/** How a resolved case ended; outcomes feed backtesting. */
export const OUTCOMES = ['recovered', 'churned', 'false_alarm', 'other'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_WORDS: Record<Outcome, string> = {
  recovered: 'recovered',
  churned: 'churned',
  false_alarm: 'false alarm',
  other: 'other',
};

export interface RecoveryCase {
  id: number;
  accountId: number;
  reason: Reason;
  state: CaseState;
  /** What happened, in plain words (user text inside it is not escaped). */
  summary: string;
  timesFired: number;
  lastFiredAt: Date;
  assigneeSlackId: string | null;
  dueOn: Date | null;
  snoozedUntil: Date | null;
  /** When the case last became open: reminders and escalations count from here. */
  openSince: Date;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  outcome: Outcome | null;
  note: string | null;
  resolvedAt: Date | null;
  /** Bumped by every change of state: what buttons carry. */
  version: number;
  /** Bumped by every change: a message showing an older revision is out of date. */
  revision: number;
  openedAt: Date;
  updatedAt: Date;
}

/** Canary itself: the alert rules and the clock. */
export const CANARY = 'canary';

/** Who acts, with what the alert rules let them do on this case. */
export type Actor =
  { kind: 'person'; slackId: string; manager: boolean; owner: boolean } | { kind: 'canary' };

export const CANARY_ACTOR: Actor = { kind: 'canary' };

/** A Slack user as the actor on a case of an account: a manager, its owner (or the case's assignee), or neither. */
export function actorFor(
  rules: Pick<AlertRules, 'people'>,
  person: { slackId: string; email: string | null },
  account: { ownerSlackId: string | null; ownerEmail: string | null },
  c: Pick<RecoveryCase, 'assigneeSlackId'> | null,
): Actor {
  const email = person.email?.toLowerCase() ?? null;
  const isPerson = (who: string | null) =>
    who !== null && (who === person.slackId || (email !== null && who.toLowerCase() === email));
  return {
    kind: 'person',
    slackId: person.slackId,
    manager: rules.people.managers.some(isPerson),
    owner:
      isPerson(account.ownerSlackId) || isPerson(account.ownerEmail) || isPerson(c?.assigneeSlackId ?? null),
  };
}

export type PersonAction =
  | { kind: 'acknowledge' }
  | { kind: 'assign'; assignee: string; dueOn: Date | null; note: string | null }
  | { kind: 'snooze'; until: Date }
  | { kind: 'escalate'; note: string | null }
  | { kind: 'resolve'; outcome: Outcome; note: string | null };

export type CanaryAction =
  | { kind: 'wake' }
  | { kind: 'remind' }
  | { kind: 'escalate'; note: string | null }
  /** The case's rule fired again. */
  | { kind: 'fire'; summary: string };

export type CaseAction = PersonAction | CanaryAction;
export type ActionKind = CaseAction['kind'];

/** An entry of the audit trail. `open` is the event of a new case. */
export interface CaseEventRecord {
  actor: string;
  action: ActionKind | 'open';
  fromState: CaseState | null;
  toState: CaseState;
  note: string | null;
  details: Record<string, string | number | null> | null;
  at: Date;
}

export type Refusal = {
  refused: true;
  /** forbidden: not this actor's to do; state: not in this state; input: a bad value; stale: the case changed meanwhile; gone: no such case. */
  reason: 'forbidden' | 'state' | 'input' | 'stale' | 'gone';
  /** In plain words, for the actor (user text inside it is not escaped). */
  message: string;
};

export type Transition = { refused: false; case: RecoveryCase; event: CaseEventRecord } | Refusal;

export const refuse = (reason: Refusal['reason'], message: string): Refusal => ({
  refused: true,
  reason,
  message,
});

export const NOTE_MAX = 2000;

/** What each state reads as in a sentence: "the case is snoozed". */
const STATE_WORDS: Record<CaseState, string> = {
  open: 'open',
  acknowledged: 'acknowledged',
  assigned: 'assigned',
  snoozed: 'snoozed',
  escalated: 'escalated',
  resolved: 'resolved',
};

// Where each action may start from.
const FROM: Record<ActionKind, readonly CaseState[]> = {
  acknowledge: ['open', 'escalated'],
  assign: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
  snooze: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
  escalate: ['open', 'acknowledged', 'assigned', 'snoozed'],
  resolve: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
  wake: ['snoozed'],
  remind: ['open'],
  fire: ['open', 'acknowledged', 'assigned', 'snoozed', 'escalated'],
};

/** Whether an action may start from a state (whoever takes it): which buttons a case shows. */
export const canStart = (action: ActionKind, state: CaseState): boolean => FROM[action].includes(state);

// Who may take each action: managers, the owner (or assignee), or only Canary.
const MAY: Record<ActionKind, { manager: boolean; owner: boolean }> = {
  acknowledge: { manager: false, owner: true },
  snooze: { manager: false, owner: true },
  resolve: { manager: true, owner: true },
  assign: { manager: true, owner: false },
  escalate: { manager: true, owner: false },
  wake: { manager: false, owner: false },
  remind: { manager: false, owner: false },
  fire: { manager: false, owner: false },
};

const WHO_MAY: Record<ActionKind, string> = {
  acknowledge: "the account's owner or the case's assignee",
  snooze: "the account's owner or the case's assignee",
  resolve: "a manager, the account's owner or the case's assignee",
  assign: 'a manager',
  escalate: 'a manager',
  wake: 'Canary',
  remind: 'Canary',
  fire: 'Canary',
};

/** The verb of an action, as the audit trail and refusals say it. */
export const VERB: Record<ActionKind | 'open', string> = {
  open: 'opened',
  acknowledge: 'acknowledged',
  assign: 'assigned',
  snooze: 'snoozed',
  escalate: 'escalated',
  resolve: 'resolved',
  wake: 'reopened (snooze ended)',
  remind: 'reminded',
  fire: 'fired again',
};

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const startOfDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

function cleanNote(note: string | null): string | null | Refusal {
  const text = note?.trim() ?? '';
  if (!text) return null;
  if (text.length > NOTE_MAX) return refuse('input', `a note is at most ${NOTE_MAX} characters`);
  return text;
}

const isRefusal = (v: unknown): v is Refusal =>
  typeof v === 'object' && v !== null && (v as Refusal).refused === true;

/** Applies an action to a case: the case after it and its event, or why not. */
export function transition(c: RecoveryCase, action: CaseAction, actor: Actor, now: Date): Transition {
  const verb = action.kind === 'fire' ? 'add to' : action.kind;
  if (actor.kind === 'person') {
    const may = MAY[action.kind];
    if (!((may.manager && actor.manager) || (may.owner && actor.owner)))
      return refuse('forbidden', `Only ${WHO_MAY[action.kind]} may ${verb} this case.`);
  } else if (!['wake', 'remind', 'escalate', 'fire'].includes(action.kind)) {
    return refuse('forbidden', `Canary does not ${verb} cases by itself.`);
  }
  if (!canStart(action.kind, c.state))
    return refuse('state', `The case is ${STATE_WORDS[c.state]}: it cannot be ${VERB[action.kind]} now.`);

  const by = actor.kind === 'person' ? actor.slackId : CANARY;
  const base = { ...c, revision: c.revision + 1, updatedAt: now };
  const changed = { ...base, version: c.version + 1 };
  const event = (
    next: RecoveryCase,
    note: string | null = null,
    details: CaseEventRecord['details'] = null,
  ): Transition => ({
    refused: false,
    case: next,
    event: {
      actor: by,
      action: action.kind,
      fromState: c.state,
      toState: next.state,
      note,
      details,
      at: now,
    },
  });

  switch (action.kind) {
    case 'acknowledge':
      return event({ ...changed, state: 'acknowledged' });
    case 'assign': {
      if (!/^[UW][A-Z0-9]+$/.test(action.assignee))
        return refuse('input', 'Pick a person in Slack to assign the case to.');
      if (action.dueOn && action.dueOn < startOfDay(now))
        return refuse('input', `The due date ${isoDay(action.dueOn)} has passed.`);
      if (c.state === 'assigned' && c.assigneeSlackId === action.assignee)
        return refuse('state', 'The case is already assigned to them.');
      const note = cleanNote(action.note);
      if (isRefusal(note)) return note;
      return event(
        {
          ...changed,
          state: 'assigned',
          assigneeSlackId: action.assignee,
          dueOn: action.dueOn,
          snoozedUntil: null,
        },
        note,
        { assignee: action.assignee, due: action.dueOn ? isoDay(action.dueOn) : null },
      );
    }
    case 'snooze':
      if (action.until <= now) return refuse('input', 'A snooze must end in the future.');
      return event({ ...changed, state: 'snoozed', snoozedUntil: action.until }, null, {
        until: action.until.toISOString(),
      });
    case 'escalate': {
      const note = cleanNote(action.note);
      if (isRefusal(note)) return note;
      return event({ ...changed, state: 'escalated', escalatedAt: now, snoozedUntil: null }, note);
    }
    case 'resolve': {
      const note = cleanNote(action.note);
      if (isRefusal(note)) return note;
      return event(
        {
          ...changed,
          state: 'resolved',
          outcome: action.outcome,
          note,
          resolvedAt: now,
          snoozedUntil: null,
        },
        note,
        { outcome: action.outcome },
      );
    }
    case 'wake':
      if (c.snoozedUntil && c.snoozedUntil > now)
        return refuse('state', `The case is snoozed until ${c.snoozedUntil.toISOString()}.`);
      return event({ ...changed, state: 'open', snoozedUntil: null, openSince: now });
    case 'remind':
      return event({ ...base, remindedAt: now });
    case 'fire':
      return event(
        { ...base, summary: action.summary, timesFired: c.timesFired + 1, lastFiredAt: now },
        null,
        { summary: action.summary },
      );
  }
}

/** A new case's fields and its `open` event, for a rule that fired. */
export function openCase(
  trigger: { accountId: number; reason: Reason; summary: string },
  now: Date,
): { case: Omit<RecoveryCase, 'id'>; event: CaseEventRecord } {
  return {
    case: {
      accountId: trigger.accountId,
      reason: trigger.reason,
      state: 'open',
      summary: trigger.summary,
      timesFired: 1,
      lastFiredAt: now,
      assigneeSlackId: null,
      dueOn: null,
      snoozedUntil: null,
      openSince: now,
      remindedAt: null,
      escalatedAt: null,
      outcome: null,
      note: null,
      resolvedAt: null,
      version: 1,
      revision: 1,
      openedAt: now,
      updatedAt: now,
    },
    event: {
      actor: CANARY,
      action: 'open',
      fromState: null,
      toState: 'open',
      note: null,
      details: { summary: trigger.summary },
      at: now,
    },
  };
}

const HOUR_MS = 3_600_000;

/**
 * What the clock owes a case at `now`: waking it when its snooze has ended; while it
 * stays open (nobody acknowledged it), a reminder and then an escalation, each once
 * per time it became open.
 */
export function dueActions(
  c: RecoveryCase,
  now: Date,
  reminders: AlertRules['reminders'],
): ('wake' | 'remind' | 'escalate')[] {
  if (c.state === 'snoozed') return c.snoozedUntil && c.snoozedUntil <= now ? ['wake'] : [];
  if (c.state !== 'open') return [];
  const openFor = now.getTime() - c.openSince.getTime();
  const since = (at: Date | null) => at !== null && at >= c.openSince;
  const due: ('remind' | 'escalate')[] = [];
  if (openFor >= reminders.remind_after_hours * HOUR_MS && !since(c.remindedAt)) due.push('remind');
  if (openFor >= reminders.escalate_after_hours * HOUR_MS && !since(c.escalatedAt)) due.push('escalate');
  return due;
}

/** The idempotency key of a clock action: one per time the case became open (or per snooze). */
export function clockKey(c: RecoveryCase, action: 'wake' | 'remind' | 'escalate'): string {
  const at = action === 'wake' ? c.snoozedUntil : c.openSince;
  return `${action}:${at?.toISOString() ?? ''}`;
}

export type SnoozeChoice = { days: 1 | 7 } | { until: Date };

/** When a snooze ends: a day or a week from now, or the start (UTC) of the chosen day. */
export function snoozeEnd(choice: SnoozeChoice, now: Date): Date {
  return 'days' in choice ? new Date(now.getTime() + choice.days * 24 * HOUR_MS) : startOfDay(choice.until);
}
