// The scheduler through the offline Slack, on PostgreSQL (the database replicas share):
// several instances ticking at once over weeks of slots in four time zones, across
// both daylight-saving changes of March 2026, post exactly one digest per slot, each
// at its slot's instant; a process killed after claiming a slot, or after marking it
// posting, loses nothing and posts once when another takes over; a process killed
// after Slack took the post but before recording it is found in the channel's history
// and nothing is posted again (and when the history cannot be read, nothing is posted
// again either); a slot missed while everything was down is posted late, once, inside
// the catch-up window and skipped and logged outside it; ratelimited answers are waited
// out or retried; a deleted or archived channel, or one without the bot, fails alone.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSubscription } from '../../src/digest/subscription.ts';
import { loadModel } from '../../src/health/model.ts';
import { createLogger } from '../../src/lib/log.ts';
import { parseSchedule } from '../../src/schedule/cron.ts';
import { createScheduler, slotMarker, type SchedulerDeps } from '../../src/schedule/scheduler.ts';
import { digestSlack, type DigestSlack } from '../../src/schedule/slack.ts';
import { slotsBetween } from '../../src/schedule/slots.ts';
import type { Database } from '../../src/storage/db.ts';
import { saveSubscription, subscriptionOf, type Subscription } from '../../src/storage/digests.ts';
import { openDatabase } from '../../src/storage/migrate.ts';
import { claimDelivery, deliveriesOf } from '../../src/storage/schedule-slots.ts';
import { freshDatabase } from '../support/databases.ts';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../support/slack/fake-slack.ts';

const model = loadModel();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LEASE = 2 * MINUTE;

/** Log lines, parsed, for the tests that check what was logged. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({
    channels: [
      { id: 'C0PARIS0001', name: 'paris' },
      { id: 'C0NEWYORK01', name: 'new-york' },
      { id: 'C0TOKYO0001', name: 'tokyo' },
      { id: 'C0UTC000001', name: 'utc' },
      { id: 'C0NOTIN0001', name: 'not-in', botIsMember: false },
      { id: 'C0ARCHIVE01', name: 'archived', archived: true },
    ],
  });
});
afterAll(() => fake.close());

describe('the scheduler on PostgreSQL', () => {
  let d: Database & { url: string };
  let replica: Database;
  let log: ReturnType<typeof capturedLogger>;
  beforeEach(async () => {
    fake.reset();
    d = await freshDatabase('postgresql');
    replica = await openDatabase(d.url);
    log = capturedLogger();
  });
  afterEach(async () => {
    await replica.close();
    await d.close();
  });

  const subscribe = async (
    channel: string,
    schedule: string,
    timeZone: string,
    at: Date,
  ): Promise<Subscription> =>
    (await saveSubscription(d.db, channel, readSubscription({ schedule, timeZone }), 'U0CSM00001', at))
      .subscription;

  function scheduler(name: string, over: Partial<SchedulerDeps> & { database?: Database } = {}) {
    return createScheduler({
      database: d,
      slack: digestSlack(fake.client(), log.logger),
      models: { model },
      settings: { scoring: null, catchupHours: 6 },
      logger: log.logger,
      instance: name,
      ...over,
    });
  }

  const posted = (channel: string) => fake.messages(channel).filter((m) => m.metadata !== undefined);
  const slotOf = (m: StoredMessage) => (m.metadata as { event_payload: { slot: string } }).event_payload.slot;

  it('posts exactly one digest per slot when three instances tick at once, over weeks and two DST changes', async () => {
    const start = new Date('2026-03-05T00:00:00Z');
    const end = new Date('2026-03-31T00:00:00Z');
    const subs = [
      await subscribe('C0PARIS0001', 'daily 09:00', 'Europe/Paris', start),
      await subscribe('C0NEWYORK01', 'weekdays 09:00', 'America/New_York', start),
      await subscribe('C0TOKYO0001', 'daily 08:30', 'Asia/Tokyo', start),
      await subscribe('C0UTC000001', '0 7,19 * * *', 'UTC', start),
    ];
    const expected = new Map(
      subs.map((s) => [
        s.channelId,
        slotsBetween(parseSchedule(s.schedule), s.timeZone, start, end).map((t) => slotMarker(s.id, t)),
      ]),
    );
    // Every slot's instant and a moment after it, each ticked by three instances at once.
    const instants = [
      ...new Set([...expected.values()].flat().map((m) => Date.parse(m.split('@')[1]!))),
    ].sort();
    const ticks = instants.flatMap((t) => [t, t + 20_000]);
    const third = await openDatabase(d.url);
    try {
      const instances = [
        scheduler('a'),
        scheduler('b', { database: replica }),
        scheduler('c', { database: third }),
      ];
      for (const t of ticks) await Promise.all(instances.map((s) => s.tick(new Date(t))));
    } finally {
      await third.close();
    }

    for (const [channel, markers] of expected) {
      expect(posted(channel).map(slotOf).sort(), channel).toEqual([...markers].sort());
    }
    const slots = [...expected.values()].flat();
    expect(slots.length).toBeGreaterThan(100);
    expect(fake.calls('chat.postMessage')).toHaveLength(slots.length);
    // Each on its slot's instant: Paris's 09:00 moves from 08:00 to 07:00 UTC on 29 March,
    // New York's from 14:00 to 13:00 UTC on 9 March (the Monday after the change).
    const paris = expected.get('C0PARIS0001')!;
    expect(paris).toContain(slotMarker(subs[0]!.id, new Date('2026-03-28T08:00:00Z')));
    expect(paris).toContain(slotMarker(subs[0]!.id, new Date('2026-03-29T07:00:00Z')));
    const newYork = expected.get('C0NEWYORK01')!;
    expect(newYork).toContain(slotMarker(subs[1]!.id, new Date('2026-03-06T14:00:00Z')));
    expect(newYork).toContain(slotMarker(subs[1]!.id, new Date('2026-03-09T13:00:00Z')));
    expect(newYork.some((m) => m.includes('2026-03-07') || m.includes('2026-03-08'))).toBe(false);
    // And the database says the same: every slot posted once, with the ts Slack gave.
    const rows = await d.db.digestDelivery.findMany();
    expect(rows).toHaveLength(slots.length);
    expect(rows.every((r) => r.state === 'posted' && r.attempts === 1 && !r.late)).toBe(true);
    const ts = new Set(subs.flatMap((s) => posted(s.channelId).map((m) => m.ts)));
    expect(new Set(rows.map((r) => r.messageTs))).toEqual(ts);
  });

  describe('a process killed while it held a slot', () => {
    // Near the real time: the fake's messages carry real timestamps, and the history is searched by time.
    const slotAt = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
    const after = (ms: number) => new Date(slotAt.getTime() + ms);
    let sub: Subscription;
    beforeEach(async () => {
      sub = await subscribe('C0UTC000001', '0 * * * *', 'UTC', after(-MINUTE));
    });

    /** A Slack that never answers once it has done `before`: a process frozen (then killed) at that point. */
    const frozenAfter = (before: 'nothing' | 'the post'): DigestSlack => {
      const real = digestSlack(fake.client(), log.logger);
      return {
        findPosted: real.findPosted,
        post: async (channel, message, marker) => {
          if (before === 'the post') await real.post(channel, message, marker);
          return new Promise<string>(() => {});
        },
      };
    };

    it('after claiming: another process takes the slot over once the lease runs out, and posts once', async () => {
      await claimDelivery(d.db, { subscriptionId: sub.id, slotAt, late: false }, 'killed', after(1000));
      const b = scheduler('b', { database: replica });
      expect(await b.tick(after(MINUTE))).toMatchObject({ posted: 0, takenOver: 0 });
      expect(await b.tick(after(LEASE + 2000))).toMatchObject({ posted: 1, takenOver: 1 });
      expect(await b.tick(after(LEASE + 3 * MINUTE))).toMatchObject({ posted: 0, takenOver: 0 });
      expect(posted('C0UTC000001').map(slotOf)).toEqual([slotMarker(sub.id, slotAt)]);
      expect((await deliveriesOf(d.db, sub.id))[0]).toMatchObject({
        state: 'posted',
        claimedBy: 'b',
        attempts: 2,
      });
    });

    it('after marking it posting, before Slack had it: the history shows no digest, so it is posted once', async () => {
      const a = scheduler('a', { slack: frozenAfter('nothing') });
      void a.tick(after(1000));
      await waitUntil(async () => (await deliveriesOf(d.db, sub.id))[0]?.state === 'posting');
      const b = scheduler('b', { database: replica });
      expect(await b.tick(after(LEASE + 2000))).toMatchObject({ posted: 1, found: 0, takenOver: 1 });
      expect(fake.calls('conversations.history')).toHaveLength(1);
      expect(posted('C0UTC000001').map(slotOf)).toEqual([slotMarker(sub.id, slotAt)]);
    });

    it('after Slack had the post, before recording it: the digest is found in the history and not posted again', async () => {
      const a = scheduler('a', { slack: frozenAfter('the post') });
      void a.tick(after(1000));
      await fake.waitFor('chat.postMessage');
      const [first] = posted('C0UTC000001');
      const b = scheduler('b', { database: replica });
      expect(await b.tick(after(LEASE + 2000))).toMatchObject({ posted: 0, found: 1, takenOver: 1 });
      expect(await b.tick(after(LEASE + 10 * MINUTE))).toMatchObject({ posted: 0, found: 0, takenOver: 0 });
      expect(fake.calls('chat.postMessage')).toHaveLength(1);
      expect((await deliveriesOf(d.db, sub.id))[0]).toMatchObject({
        state: 'posted',
        claimedBy: 'b',
        messageTs: first!.ts,
      });
    });

    it('when the history cannot be read (no channels:history scope), never posts it again', async () => {
      const a = scheduler('a', { slack: frozenAfter('the post') });
      void a.tick(after(1000));
      await fake.waitFor('chat.postMessage');
      fake.fail('conversations.history', { error: 'missing_scope' });
      const b = scheduler('b', { database: replica });
      expect(await b.tick(after(LEASE + 2000))).toMatchObject({ posted: 0, failed: 1, takenOver: 1 });
      expect(fake.calls('chat.postMessage')).toHaveLength(1);
      expect((await deliveriesOf(d.db, sub.id))[0]).toMatchObject({
        state: 'failed',
        error: 'interrupted post, history unreadable: missing_scope',
      });
      expect(log.lines.some((l) => String(l.msg).includes('cannot be read'))).toBe(true);
    });
  });

  describe('catch-up', () => {
    const day = new Date('2026-11-30T00:00:00Z');
    const at = (h: number) => new Date(day.getTime() + h * HOUR);

    it('posts a slot missed while everything was down once, marked late, inside the window', async () => {
      const sub = await subscribe('C0UTC000001', 'daily 09:00', 'UTC', at(-24));
      const a = scheduler('a');
      const b = scheduler('b', { database: replica });
      const reports = await Promise.all([a.tick(at(12)), b.tick(at(12))]);
      expect(reports.reduce((n, r) => n + r.late, 0)).toBe(1);
      expect(await a.tick(at(12.5))).toMatchObject({ posted: 0 });
      const [message] = posted('C0UTC000001');
      expect(posted('C0UTC000001')).toHaveLength(1);
      expect(JSON.stringify(message!.blocks)).toContain(
        'Late: this digest was due Mon, 30 Nov 2026, 09:00 (UTC)',
      );
      expect((await deliveriesOf(d.db, sub.id))[0]).toMatchObject({
        slotAt: at(9),
        state: 'posted',
        late: true,
      });
    });

    it('skips and logs, once, the slots missed for longer than the window', async () => {
      const sub = await subscribe('C0UTC000001', 'daily 09:00', 'UTC', at(-72));
      const a = scheduler('a');
      expect(await a.tick(at(16))).toMatchObject({ posted: 0, skipped: 1 });
      expect(await a.tick(at(16.5))).toMatchObject({ posted: 0, skipped: 0 });
      expect(posted('C0UTC000001')).toHaveLength(0);
      expect(await deliveriesOf(d.db, sub.id)).toMatchObject([{ slotAt: at(9), state: 'skipped' }]);
      const warned = log.lines.filter((l) => String(l.msg).startsWith('digest not posted'));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ level: 40, slots: 4, channel: 'C0UTC000001' });
      expect(String(warned[0]!.msg)).toContain(
        'from Fri, 27 Nov 2026, 09:00 (UTC) to Mon, 30 Nov 2026, 09:00 (UTC)',
      );
      // The next day's slot is posted as usual.
      expect(await a.tick(at(33))).toMatchObject({ posted: 1, late: 0 });
    });

    it('posts only the latest of several slots missed inside the window', async () => {
      const sub = await subscribe('C0UTC000001', '0 * * * *', 'UTC', at(8.5));
      expect(await scheduler('a').tick(at(12.05))).toMatchObject({ posted: 1, late: 0, skipped: 3 });
      expect(posted('C0UTC000001').map(slotOf)).toEqual([slotMarker(sub.id, at(12))]);
      expect((await deliveriesOf(d.db, sub.id)).map((r) => [r.slotAt.toISOString(), r.state])).toEqual([
        [at(12).toISOString(), 'posted'],
        [at(11).toISOString(), 'skipped'],
        [at(10).toISOString(), 'skipped'],
        [at(9).toISOString(), 'skipped'],
      ]);
    });
  });

  describe('Slack', () => {
    const slotAt = new Date('2026-11-30T09:00:00Z');
    const after = (ms: number) => new Date(slotAt.getTime() + ms);

    it('waits out a ratelimited answer (Retry-After) and posts once', async () => {
      await subscribe('C0UTC000001', 'daily 09:00', 'UTC', after(-HOUR));
      fake.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });
      const slack = digestSlack(
        fake.client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } }),
        log.logger,
      );
      const started = Date.now();
      expect(await scheduler('a', { slack }).tick(after(1000))).toMatchObject({ posted: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(fake.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
      expect(posted('C0UTC000001')).toHaveLength(1);
    });

    it('tries again a minute later when the client gives up on a ratelimited answer', async () => {
      const sub = await subscribe('C0UTC000001', 'daily 09:00', 'UTC', after(-HOUR));
      fake.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });
      const a = scheduler('a');
      expect(await a.tick(after(1000))).toMatchObject({ posted: 0, retrying: 1 });
      expect(await a.tick(after(30_000))).toMatchObject({ posted: 0, takenOver: 0 });
      expect(await a.tick(after(65_000))).toMatchObject({ posted: 1, takenOver: 1 });
      expect(posted('C0UTC000001')).toHaveLength(1);
      expect((await deliveriesOf(d.db, sub.id))[0]).toMatchObject({ state: 'posted', attempts: 2 });
    });

    it('reports a deleted or archived channel, or one without the bot, and still posts to the others', async () => {
      const subs = await Promise.all(
        ['C0GONE00001', 'C0NOTIN0001', 'C0ARCHIVE01', 'C0UTC000001'].map((c) =>
          subscribe(c, 'daily 09:00', 'UTC', after(-HOUR)),
        ),
      );
      expect(await scheduler('a').tick(after(1000))).toMatchObject({ posted: 1, failed: 3 });
      expect(posted('C0UTC000001')).toHaveLength(1);
      const errors = await Promise.all(
        subs.map(async (s) => (await subscriptionOf(d.db, s.channelId))!.lastError),
      );
      expect(errors).toEqual(['channel_not_found', 'not_in_channel', 'is_archived', null]);
      expect((await deliveriesOf(d.db, subs[0]!.id))[0]).toMatchObject({
        state: 'failed',
        error: 'channel_not_found',
      });
      expect(
        log.lines.filter((l) => String(l.msg).includes('the channel is gone or the bot is not in it')),
      ).toHaveLength(3);
      // The bot is invited back: the next day's digest arrives and the error is cleared.
      fake.addChannel({ id: 'C0NOTIN0001', name: 'not-in', botIsMember: true });
      expect(await scheduler('a').tick(after(24 * HOUR + 1000))).toMatchObject({ posted: 2, failed: 2 });
      expect((await subscriptionOf(d.db, 'C0NOTIN0001'))!.lastError).toBeNull();
      fake.addChannel({ id: 'C0NOTIN0001', name: 'not-in', botIsMember: false });
    });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
