// Digests and the nightly scoring run end to end on each provider, on Canary's clock as
// the test moves it: the real Canary (HTTP server, Bolt app, storage, case jobs) and
// its scheduler, built as `canary serve` builds it, over the scored demo book, with
// alert rules that route a declining account's drop alerts to a channel and name no
// managers (so anyone may subscribe). The 02:00 scoring slot runs scoring once and
// opens the day's recovery cases, whose alert appears in the routed channel; channels
// subscribed from Slack get their digest at 09:00 in their own time zone (Paris, UTC+1
// in November) on weekdays only, once, with the cases waiting for an owner in the part
// of the book each covers; an unsubscribed channel gets nothing; two Canary instances
// on one PostgreSQL, both scheduling, post a digest once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/schedule/cron.ts';
import { slotMarker } from '../../src/schedule/scheduler.ts';
import { localTime } from '../../src/schedule/slots.ts';
import type { Scheduler } from '../../src/schedule/scheduler.ts';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { BOOK_DAY } from '../support/slack/canary.ts';
import type { StoredMessage } from '../support/slack/fake-slack.ts';
import { expectSafe } from './blocks/limits.ts';
import { ALERTS, CASEY, DANA, TOM, topLevel, until, type Block } from './cases-fixtures.ts';
import { DIGESTS, PRIVATE, SALES, startDigestWorld, type DigestWorld } from './digest-fixtures.ts';

const RULES = `
rules:
  drop:
    routing:
      routes:
        - when: { owner: ${DANA.id} }
          channel: ${ALERTS}
      default: null
routing: { routes: [], default: null }
budget: { daily: 20, channels: {} }
reminders: { remind_after_hours: 4, escalate_after_hours: 24, manager_channel: null }
people: { managers: [] }
`;
const SCHEDULE = {
  scoring: { schedule: parseSchedule('daily 02:00'), timeZone: 'UTC' },
  catchupHours: 6,
};
/** Monday 23 November 2026, 09:00 in Paris. */
const MONDAY_SLOT = new Date('2026-11-23T08:00:00Z');
const TUESDAY_SLOT = new Date('2026-11-24T08:00:00Z');
const SECOND = 1000;

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let w: DigestWorld;
  let scheduler: Scheduler;

  beforeAll(async () => {
    w = await startDigestWorld(provider, { rules: RULES, schedule: SCHEDULE });
    scheduler = w.canary.scheduler!;
  });
  afterAll(async () => {
    await w?.close();
  });

  /** Canary's clock moved to `at`, then one tick; the scoring run it starts, awaited. */
  async function tickAt(at: Date | string, s = scheduler) {
    w.clock.now = new Date(at);
    const report = await s.tick();
    await s.idle();
    return report;
  }
  const surfaceOf = (m: StoredMessage) => ({ text: m.text, blocks: m.blocks ?? [] });
  const digests = (channel: string) => topLevel(w.fake, channel).filter((m) => m.metadata !== undefined);
  const subtitle = (m: StoredMessage) => (m.blocks as Block[])[1].elements[0].text as string;
  const casesHeading = (m: StoredMessage) =>
    (m.blocks as Block[]).find((b) => b.text?.text.startsWith('*Open cases waiting for an owner*'))?.text
      .text as string | undefined;
  const waiting = (where: object = {}) =>
    w.database.db.recoveryCase.findMany({
      where: { state: { not: 'resolved' }, assigneeSlackId: null, ...where },
      orderBy: [{ openedAt: 'asc' }, { id: 'asc' }],
    });

  it("the nightly scoring slot runs scoring once and opens the day's cases; the declining account's alert appears in the routed channel", async () => {
    const { db } = w.database;
    const lastRun = (await db.scoringRun.aggregate({ _max: { id: true } }))._max.id!;
    const report = await tickAt('2026-11-21T02:00:30Z');
    expect(report.scoring).toEqual(new Date('2026-11-21T02:00:00Z'));
    const runs = await db.scoringRun.findMany({ where: { id: { gt: lastRun } } });
    expect(runs).toEqual([expect.objectContaining({ day: BOOK_DAY, status: 'completed' })]);
    expect(await db.scheduledRun.findMany({ where: { state: 'done' } })).toEqual([
      expect.objectContaining({ job: 'scoring', slotAt: new Date('2026-11-21T02:00:00Z'), attempts: 1 }),
    ]);

    const cases = await db.recoveryCase.findMany({ include: { account: true } });
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.every((c) => c.reason === 'drop' && c.state === 'open')).toBe(true);
    const danas = cases.filter((c) => c.account.ownerSlackId === DANA.id);
    expect(danas.map((c) => c.account.name)).toContain('Copperwood Technologies');
    const alerts = await until('the drop alerts in the routed channel', () => {
      const posted = topLevel(w.fake, ALERTS);
      return posted.length === danas.length && posted;
    });
    expect(alerts.map((m) => (m.blocks as Block[])[0].text.text).sort()).toEqual(
      danas.map((c) => `Sharp drop: ${c.account.name}`).sort(),
    );

    // The same slot again: no second run, no case opened twice.
    expect((await tickAt('2026-11-21T02:05:00Z')).scoring).toBeNull();
    expect(await db.scoringRun.count({ where: { id: { gt: lastRun } } })).toBe(1);
    expect(await db.recoveryCase.count()).toBe(cases.length);
  });

  it('channels subscribed from Slack get their digest at 09:00 in their zone on weekdays, once, with the cases waiting in the book each covers', async () => {
    const { db } = w.database;
    w.clock.now = new Date('2026-11-21T09:00:00Z');
    // The rules name no managers: anyone may subscribe.
    const subscribed = await w.ask('digest subscribe weekdays 09:00 Europe/Paris', CASEY.id, DIGESTS);
    expect(subscribed.text).toBe(
      `✅ This channel is subscribed to a digest. Next: ${localTime(MONDAY_SLOT, 'Europe/Paris')}.`,
    );
    await w.ask(
      `digest subscribe weekdays 09:00 Europe/Paris owner ${TOM.email} sections cases`,
      TOM.id,
      SALES,
    );
    // One of Tom's cases gets an owner: it no longer waits for one.
    const [taken, ...toms] = await waiting({ account: { ownerEmail: TOM.email } });
    expect(toms.length).toBeGreaterThan(0);
    await db.recoveryCase.update({ where: { id: taken!.id }, data: { assigneeSlackId: TOM.id } });

    // Saturday, Sunday, and Monday a minute early (its scoring run done): nothing.
    for (const at of ['2026-11-21T09:00:30Z', '2026-11-22T08:00:30Z', '2026-11-23T07:59:00Z'])
      expect((await tickAt(at)).posted).toBe(0);
    expect(digests(DIGESTS)).toEqual([]);

    expect((await tickAt(new Date(MONDAY_SLOT.getTime() + 5 * SECOND))).posted).toBe(2);
    const [digest, ...more] = digests(DIGESTS);
    expect(more).toEqual([]);
    const sub = (await db.digestSubscription.findUnique({ where: { channelId: DIGESTS } }))!;
    expect(digest!.metadata).toEqual({
      event_type: 'canary_digest',
      event_payload: { slot: slotMarker(sub.id, MONDAY_SLOT) },
    });
    expect((digest!.blocks as Block[])[0].text.text).toBe('Canary digest');
    expect(subtitle(digest!)).toBe(`Scores of 2026-11-22 · ${localTime(MONDAY_SLOT, 'Europe/Paris')}`);
    const all = await waiting();
    expect(casesHeading(digest!)).toBe(`*Open cases waiting for an owner* · ${all.length}`);
    const images = (digest!.blocks as Block[]).filter((b) => b.type === 'image');
    expect(images.map((i) => w.fake.files().find((f) => f.id === i.slack_file.id)?.completed)).toEqual([
      true,
      true,
    ]);
    expectSafe(surfaceOf(digest!));

    // Tom's channel: his cases that wait for an owner, the longest waiting first, and no other.
    const [his] = digests(SALES);
    expect((his!.blocks as Block[])[0].text.text).toBe(`Canary digest: owner ${TOM.email}`);
    expect(casesHeading(his!)).toBe(`*Open cases waiting for an owner* · ${toms.length}`);
    const listed = JSON.stringify(his!.blocks).match(/case #\d+/g);
    expect(listed).toEqual(toms.map((c) => `case #${c.id}`));
    expectSafe(surfaceOf(his!));

    // Later ticks of the same morning post nothing more.
    expect((await tickAt(new Date(MONDAY_SLOT.getTime() + 60 * SECOND))).posted).toBe(0);
    expect(digests(DIGESTS)).toHaveLength(1);
    expect(digests(SALES)).toHaveLength(1);
  });

  it('an unsubscribed channel gets no more digests; the others still do', async () => {
    w.clock.now = new Date('2026-11-23T08:10:00Z');
    expect((await w.ask('digest unsubscribe', CASEY.id, SALES)).text).toBe(
      'This channel is unsubscribed: no more digests here.',
    );
    await tickAt('2026-11-24T07:59:00Z');
    expect((await tickAt(new Date(TUESDAY_SLOT.getTime() + 5 * SECOND))).posted).toBe(1);
    expect(digests(DIGESTS)).toHaveLength(2);
    expect(digests(SALES)).toHaveLength(1);
  });

  // Several replicas share a PostgreSQL database; an embedded SQLite file serves one process.
  if (provider === 'postgresql')
    it('two Canary instances on one PostgreSQL, both scheduling, post a digest subscribed from Slack once', async () => {
      const replica = await w.replica();
      w.clock.now = new Date('2026-11-24T08:30:00Z');
      // Subscribed through the second instance: both read it from the database they share.
      await w.ask('digest subscribe daily 10:00 UTC', CASEY.id, PRIVATE, replica);
      const both = [scheduler, replica.scheduler!];
      // Both at the slot's minute, again a little later, and at the next day's.
      for (const [at, expected] of [
        ['2026-11-24T10:00:02Z', 1],
        ['2026-11-24T10:00:40Z', 1],
        ['2026-11-25T10:00:02Z', 2],
      ] as const) {
        w.clock.now = new Date(at);
        await Promise.all(both.map((s) => s.tick()));
        await Promise.all(both.map((s) => s.idle()));
        expect(digests(PRIVATE), at).toHaveLength(expected);
      }
      const sub = (await w.database.db.digestSubscription.findUnique({ where: { channelId: PRIVATE } }))!;
      expect(
        digests(PRIVATE)
          .map((m) => (m.metadata as Block).event_payload.slot)
          .sort(),
      ).toEqual(['2026-11-24T10:00:00Z', '2026-11-25T10:00:00Z'].map((t) => slotMarker(sub.id, new Date(t))));
      // Each slot's one claim, recorded as posted by one of the two.
      const deliveries = await w.database.db.digestDelivery.findMany({ where: { subscriptionId: sub.id } });
      expect(deliveries.map((d) => d.state)).toEqual(['posted', 'posted']);
    });
});
