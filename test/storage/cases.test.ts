// Recovery cases in the database, on both providers: a rule firing opens one case per
// account and reason and adds to it afterwards, even when two scoring runs race; an
// action is applied once, by whoever may, and of two truly concurrent ones exactly one
// wins while the other is told who; a repeated payload does nothing; the clock wakes,
// reminds and escalates once; the outbox posts each message once, retries a failure,
// and keeps a channel within its daily budget.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/db.ts';
import { connect } from '../../src/storage/db.ts';
import {
  applyAction,
  caseWithEvents,
  casesFor,
  casesShownBy,
  claimPost,
  duePosts,
  dueReminders,
  dueUpdates,
  markPosted,
  markPostFailed,
  markShown,
  openOrUpdateCases,
  runDueActions,
} from '../../src/storage/cases.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import {
  ACME,
  at,
  BOB,
  CHANNEL,
  DAY,
  dropTrigger,
  ENTERPRISE_CHANNEL,
  GLOBEX,
  GREG,
  HOUR,
  MANAGER_CHANNEL,
  MARK,
  MAYA,
  NOW,
  OLIVE,
  rules,
} from '../cases/fixtures.ts';

const run = promisify(execFile);
const CHILD = path.resolve('test/storage/cases-race-child.ts');

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  let acme: number;
  let globex: number;
  const r = rules();

  beforeEach(async () => {
    d = await freshDatabase(provider);
    acme = (await d.db.account.create({ data: ACME })).id;
    globex = (await d.db.account.create({ data: GLOBEX })).id;
  });
  afterEach(() => d.close());

  /**
   * Another replica or scoring run: on PostgreSQL a second connection, so the two race
   * inside the server. On SQLite, the same connection: better-sqlite3 waits for a busy
   * file synchronously, so a second connection in this process would block the first
   * one's commit; on one connection their reads interleave while their transactions
   * queue, which is the race the versioned update must settle.
   */
  async function otherConnection(): Promise<Pick<Database, 'db' | 'close'>> {
    return provider === 'postgresql' ? connect(d.target) : { db: d.db, close: async () => {} };
  }

  const openDrop = async (accountId = acme, now = NOW) => {
    const { opened } = await openOrUpdateCases(d.db, r, [dropTrigger(accountId)], now);
    return opened[0]!;
  };

  describe('opening cases', () => {
    it('opens one case per account and reason, routed, with its alert queued; the same firing again changes nothing', async () => {
      const first = await openOrUpdateCases(
        d.db,
        r,
        [
          dropTrigger(acme),
          dropTrigger(globex),
          {
            ...dropTrigger(acme),
            reason: 'risk_tier',
            key: 'risk_tier:2026-11-20',
            summary: 'Entered high risk',
          },
        ],
        NOW,
      );
      expect(first.opened).toHaveLength(3);
      const again = await openOrUpdateCases(d.db, r, [dropTrigger(acme), dropTrigger(globex)], at(1));
      expect(again).toEqual({ opened: [], updated: [], unchanged: 2 });

      const acmeDrop = await caseWithEvents(d.db, first.opened[0]!);
      expect(acmeDrop).toMatchObject({
        case: { state: 'open', reason: 'drop', timesFired: 1, version: 1, revision: 1 },
        channel: ENTERPRISE_CHANNEL,
        events: [{ action: 'open', actor: 'canary', toState: 'open' }],
      });
      const globexDrop = await caseWithEvents(d.db, first.opened[1]!);
      expect(globexDrop?.channel).toBe(CHANNEL);
      const posts = await duePosts(d.db, NOW);
      expect(posts.map((p) => [p.kind, p.caseId, p.channel])).toEqual([
        ['alert', first.opened[0], ENTERPRISE_CHANNEL],
        ['alert', first.opened[1], CHANNEL],
        ['alert', first.opened[2], ENTERPRISE_CHANNEL],
      ]);
    });

    it('adds a new firing to the open case (its message to update), and opens a new case once the old one is resolved', async () => {
      const id = await openDrop();
      const next = await openOrUpdateCases(
        d.db,
        r,
        [{ ...dropTrigger(acme, '2026-11-21'), summary: 'Usage drop: -45%' }],
        at(24),
      );
      expect(next).toEqual({ opened: [], updated: [id], unchanged: 0 });
      const updated = await caseWithEvents(d.db, id);
      expect(updated?.case).toMatchObject({
        timesFired: 2,
        summary: 'Usage drop: -45%',
        version: 1,
        revision: 2,
      });
      expect(updated?.events.map((e) => e.action)).toEqual(['open', 'fire']);

      const resolved = await applyAction(
        d.db,
        r,
        id,
        { kind: 'resolve', outcome: 'recovered', note: null },
        OLIVE,
        1,
        'k1',
        at(25),
      );
      expect(resolved.kind).toBe('applied');
      // The firing the resolved case recorded is not news; a later one is.
      expect(await openOrUpdateCases(d.db, r, [dropTrigger(acme, '2026-11-21')], at(26))).toMatchObject({
        unchanged: 1,
      });
      const reopened = await openOrUpdateCases(d.db, r, [dropTrigger(acme, '2026-11-22')], at(48));
      expect(reopened.opened).toHaveLength(1);
      expect(reopened.opened[0]).not.toBe(id);
    });

    it('keeps one open case when two scoring runs open it at the same moment', async () => {
      const other = await otherConnection();
      try {
        const triggers = [dropTrigger(acme), { ...dropTrigger(acme, '2026-11-19') }];
        const [a, b] = await Promise.all([
          openOrUpdateCases(d.db, r, triggers, NOW),
          openOrUpdateCases(other.db, r, triggers, NOW),
        ]);
        expect(a.opened.length + b.opened.length).toBe(1);
        expect(await d.db.recoveryCase.count()).toBe(1);
        // Two firings, each recorded once, whichever run got there first.
        const c = await d.db.recoveryCase.findFirstOrThrow();
        expect(c.timesFired).toBe(2);
        expect(await d.db.caseEvent.count()).toBe(2);
        expect(await d.db.casePost.count({ where: { kind: 'alert' } })).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('batches alerts past a channel budget into one summary of the day, and starts again the next day', async () => {
      const tight = rules({ budget: { daily: 2, channels: { [ENTERPRISE_CHANNEL]: 0 } } });
      const accounts = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          d.db.account.create({ data: { externalId: `smb-${n}`, name: `Shop ${n}`, segment: 'smb' } }),
        ),
      );
      const opened = await openOrUpdateCases(
        d.db,
        tight,
        accounts.map((a) => dropTrigger(a.id)),
        NOW,
      );
      expect(opened.opened).toHaveLength(4);
      const posts = await duePosts(d.db, NOW);
      expect(posts.map((p) => p.kind)).toEqual(['alert', 'alert', 'summary']);
      const summary = posts[2]!;
      expect((await casesShownBy(d.db, summary.id)).map((c) => c.account.externalId)).toEqual([
        'smb-3',
        'smb-4',
      ]);

      // A budget of 0: straight into that channel's summary.
      await openOrUpdateCases(d.db, tight, [dropTrigger(acme)], at(1));
      const enterprise = (await duePosts(d.db, at(1))).filter((p) => p.channel === ENTERPRISE_CHANNEL);
      expect(enterprise.map((p) => p.kind)).toEqual(['summary']);

      const tomorrow = await d.db.account.create({ data: { externalId: 'smb-5', name: 'Shop 5' } });
      await openOrUpdateCases(d.db, tight, [dropTrigger(tomorrow.id, '2026-11-21')], at(24));
      const latest = await d.db.casePost.findFirstOrThrow({ orderBy: { id: 'desc' } });
      expect(latest).toMatchObject({ kind: 'alert', channel: CHANNEL });
    });
  });

  describe('actions', () => {
    it('lets the owner acknowledge: one transaction, the version moves on, the audit trail and the thread say so', async () => {
      const id = await openDrop();
      const result = await applyAction(
        d.db,
        r,
        id,
        { kind: 'acknowledge' },
        OLIVE,
        1,
        '1700000000.1:U0OLIVE001',
        at(1),
      );
      expect(result).toMatchObject({
        kind: 'applied',
        case: { state: 'acknowledged', version: 2, revision: 2 },
        event: { action: 'acknowledge', actor: OLIVE.slackId, fromState: 'open', toState: 'acknowledged' },
      });
      // The thread line waits for the alert it belongs under.
      expect(await d.db.casePost.findMany({ where: { kind: 'thread' }, select: { status: true } })).toEqual([
        { status: 'waiting' },
      ]);
    });

    it('refuses what the person may not do, changing nothing', async () => {
      const id = await openDrop();
      const bystander = await applyAction(d.db, r, id, { kind: 'acknowledge' }, BOB, 1, 'k-bob', at(1));
      expect(bystander).toMatchObject({
        kind: 'refused',
        refusal: { reason: 'forbidden' },
        case: { state: 'open', version: 1 },
      });
      const ownerAssigns = await applyAction(
        d.db,
        r,
        id,
        { kind: 'assign', assignee: GREG.slackId, dueOn: null, note: null },
        OLIVE,
        1,
        'k-olive',
        at(1),
      );
      expect(ownerAssigns).toMatchObject({ kind: 'refused', refusal: { reason: 'forbidden' } });
      // Mark is a manager by email, in whatever case Slack gives it.
      const managerAssigns = await applyAction(
        d.db,
        r,
        id,
        { kind: 'assign', assignee: GREG.slackId, dueOn: null, note: 'call them' },
        { ...MARK, email: 'MARK@example.com' },
        1,
        'k-mark',
        at(1),
      );
      expect(managerAssigns).toMatchObject({
        kind: 'applied',
        case: { state: 'assigned', assigneeSlackId: GREG.slackId },
      });
      expect((await caseWithEvents(d.db, id))?.events.map((e) => e.action)).toEqual(['open', 'assign']);
      expect(await d.db.casePost.findMany({ where: { kind: 'dm' }, select: { channel: true } })).toEqual([
        { channel: GREG.slackId },
      ]);
      // The assignee may now do what the owner may.
      const assigneeSnoozes = await applyAction(
        d.db,
        r,
        id,
        { kind: 'snooze', until: at(48) },
        GREG,
        2,
        'k-greg',
        at(2),
      );
      expect(assigneeSnoozes).toMatchObject({ kind: 'applied', case: { state: 'snoozed' } });
    });

    it('of two managers assigning at the same moment, exactly one wins and the other is told who', async () => {
      const id = await openDrop();
      const other = await otherConnection();
      try {
        const [a, b] = await Promise.all([
          applyAction(
            d.db,
            r,
            id,
            { kind: 'assign', assignee: OLIVE.slackId, dueOn: null, note: null },
            MAYA,
            1,
            'a:maya',
            at(1),
          ),
          applyAction(
            other.db,
            r,
            id,
            { kind: 'assign', assignee: GREG.slackId, dueOn: null, note: null },
            MARK,
            1,
            'a:mark',
            at(1),
          ),
        ]);
        const results = [a, b];
        const won = results.filter((x) => x.kind === 'applied');
        const lost = results.filter((x) => x.kind === 'refused');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const winner = won[0]!.kind === 'applied' ? won[0]!.event : null;
        expect(lost[0]).toMatchObject({
          kind: 'refused',
          refusal: { reason: 'stale' },
          winner: { action: 'assign', actor: winner!.actor },
          case: { state: 'assigned', version: 2 },
        });
        const c = await caseWithEvents(d.db, id);
        expect(c?.case.assigneeSlackId).toBe(winner!.details!.assignee);
        expect(c?.events.map((e) => e.action)).toEqual(['open', 'assign']);
      } finally {
        await other.close();
      }
    });

    // Two processes on one file: what SQLite's file locks decide (PostgreSQL's replicas are covered above).
    if (provider === 'sqlite')
      it('of two processes on one SQLite file assigning at the same moment, exactly one wins', async () => {
        const id = await openDrop();
        const startAt = Date.now() + 2500;
        const child = (manager: typeof MAYA, assignee: string) =>
          run(process.execPath, [
            '--import',
            'tsx',
            CHILD,
            d.url,
            String(id),
            assignee,
            manager.slackId,
            manager.email,
            String(startAt),
          ]);
        const outputs = await Promise.all([child(MAYA, OLIVE.slackId), child(MARK, GREG.slackId)]);
        const results = outputs.map((o) => JSON.parse(o.stdout) as { kind: string; winner: string | null });
        expect(results.map((x) => x.kind).sort()).toEqual(['applied', 'refused']);
        const c = await caseWithEvents(d.db, id);
        expect(c?.events.map((e) => e.action)).toEqual(['open', 'assign']);
        expect(results.find((x) => x.kind === 'refused')?.winner).toBe(c?.events[1]?.actor);
      }, 20_000);

    it('does nothing the second time a payload arrives, one after the other or both at once', async () => {
      const id = await openDrop();
      const ack = { kind: 'acknowledge' } as const;
      expect((await applyAction(d.db, r, id, ack, OLIVE, 1, 'same', at(1))).kind).toBe('applied');
      expect(await applyAction(d.db, r, id, ack, OLIVE, 1, 'same', at(1))).toMatchObject({
        kind: 'duplicate',
        case: { state: 'acknowledged', version: 2 },
      });

      const other = await otherConnection();
      try {
        const snooze = { kind: 'snooze', until: at(30) } as const;
        const both = await Promise.all([
          applyAction(d.db, r, id, snooze, OLIVE, 2, 'retry', at(2)),
          applyAction(other.db, r, id, snooze, OLIVE, 2, 'retry', at(2)),
        ]);
        expect(both.map((x) => x.kind).sort()).toEqual(['applied', 'duplicate']);
      } finally {
        await other.close();
      }
      const c = await caseWithEvents(d.db, id);
      expect(c?.events.map((e) => e.action)).toEqual(['open', 'acknowledge', 'snooze']);
      expect(c?.case.version).toBe(3);
    });

    it('refuses an action on a view older than the case, naming the change that came first', async () => {
      const id = await openDrop();
      await applyAction(d.db, r, id, { kind: 'acknowledge' }, OLIVE, 1, 'k1', at(1));
      const late = await applyAction(d.db, r, id, { kind: 'escalate', note: null }, MAYA, 1, 'k2', at(2));
      expect(late).toMatchObject({
        kind: 'refused',
        refusal: { reason: 'stale' },
        winner: { action: 'acknowledge', actor: OLIVE.slackId },
      });
      expect(await applyAction(d.db, r, 9999, { kind: 'acknowledge' }, OLIVE, 1, 'k3', at(2))).toMatchObject({
        kind: 'refused',
        refusal: { reason: 'gone' },
      });
    });
  });

  describe('the clock', () => {
    it('reminds once, escalates once into the manager channel, wakes a snoozed case, even with two replicas at once', async () => {
      const id = await openDrop();
      expect(await dueReminders(d.db, r, at(3))).toEqual([]);
      expect((await dueReminders(d.db, r, at(4))).map((x) => x.actions)).toEqual([['remind']]);

      const other = await otherConnection();
      try {
        const [a, b] = await Promise.all([runDueActions(d.db, r, at(4)), runDueActions(other.db, r, at(4))]);
        expect(a.reminded + b.reminded).toBe(1);
        const [c2, d2] = await Promise.all([
          runDueActions(d.db, r, at(24)),
          runDueActions(other.db, r, at(24)),
        ]);
        expect(c2.escalated + d2.escalated).toBe(1);
      } finally {
        await other.close();
      }
      const escalated = await caseWithEvents(d.db, id);
      expect(escalated?.case).toMatchObject({ state: 'escalated', version: 2 });
      expect(escalated?.events.map((e) => [e.action, e.actor])).toEqual([
        ['open', 'canary'],
        ['remind', 'canary'],
        ['escalate', 'canary'],
      ]);
      expect(
        await d.db.casePost.findMany({ where: { kind: 'escalation' }, select: { channel: true } }),
      ).toEqual([{ channel: MANAGER_CHANNEL }]);

      await applyAction(d.db, r, id, { kind: 'acknowledge' }, OLIVE, 2, 'ack', at(25));
      await applyAction(d.db, r, id, { kind: 'snooze', until: at(49) }, OLIVE, 3, 'snooze', at(25));
      expect(await runDueActions(d.db, r, at(48))).toEqual({ woken: 0, reminded: 0, escalated: 0 });
      expect(await runDueActions(d.db, r, at(49))).toEqual({ woken: 1, reminded: 0, escalated: 0 });
      const woken = await caseWithEvents(d.db, id);
      expect(woken?.case).toMatchObject({ state: 'open', snoozedUntil: null, openSince: at(49) });
      // Open again: the reminder counts from the wake-up.
      expect(await runDueActions(d.db, r, at(52))).toEqual({ woken: 0, reminded: 0, escalated: 0 });
      expect(await runDueActions(d.db, r, at(53))).toEqual({ woken: 0, reminded: 1, escalated: 0 });
    });
  });

  describe('the outbox', () => {
    it('posts an alert once: one claim wins, a failure is retried later, success records the ts and releases its thread', async () => {
      const id = await openDrop();
      await applyAction(d.db, r, id, { kind: 'acknowledge' }, OLIVE, 1, 'ack', at(0.1));
      const [alert] = await duePosts(d.db, NOW);
      expect(alert).toMatchObject({ kind: 'alert', caseId: id, channel: ENTERPRISE_CHANNEL, attempts: 0 });

      const other = await otherConnection();
      try {
        const claims = await Promise.all([
          claimPost(d.db, alert!.id, NOW),
          claimPost(other.db, alert!.id, NOW),
        ]);
        expect(claims.sort()).toEqual([false, true]);
      } finally {
        await other.close();
      }
      // While claimed, nobody else sends it.
      expect(await duePosts(d.db, NOW)).toEqual([]);
      const retryAt = await markPostFailed(d.db, alert!.id, 'not_in_channel', NOW);
      expect(retryAt).toEqual(new Date(NOW.getTime() + 60_000));
      expect(await duePosts(d.db, new Date(NOW.getTime() + 59_000))).toEqual([]);
      const [again] = await duePosts(d.db, retryAt!);
      expect(again).toMatchObject({ id: alert!.id, attempts: 1, lastError: 'not_in_channel' });

      expect(await claimPost(d.db, alert!.id, retryAt!)).toBe(true);
      expect(
        await markPosted(
          d.db,
          alert!.id,
          { channel: ENTERPRISE_CHANNEL, ts: '1700000001.000100' },
          [{ caseId: id, revision: 2 }],
          retryAt!,
        ),
      ).toBe(true);
      expect(await claimPost(d.db, alert!.id, at(5))).toBe(false);

      const [thread] = await duePosts(d.db, retryAt!);
      expect(thread).toMatchObject({
        kind: 'thread',
        caseId: id,
        channel: ENTERPRISE_CHANNEL,
        threadTs: '1700000001.000100',
      });
      expect(await dueUpdates(d.db)).toEqual([]);
    });

    it('finds posted messages behind their case, to update in place', async () => {
      const id = await openDrop();
      const [alert] = await duePosts(d.db, NOW);
      await claimPost(d.db, alert!.id, NOW);
      await markPosted(
        d.db,
        alert!.id,
        { channel: ENTERPRISE_CHANNEL, ts: '1.2' },
        [{ caseId: id, revision: 1 }],
        NOW,
      );
      expect(await dueUpdates(d.db)).toEqual([]);
      await openOrUpdateCases(d.db, r, [dropTrigger(acme, '2026-11-21')], at(24));
      expect(await dueUpdates(d.db)).toEqual([
        { postId: alert!.id, kind: 'alert', channel: ENTERPRISE_CHANNEL, ts: '1.2' },
      ]);
      await markShown(d.db, [{ caseId: id, revision: 2 }]);
      expect(await dueUpdates(d.db)).toEqual([]);
    });

    it('claims again a post whose sender died mid-claim, after the claim timeout', async () => {
      await openDrop();
      const [alert] = await duePosts(d.db, NOW);
      expect(await claimPost(d.db, alert!.id, NOW)).toBe(true);
      expect(await duePosts(d.db, new Date(NOW.getTime() + 9 * 60_000))).toEqual([]);
      expect((await duePosts(d.db, new Date(NOW.getTime() + 11 * 60_000))).map((p) => p.id)).toEqual([
        alert!.id,
      ]);
    });
  });

  describe('lists', () => {
    it('lists mine (owned by Slack id or email, or assigned to me), an account, or all, by state', async () => {
      const acmeCase = await openDrop(acme);
      const globexCase = await openDrop(globex, at(1));
      const ids = (x: { cases: { case: { id: number } }[] }) => x.cases.map((c) => c.case.id);
      expect(ids(await casesFor(d.db, { kind: 'mine', ...OLIVE }))).toEqual([acmeCase]);
      expect(ids(await casesFor(d.db, { kind: 'mine', slackId: 'U0NOBODY01', email: GREG.email }))).toEqual([
        globexCase,
      ]);
      expect(ids(await casesFor(d.db, { kind: 'all' }))).toEqual([globexCase, acmeCase]);
      expect(ids(await casesFor(d.db, { kind: 'account', accountId: globex }))).toEqual([globexCase]);

      await applyAction(
        d.db,
        r,
        globexCase,
        { kind: 'assign', assignee: BOB.slackId, dueOn: null, note: null },
        MAYA,
        1,
        'k',
        at(2),
      );
      expect(ids(await casesFor(d.db, { kind: 'mine', ...BOB }))).toEqual([globexCase]);
      await applyAction(
        d.db,
        r,
        acmeCase,
        { kind: 'resolve', outcome: 'false_alarm', note: 'seasonal' },
        MAYA,
        1,
        'k',
        at(2),
      );
      expect(await casesFor(d.db, { kind: 'all' })).toMatchObject({ total: 1 });
      expect(ids(await casesFor(d.db, { kind: 'all' }, { state: 'resolved' }))).toEqual([acmeCase]);
      expect((await casesFor(d.db, { kind: 'all' }, { state: 'any', limit: 1 })).total).toBe(2);
      const trail = await caseWithEvents(d.db, acmeCase);
      expect(trail?.case).toMatchObject({ outcome: 'false_alarm', note: 'seasonal', resolvedAt: at(2) });
      expect(trail?.events.at(-1)).toMatchObject({
        action: 'resolve',
        note: 'seasonal',
        details: { outcome: 'false_alarm' },
      });
    });
  });

  it('reminders count from the day: nothing due before remind_after_hours', async () => {
    await openDrop();
    expect(await runDueActions(d.db, r, new Date(NOW.getTime() + 4 * HOUR - 1))).toEqual({
      woken: 0,
      reminded: 0,
      escalated: 0,
    });
    expect((await runDueActions(d.db, r, new Date(NOW.getTime() + DAY))).reminded).toBe(1);
  });
});
