// Owns recovery cases in the database: recovery_cases, their audit trail (case_events)
// and the outbox of what they post to Slack (case_posts). Opening or adding to cases
// for the triggers of a run, a person's action, the clock's due actions, reading cases
// for lists and the audit trail, and the outbox a sender drains.
//
// Concurrency: every change is one transaction whose first statement is the versioned
// UPDATE (... WHERE id = ? AND version = ?), so the loser of a race changes nothing
// and is told who won, and on SQLite the write lock is taken before anything is read.
// The event's idempotency key is unique per case: a repeated payload inserts nothing.
// One open case per account and reason is a unique index on (account, reason,
// open_key), open_key being null once resolved: a second opener's INSERT fails and it
// adds to the winner's case instead. The outbox rows a change needs are written in the
// same transaction; a sender claims a row (an UPDATE only one claim can win), posts,
// then records the message's ts, or the error and when to try again.
import {
  CANARY_ACTOR,
  actorFor,
  clockKey,
  dueActions,
  openCase,
  refuse,
  transition,
  type CaseAction,
  type CaseEventRecord,
  type CaseState,
  type Outcome,
  type PersonAction,
  type RecoveryCase,
  type Refusal,
} from '../cases/case.ts';
import { budgetDecision, budgetOf, channelFor, postsFor } from '../cases/delivery.ts';
import type { AlertRules, Reason } from '../cases/rules.ts';
import type { Trigger } from '../cases/triggers.ts';
import { Prisma, type Db } from './db.ts';
import { isUniqueViolation } from './sql.ts';

/** open_key of a case that is not resolved. */
const OPEN = 'open';

type CaseRow = Awaited<ReturnType<Db['recoveryCase']['findUniqueOrThrow']>>;
type EventRow = Awaited<ReturnType<Db['caseEvent']['findUniqueOrThrow']>>;
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export function toCase(row: CaseRow): RecoveryCase {
  return {
    id: row.id,
    accountId: row.accountId,
    reason: row.reason as Reason,
    state: row.state as CaseState,
    summary: row.summary,
    timesFired: row.timesFired,
    lastFiredAt: row.lastFiredAt,
    assigneeSlackId: row.assigneeSlackId,
    dueOn: row.dueOn,
    snoozedUntil: row.snoozedUntil,
    openSince: row.openSince,
    remindedAt: row.remindedAt,
    escalatedAt: row.escalatedAt,
    outcome: row.outcome as Outcome | null,
    note: row.note,
    resolvedAt: row.resolvedAt,
    version: row.version,
    revision: row.revision,
    openedAt: row.openedAt,
    updatedAt: row.updatedAt,
  };
}

/** An event of the audit trail as stored. */
export interface StoredEvent extends CaseEventRecord {
  id: number;
  caseId: number;
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    caseId: row.caseId,
    actor: row.actor,
    action: row.action as StoredEvent['action'],
    fromState: row.fromState as CaseState | null,
    toState: row.toState as CaseState,
    note: row.note,
    details: (row.details as StoredEvent['details']) ?? null,
    at: row.at,
  };
}

/** The fields a transition changed, as an update; counters by increment, so that a concurrent increment is never lost. */
function changes(before: RecoveryCase, after: RecoveryCase, action: CaseAction) {
  const data: Prisma.RecoveryCaseUpdateManyMutationInput = {
    revision: { increment: 1 },
    updatedAt: after.updatedAt,
  };
  if (after.version !== before.version) data.version = { increment: 1 };
  if (action.kind === 'fire') data.timesFired = { increment: 1 };
  const fields = [
    'state',
    'summary',
    'lastFiredAt',
    'assigneeSlackId',
    'dueOn',
    'snoozedUntil',
    'openSince',
    'remindedAt',
    'escalatedAt',
    'outcome',
    'note',
    'resolvedAt',
  ] as const;
  for (const f of fields) {
    const [a, b] = [before[f], after[f]];
    const same = a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
    if (!same) (data as Record<string, unknown>)[f] = b;
  }
  if (after.state === 'resolved') data.openKey = null;
  return data;
}

type Committed = { kind: 'done'; event: StoredEvent } | { kind: 'lost' } | { kind: 'duplicate' };

/**
 * Writes a transition in one transaction: the versioned update first (0 rows: another
 * change won), then its event under the idempotency key (taken: a duplicate, nothing
 * is kept), then the posts it needs.
 */
async function commit(
  db: Db,
  rules: Pick<AlertRules, 'reminders'>,
  before: CaseRow,
  action: CaseAction,
  result: { case: RecoveryCase; event: CaseEventRecord },
  idempotencyKey: string,
  now: Date,
): Promise<Committed> {
  try {
    return await db.$transaction(async (tx): Promise<Committed> => {
      const { count } = await tx.recoveryCase.updateMany({
        where: { id: before.id, version: before.version },
        data: changes(toCase(before), result.case, action),
      });
      if (count === 0) return { kind: 'lost' };
      const e = result.event;
      const event = await tx.caseEvent.create({
        data: {
          caseId: before.id,
          actor: e.actor,
          action: e.action,
          fromState: e.fromState,
          toState: e.toState,
          note: e.note,
          details: e.details ?? undefined,
          at: e.at,
          idempotencyKey,
        },
      });
      await queuePosts(tx, rules, before, toEvent(event), result.case, now);
      return { kind: 'done', event: toEvent(event) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { kind: 'duplicate' };
    throw error;
  }
}

/** The outbox rows of an event; a thread line waits for its message when that is not posted yet. */
async function queuePosts(
  tx: Tx,
  rules: Pick<AlertRules, 'reminders'>,
  before: CaseRow,
  event: StoredEvent,
  after: RecoveryCase,
  now: Date,
): Promise<void> {
  const planned = postsFor(event, after, rules);
  if (!planned.length) return;
  const message = before.messagePostId
    ? await tx.casePost.findUnique({ where: { id: before.messagePostId }, select: { status: true } })
    : null;
  for (const p of planned) {
    // A case without a message (no channel routed) has no thread to log in.
    if (p.kind === 'thread' && !message) continue;
    await tx.casePost.create({
      data: {
        kind: p.kind,
        caseId: before.id,
        eventId: event.id,
        channel: p.kind === 'escalation' ? p.channel : p.kind === 'dm' ? p.user : null,
        status: p.kind === 'thread' && message!.status !== 'sent' ? 'waiting' : 'pending',
        nextAttemptAt: now,
        createdAt: now,
      },
    });
  }
}

// ---------------------------------------------------------------------------------
// Triggers: opening cases, or adding to them.

export interface OpenResult {
  /** Cases opened, by id. */
  opened: number[];
  /** Open cases a trigger added to, by id. */
  updated: number[];
  /** Triggers already recorded (the same firing seen before). */
  unchanged: number;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const DAY_MS = 86_400_000;

/**
 * Opens a case for each trigger whose account has no open case of its reason, and adds
 * the others to the open case; a firing already recorded (its key, on any case of the
 * account and reason) changes nothing. A new case with a channel gets its alert queued,
 * or, past the channel's budget for the day, joins the channel's summary of the day.
 */
export async function openOrUpdateCases(
  db: Db,
  rules: AlertRules,
  triggers: readonly Trigger[],
  now: Date,
): Promise<OpenResult> {
  const result: OpenResult = { opened: [], updated: [], unchanged: 0 };
  const fresh = await unseen(db, triggers);
  result.unchanged = triggers.length - fresh.length;
  const accounts = new Map<number, Parameters<typeof channelFor>[2]>();
  for (const ids of chunks([...new Set(fresh.map((t) => t.accountId))])) {
    const rows = await db.account.findMany({
      where: { id: { in: ids } },
      select: { id: true, segment: true, industry: true, ownerSlackId: true, ownerEmail: true },
    });
    for (const r of rows) accounts.set(r.id, r);
  }
  for (const t of fresh) {
    const account = accounts.get(t.accountId);
    if (!account) continue;
    const outcome = await applyTrigger(db, rules, t, channelFor(rules, t.reason, account), now);
    if (outcome.kind === 'opened') result.opened.push(outcome.caseId);
    else if (outcome.kind === 'updated') result.updated.push(outcome.caseId);
    else result.unchanged++;
  }
  return result;
}

/** The triggers whose key no case of their account and reason has recorded. */
async function unseen(db: Db, triggers: readonly Trigger[]): Promise<Trigger[]> {
  const seen = new Set<string>();
  const id = (accountId: number, reason: string, key: string) => `${accountId}\u0000${reason}\u0000${key}`;
  for (const part of chunks(triggers)) {
    const rows = await db.caseEvent.findMany({
      where: {
        idempotencyKey: { in: [...new Set(part.map((t) => t.key))] },
        case: { accountId: { in: [...new Set(part.map((t) => t.accountId))] } },
      },
      select: { idempotencyKey: true, case: { select: { accountId: true, reason: true } } },
    });
    for (const r of rows) seen.add(id(r.case.accountId, r.case.reason, r.idempotencyKey));
  }
  return triggers.filter((t) => !seen.has(id(t.accountId, t.reason, t.key)));
}

type TriggerOutcome = { kind: 'opened' | 'updated'; caseId: number } | { kind: 'unchanged' };

async function applyTrigger(
  db: Db,
  rules: AlertRules,
  t: Trigger,
  channel: string | null,
  now: Date,
): Promise<TriggerOutcome> {
  // Each lost race (another run opened, changed or resolved the case meanwhile) is
  // followed by a fresh look; a handful is more than two racing runs can cause.
  for (let attempt = 0; attempt < 5; attempt++) {
    const open = await db.recoveryCase.findFirst({
      where: { accountId: t.accountId, reason: t.reason, openKey: OPEN },
    });
    if (open) {
      const action: CaseAction = { kind: 'fire', summary: t.summary };
      const result = transition(toCase(open), action, CANARY_ACTOR, now);
      if (result.refused) continue;
      const committed = await commit(db, rules, open, action, result, t.key, now);
      if (committed.kind === 'done') return { kind: 'updated', caseId: open.id };
      if (committed.kind === 'duplicate') return { kind: 'unchanged' };
      continue;
    }
    try {
      const caseId = await insertCase(db, rules, t, channel, now);
      return { kind: 'opened', caseId };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error(
    `could not open or add to the ${t.reason} case of account ${t.accountId}: it kept changing`,
  );
}

/** A new case, its open event and its alert (or its place in the day's summary), in one transaction. */
async function insertCase(
  db: Db,
  rules: AlertRules,
  t: Trigger,
  channel: string | null,
  now: Date,
): Promise<number> {
  const { case: fields, event } = openCase(t, now);
  return db.$transaction(async (tx) => {
    const created = await tx.recoveryCase.create({ data: { ...fields, openKey: OPEN, channel } });
    await tx.caseEvent.create({
      data: {
        caseId: created.id,
        actor: event.actor,
        action: event.action,
        fromState: null,
        toState: event.toState,
        note: null,
        details: event.details ?? undefined,
        at: now,
        idempotencyKey: t.key,
      },
    });
    if (channel) {
      const today = { gte: utcDay(now), lt: new Date(utcDay(now).getTime() + DAY_MS) };
      const sentToday = await tx.casePost.count({ where: { kind: 'alert', channel, createdAt: today } });
      let messagePostId: number;
      if (budgetDecision(sentToday, budgetOf(rules, channel)) === 'post') {
        const post = await tx.casePost.create({
          data: {
            kind: 'alert',
            caseId: created.id,
            channel,
            status: 'pending',
            nextAttemptAt: now,
            createdAt: now,
          },
        });
        messagePostId = post.id;
      } else {
        // The channel's summary of the day shows every case batched into it; one
        // already posted is updated in place to show this one too.
        const summary =
          (await tx.casePost.findFirst({
            where: { kind: 'summary', channel, createdAt: today },
            orderBy: { id: 'asc' },
          })) ??
          (await tx.casePost.create({
            data: { kind: 'summary', channel, status: 'pending', nextAttemptAt: now, createdAt: now },
          }));
        messagePostId = summary.id;
      }
      await tx.recoveryCase.update({ where: { id: created.id }, data: { messagePostId } });
    }
    return created.id;
  });
}

// ---------------------------------------------------------------------------------
// People's actions and the clock's.

export type ActionResult =
  | { kind: 'applied'; case: RecoveryCase; event: StoredEvent }
  /** The idempotency key was used before: nothing was done this time. */
  | { kind: 'duplicate'; case: RecoveryCase }
  /** Nothing changed; `winner` is the change that came first when the case changed meanwhile. */
  | { kind: 'refused'; refusal: Refusal; case: RecoveryCase | null; winner: StoredEvent | null };

/** The latest change of state of a case (not a rule firing again, not a reminder): who won a race, who did what last. */
export async function latestChange(db: Db, caseId: number): Promise<StoredEvent | null> {
  const row = await db.caseEvent.findFirst({
    where: { caseId, action: { notIn: ['fire', 'remind'] } },
    orderBy: { id: 'desc' },
  });
  return row ? toEvent(row) : null;
}

async function keyUsed(db: Db, caseId: number, idempotencyKey: string): Promise<boolean> {
  const row = await db.caseEvent.findUnique({
    where: { caseId_idempotencyKey: { caseId, idempotencyKey } },
    select: { id: true },
  });
  return row !== null;
}

/** What a person is told when the case changed since the version they acted on. */
export const STALE = 'Someone changed the case first; nothing was done.';

/**
 * A person's action on a case, as they saw it at `expectedVersion` (the version their
 * button carries), under an idempotency key (Slack's action_ts and user id, say): the
 * same key again does nothing; a case changed since that version refuses, naming the
 * change that won; the alert rules decide what the person may do.
 */
export async function applyAction(
  db: Db,
  rules: AlertRules,
  caseId: number,
  action: PersonAction,
  person: { slackId: string; email: string | null },
  expectedVersion: number,
  idempotencyKey: string,
  now: Date,
): Promise<ActionResult> {
  const row = await db.recoveryCase.findUnique({ where: { id: caseId }, include: { account: true } });
  if (!row)
    return {
      kind: 'refused',
      refusal: refuse('gone', `There is no case #${caseId}.`),
      case: null,
      winner: null,
    };
  if (await keyUsed(db, caseId, idempotencyKey)) return { kind: 'duplicate', case: toCase(row) };
  const stale = async (): Promise<ActionResult> => ({
    kind: 'refused',
    refusal: refuse('stale', STALE),
    case: toCase(await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })),
    winner: await latestChange(db, caseId),
  });
  if (row.version !== expectedVersion) return stale();
  const actor = actorFor(rules, person, row.account, row);
  const result = transition(toCase(row), action, actor, now);
  if (result.refused) return { kind: 'refused', refusal: result, case: toCase(row), winner: null };
  const committed = await commit(db, rules, row, action, result, idempotencyKey, now);
  if (committed.kind === 'done') {
    const after = await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } });
    return { kind: 'applied', case: toCase(after), event: committed.event };
  }
  // The same payload delivered twice at once: the other delivery did it.
  if (committed.kind === 'duplicate' || (await keyUsed(db, caseId, idempotencyKey)))
    return {
      kind: 'duplicate',
      case: toCase(await db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } })),
    };
  return stale();
}

const HOUR_MS = 3_600_000;

/** Cases the clock owes something at `now` (a snooze ended, a reminder or an escalation due), with what. */
export async function dueReminders(
  db: Db,
  rules: AlertRules,
  now: Date,
): Promise<{ case: RecoveryCase; actions: ReturnType<typeof dueActions> }[]> {
  const openedBy = new Date(now.getTime() - rules.reminders.remind_after_hours * HOUR_MS);
  const rows = await db.recoveryCase.findMany({
    where: {
      OR: [
        { state: 'snoozed', snoozedUntil: { lte: now } },
        { state: 'open', openSince: { lte: openedBy } },
      ],
    },
    orderBy: { id: 'asc' },
  });
  return rows
    .map((row) => {
      const c = toCase(row);
      return { case: c, actions: dueActions(c, now, rules.reminders) };
    })
    .filter((d) => d.actions.length > 0);
}

/**
 * Does what the clock owes: wakes cases whose snooze ended, reminds of and escalates
 * cases left open. Each is a transition like a person's, keyed once per time the case
 * became open, so replicas running this at the same moment do each thing once.
 */
export async function runDueActions(
  db: Db,
  rules: AlertRules,
  now: Date,
): Promise<{ woken: number; reminded: number; escalated: number }> {
  const done = { woken: 0, reminded: 0, escalated: 0 };
  for (const due of await dueReminders(db, rules, now)) {
    for (const kind of due.actions) {
      const row = await db.recoveryCase.findUniqueOrThrow({ where: { id: due.case.id } });
      const current = toCase(row);
      // An earlier action of this pass (or another replica) may have moved the case on.
      if (!dueActions(current, now, rules.reminders).includes(kind)) continue;
      const action: CaseAction = kind === 'escalate' ? { kind, note: null } : { kind };
      const result = transition(current, action, CANARY_ACTOR, now);
      if (result.refused) continue;
      const committed = await commit(db, rules, row, action, result, clockKey(current, kind), now);
      if (committed.kind !== 'done') continue;
      if (kind === 'wake') done.woken++;
      else if (kind === 'remind') done.reminded++;
      else done.escalated++;
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------
// Reading cases.

/** The account of a case, as lists and messages show it. */
export interface CaseAccount {
  id: number;
  externalId: string;
  name: string;
  arr: number | null;
  segment: string | null;
  industry: string | null;
  renewalDate: Date | null;
  ownerSlackId: string | null;
  ownerEmail: string | null;
}

const ACCOUNT_FIELDS = {
  id: true,
  externalId: true,
  name: true,
  arr: true,
  segment: true,
  industry: true,
  renewalDate: true,
  ownerSlackId: true,
  ownerEmail: true,
} as const;

export type CaseFilter =
  | { kind: 'all' }
  /** Cases on accounts the person owns (Slack id or email) or assigned to them. */
  | { kind: 'mine'; slackId: string; email: string | null }
  | { kind: 'account'; accountId: number };

/** Which states a list shows: one, every one but resolved (the default), or any. */
export type StateFilter = CaseState | 'unresolved' | 'any';

export interface CaseListItem {
  case: RecoveryCase;
  account: CaseAccount;
}

function caseWhere(filter: CaseFilter, state: StateFilter): Prisma.RecoveryCaseWhereInput {
  const states: Prisma.RecoveryCaseWhereInput =
    state === 'any' ? {} : state === 'unresolved' ? { state: { not: 'resolved' } } : { state };
  if (filter.kind === 'account') return { ...states, accountId: filter.accountId };
  if (filter.kind === 'all') return states;
  const mine: Prisma.RecoveryCaseWhereInput[] = [
    { assigneeSlackId: filter.slackId },
    { account: { ownerSlackId: filter.slackId } },
  ];
  // Emails are compared as stored; imports keep them as the CRM has them.
  if (filter.email) mine.push({ account: { ownerEmail: filter.email } });
  return { ...states, OR: mine };
}

/** Cases for a list, newest first, with how many match in all. */
export async function casesFor(
  db: Db,
  filter: CaseFilter,
  options: { state?: StateFilter; limit?: number } = {},
): Promise<{ cases: CaseListItem[]; total: number }> {
  const where = caseWhere(filter, options.state ?? 'unresolved');
  const [rows, total] = await Promise.all([
    db.recoveryCase.findMany({
      where,
      include: { account: { select: ACCOUNT_FIELDS } },
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: options.limit ?? 50,
    }),
    db.recoveryCase.count({ where }),
  ]);
  return { cases: rows.map((r) => ({ case: toCase(r), account: r.account })), total };
}

/** Where a case's message stands: its own alert or the summary it is in, posted or not. */
export interface CaseMessage {
  kind: 'alert' | 'summary';
  status: string;
  attempts: number;
  lastError: string | null;
  channel: string | null;
  ts: string | null;
}

/** A case with its account, its whole audit trail (oldest first) and where its message stands. */
export async function caseWithEvents(
  db: Db,
  id: number,
): Promise<
  (CaseListItem & { events: StoredEvent[]; channel: string | null; message: CaseMessage | null }) | null
> {
  const row = await db.recoveryCase.findUnique({
    where: { id },
    include: { account: { select: ACCOUNT_FIELDS }, events: { orderBy: { id: 'asc' } } },
  });
  if (!row) return null;
  const post = row.messagePostId ? await db.casePost.findUnique({ where: { id: row.messagePostId } }) : null;
  const message: CaseMessage | null = post
    ? {
        kind: post.kind as CaseMessage['kind'],
        status: post.status,
        attempts: post.attempts,
        lastError: post.lastError,
        channel: post.sentChannel ?? post.channel,
        ts: post.ts,
      }
    : null;
  return {
    case: toCase(row),
    account: row.account,
    events: row.events.map(toEvent),
    channel: row.channel,
    message,
  };
}

// ---------------------------------------------------------------------------------
// The outbox.

export type PostKind = 'alert' | 'summary' | 'thread' | 'escalation' | 'dm';

export interface DuePost {
  id: number;
  kind: PostKind;
  /** The case it is about; null for a summary (its cases: casesShownBy). */
  caseId: number | null;
  /** The event a thread line, an escalation or a DM tells of. */
  eventId: number | null;
  /** Where it goes: a channel id, a user id (DM); for a thread line, the thread's channel. */
  channel: string;
  /** A thread line's parent message. */
  threadTs: string | null;
  /** Attempts so far, this one not counted. */
  attempts: number;
  lastError: string | null;
}

/** A claim older than this is taken to have died with its sender, and is claimed again. */
const CLAIM_TIMEOUT_MS = 10 * 60_000;

/** Waits after the 1st, 2nd, ... failure: a minute, doubling, at most an hour. */
const retryDelayMs = (attempts: number) => Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));

const claimable = (now: Date): Prisma.CasePostWhereInput => ({
  OR: [
    { status: { in: ['pending', 'failed'] }, nextAttemptAt: { lte: now } },
    { status: 'claimed', claimedAt: { lt: new Date(now.getTime() - CLAIM_TIMEOUT_MS) } },
  ],
});

/** Posts to send now, oldest first (so a thread reads in order). */
export async function duePosts(db: Db, now: Date, limit = 50): Promise<DuePost[]> {
  const rows = await db.casePost.findMany({ where: claimable(now), orderBy: { id: 'asc' }, take: limit });
  const threads = await threadsOf(
    db,
    rows.filter((r) => r.kind === 'thread').map((r) => r.caseId!),
  );
  return rows.flatMap((r): DuePost[] => {
    const thread = r.kind === 'thread' ? threads.get(r.caseId!) : null;
    const channel = thread ? thread.channel : r.channel;
    if (!channel) return [];
    return [
      {
        id: r.id,
        kind: r.kind as PostKind,
        caseId: r.caseId,
        eventId: r.eventId,
        channel,
        threadTs: thread?.ts ?? null,
        attempts: r.attempts,
        lastError: r.lastError,
      },
    ];
  });
}

/** The posted message (channel, ts) showing each case. */
async function threadsOf(db: Db, caseIds: number[]): Promise<Map<number, { channel: string; ts: string }>> {
  if (!caseIds.length) return new Map();
  const cases = await db.recoveryCase.findMany({
    where: { id: { in: [...new Set(caseIds)] } },
    select: { id: true, messagePostId: true },
  });
  const posts = await db.casePost.findMany({
    where: { id: { in: cases.flatMap((c) => (c.messagePostId ? [c.messagePostId] : [])) }, status: 'sent' },
    select: { id: true, sentChannel: true, ts: true },
  });
  const byPost = new Map(posts.map((p) => [p.id, p]));
  const out = new Map<number, { channel: string; ts: string }>();
  for (const c of cases) {
    const p = c.messagePostId ? byPost.get(c.messagePostId) : undefined;
    if (p?.sentChannel && p.ts) out.set(c.id, { channel: p.sentChannel, ts: p.ts });
  }
  return out;
}

/** Claims a post for sending: true for the one claim that wins. */
export async function claimPost(db: Db, id: number, now: Date): Promise<boolean> {
  const { count } = await db.casePost.updateMany({
    where: { id, ...claimable(now) },
    data: { status: 'claimed', claimedAt: now, attempts: { increment: 1 } },
  });
  return count === 1;
}

/** Which revision of each case a message showed when it was sent or updated. */
export type Shown = { caseId: number; revision: number }[];

/**
 * Records a claimed post as sent (Slack's channel id and ts) and the case revisions it
 * shows; an alert's or a summary's thread lines waiting for it become due. False when
 * the claim was no longer this sender's (it timed out and was claimed again).
 */
export async function markPosted(
  db: Db,
  id: number,
  sent: { channel: string; ts: string },
  shown: Shown,
  now: Date,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.casePost.updateMany({
      where: { id, status: 'claimed' },
      data: { status: 'sent', sentAt: now, sentChannel: sent.channel, ts: sent.ts, lastError: null },
    });
    if (count === 0) return false;
    await recordShown(tx, shown);
    await tx.casePost.updateMany({
      where: { kind: 'thread', status: 'waiting', case: { messagePostId: id } },
      data: { status: 'pending', nextAttemptAt: now },
    });
    return true;
  });
}

/** Records a failed attempt (Slack's error, say `channel_not_found`) and when to try again. */
export async function markPostFailed(db: Db, id: number, error: string, now: Date): Promise<Date | null> {
  const row = await db.casePost.findUnique({ where: { id }, select: { attempts: true, status: true } });
  if (!row || row.status !== 'claimed') return null;
  const next = new Date(now.getTime() + retryDelayMs(row.attempts));
  const { count } = await db.casePost.updateMany({
    where: { id, status: 'claimed' },
    data: { status: 'failed', lastError: error.slice(0, 500), nextAttemptAt: next, claimedAt: null },
  });
  return count === 1 ? next : null;
}

async function recordShown(tx: Tx | Db, shown: Shown): Promise<void> {
  for (const s of shown)
    await tx.recoveryCase.updateMany({
      where: { id: s.caseId, shownRevision: { lt: s.revision } },
      data: { shownRevision: s.revision },
    });
}

/** Records what an in-place update of a message (chat.update) showed. */
export const markShown = (db: Db, shown: Shown): Promise<void> => recordShown(db, shown);

export interface DueUpdate {
  /** The post whose message shows the cases: an alert (one case) or a summary. */
  postId: number;
  kind: 'alert' | 'summary';
  channel: string;
  ts: string;
}

/** Posted messages behind their cases (a case changed since the message showed it): to update in place. */
export async function dueUpdates(db: Db, limit = 50): Promise<DueUpdate[]> {
  const rows = await db.$queryRaw<{ id: unknown; kind: string; sent_channel: string; ts: string }[]>(
    Prisma.sql`SELECT DISTINCT p.id, p.kind, p.sent_channel, p.ts FROM recovery_cases c
      JOIN case_posts p ON p.id = c.message_post_id
      WHERE c.shown_revision < c.revision AND p.status = 'sent' ORDER BY p.id LIMIT ${limit}`,
  );
  return rows.map((r) => ({
    postId: Number(r.id),
    kind: r.kind as DueUpdate['kind'],
    channel: r.sent_channel,
    ts: r.ts,
  }));
}

/** The cases a message shows (an alert's one, or a summary's), oldest first. */
export async function casesShownBy(db: Db, postId: number): Promise<CaseListItem[]> {
  const rows = await db.recoveryCase.findMany({
    where: { messagePostId: postId },
    include: { account: { select: ACCOUNT_FIELDS } },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ case: toCase(r), account: r.account }));
}
