// Digest subscriptions and slot claims on both providers: one subscription per channel,
// replaced by subscribing again (a new schedule starts its slots afresh), paused and
// resumed, removed with its deliveries; a slot claimed by exactly one of many
// concurrent claimers; a claim whose lease ran out taken over once, after which the
// process it was taken from can change nothing; retries after their pause; skipped
// slots recorded once; the same for the nightly job's slots.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSubscription } from '../../src/digest/subscription.ts';
import type { Database } from '../../src/storage/db.ts';
import {
  listSubscriptions,
  recordSubscriptionError,
  removeSubscription,
  saveSubscription,
  setPaused,
  subscriptionOf,
} from '../../src/storage/digests.ts';
import {
  claimDelivery,
  claimJobSlot,
  deliveriesOf,
  finishDelivery,
  finishJobSlot,
  lastPostedScoresDay,
  latestDeliverySlots,
  latestJobSlot,
  markPosting,
  renewDelivery,
  renewJobSlot,
  skipDelivery,
  takeableDeliveries,
  takeableJobSlots,
  takeOverDelivery,
  takeOverJobSlot,
} from '../../src/storage/schedule-slots.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

const T0 = new Date('2026-11-30T08:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const LEASE = 2 * 60_000;
const takeable = (now: Date) => ({ now, leaseMs: LEASE, retryAfterMs: 60_000, slotsAfter: minutes(-600) });

const settings = (over: Partial<Parameters<typeof readSubscription>[0]> = {}) =>
  readSubscription({ schedule: 'weekdays 09:00', timeZone: 'Europe/Paris', ...over });

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  beforeEach(async () => {
    d = await freshDatabase(provider);
  });
  afterEach(() => d.close());

  const subscribe = async (channel = 'C0GENERAL01', over = {}, now = T0) =>
    (await saveSubscription(d.db, channel, settings(over), 'U0CSM00001', now)).subscription;

  describe('subscriptions', () => {
    it('keeps one per channel, with its schedule, zone, filters and sections', async () => {
      const first = await saveSubscription(
        d.db,
        'C0GENERAL01',
        settings({
          segment: 'enterprise',
          minArr: '50k',
          tiers: 'critical,high',
          sections: 'dropped,at-risk',
        }),
        'U0CSM00001',
        T0,
      );
      expect(first.created).toBe(true);
      expect(first.subscription).toMatchObject({
        channelId: 'C0GENERAL01',
        schedule: 'weekdays 09:00',
        cron: '0 9 * * 1-5',
        timeZone: 'Europe/Paris',
        filters: { segment: 'enterprise', minArr: 50_000, riskTiers: ['high', 'critical'] },
        sections: ['at-risk', 'dropped'],
        createdBy: 'U0CSM00001',
        slotsFrom: T0,
        paused: false,
        lastError: null,
      });
      expect(await subscriptionOf(d.db, 'C0GENERAL01')).toEqual(first.subscription);
      expect(await subscriptionOf(d.db, 'C0OTHER0001')).toBeNull();
    });

    it('replaces the subscription when the channel subscribes again; a new schedule starts its slots afresh', async () => {
      const first = await subscribe();
      const sameSchedule = await saveSubscription(
        d.db,
        'C0GENERAL01',
        settings({ industry: 'Retail' }),
        'U2',
        minutes(5),
      );
      expect(sameSchedule.created).toBe(false);
      expect(sameSchedule.subscription).toMatchObject({
        id: first.id,
        filters: { industry: 'Retail' },
        slotsFrom: T0,
        createdBy: 'U2',
      });
      const moved = await saveSubscription(
        d.db,
        'C0GENERAL01',
        settings({ schedule: 'daily 08:00' }),
        'U2',
        minutes(9),
      );
      expect(moved.subscription).toMatchObject({
        id: first.id,
        cron: '0 8 * * *',
        filters: {},
        slotsFrom: minutes(9),
      });
      expect(await listSubscriptions(d.db)).toHaveLength(1);
    });

    it('pauses and resumes; resuming starts the slots from then', async () => {
      await subscribe('C0B00000001');
      await subscribe('C0A00000001');
      expect(await setPaused(d.db, 'C0B00000001', true, minutes(1))).toMatchObject({
        paused: true,
        slotsFrom: T0,
      });
      expect((await listSubscriptions(d.db, { active: true })).map((s) => s.channelId)).toEqual([
        'C0A00000001',
      ]);
      expect((await listSubscriptions(d.db)).map((s) => s.channelId)).toEqual(['C0A00000001', 'C0B00000001']);
      expect(await setPaused(d.db, 'C0B00000001', false, minutes(30))).toMatchObject({
        paused: false,
        slotsFrom: minutes(30),
      });
      expect(await setPaused(d.db, 'C0NOPE00001', true, minutes(31))).toBeNull();
    });

    it('records a delivery error until a digest is posted', async () => {
      const s = await subscribe();
      await recordSubscriptionError(d.db, s.id, 'channel_not_found', minutes(1));
      expect(await subscriptionOf(d.db, s.channelId)).toMatchObject({
        lastError: 'channel_not_found',
        lastErrorAt: minutes(1),
      });
      await recordSubscriptionError(d.db, s.id, null, minutes(2));
      expect(await subscriptionOf(d.db, s.channelId)).toMatchObject({ lastError: null, lastErrorAt: null });
    });

    it('removes a subscription with its deliveries', async () => {
      const s = await subscribe();
      await claimDelivery(d.db, { subscriptionId: s.id, slotAt: T0, late: false }, 'a', T0);
      expect(await removeSubscription(d.db, s.channelId)).toBe(true);
      expect(await removeSubscription(d.db, s.channelId)).toBe(false);
      expect(await d.db.digestDelivery.count()).toBe(0);
    });
  });

  describe('slot claims', () => {
    it('lets exactly one of many concurrent claimers have a slot', async () => {
      const s = await subscribe();
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          claimDelivery(d.db, { subscriptionId: s.id, slotAt: T0, late: false }, `p${i}`, T0),
        ),
      );
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(1);
      expect(won[0]!.delivery).toMatchObject({ state: 'claimed', attempts: 1, claimedAt: T0 });
      expect(await d.db.digestDelivery.count()).toBe(1);
      expect(await latestDeliverySlots(d.db)).toEqual(new Map([[s.id, T0]]));
    });

    it('hands a claim whose lease ran out to one other process, and fences the first out', async () => {
      const s = await subscribe();
      const { lease: first } = (await claimDelivery(
        d.db,
        { subscriptionId: s.id, slotAt: T0, late: false },
        'a',
        T0,
      ))!;
      expect(await renewDelivery(d.db, first, minutes(1))).toBe(true);
      expect(await takeableDeliveries(d.db, takeable(minutes(2)))).toEqual([]); // renewed a minute ago
      const [stale] = await takeableDeliveries(d.db, takeable(minutes(3.5)));
      expect(stale).toMatchObject({ state: 'claimed', claimedBy: 'a', attempts: 1 });

      const takers = await Promise.all(
        ['b', 'c', 'e'].map((p) => takeOverDelivery(d.db, stale!, p, minutes(3.5))),
      );
      const [taken] = takers.filter((t) => t !== null);
      expect(takers.filter((t) => t !== null)).toHaveLength(1);
      expect(taken).toMatchObject({ attempts: 2 });

      // The first process woke up: its lease is gone.
      expect(await renewDelivery(d.db, first, minutes(4))).toBe(false);
      expect(await markPosting(d.db, first, minutes(4))).toBe(false);
      expect(
        await finishDelivery(
          d.db,
          first,
          { state: 'posted', messageTs: '1.1', scoresDay: null, late: false },
          minutes(4),
        ),
      ).toBe(false);

      expect(await markPosting(d.db, taken!, minutes(4))).toBe(true);
      const day = new Date('2026-11-29T00:00:00Z');
      expect(
        await finishDelivery(
          d.db,
          taken!,
          { state: 'posted', messageTs: '2.2', scoresDay: day, late: true },
          minutes(5),
        ),
      ).toBe(true);
      const [row] = await deliveriesOf(d.db, s.id);
      expect(row).toMatchObject({
        state: 'posted',
        claimedBy: taken!.owner,
        attempts: 2,
        postingAt: minutes(4),
        postedAt: minutes(5),
        messageTs: '2.2',
        late: true,
        scoresDay: day,
        error: null,
      });
      expect(await takeableDeliveries(d.db, takeable(minutes(60)))).toEqual([]);
      expect(await lastPostedScoresDay(d.db, s.id, new Date('2026-11-30T00:00:00Z'))).toEqual(day);
      expect(await lastPostedScoresDay(d.db, s.id, day)).toBeNull();
    });

    it('offers a posting whose process died to a takeover too, and a retry after its pause', async () => {
      const s = await subscribe();
      const { lease } = (await claimDelivery(
        d.db,
        { subscriptionId: s.id, slotAt: T0, late: false },
        'a',
        T0,
      ))!;
      await markPosting(d.db, lease, minutes(1));
      expect((await takeableDeliveries(d.db, takeable(minutes(3.5))))[0]).toMatchObject({
        state: 'posting',
        postingAt: minutes(1),
      });

      const other = await subscribe('C0OTHER0001');
      const { lease: l2 } = (await claimDelivery(
        d.db,
        { subscriptionId: other.id, slotAt: T0, late: false },
        'a',
        T0,
      ))!;
      await finishDelivery(d.db, l2, { state: 'retry', error: 'ratelimited' }, minutes(2));
      const retries = (now: Date) =>
        takeableDeliveries(d.db, takeable(now)).then((r) => r.filter((x) => x.subscriptionId === other.id));
      expect(await retries(minutes(2.5))).toEqual([]);
      expect(await retries(minutes(3))).toMatchObject([{ state: 'retry', error: 'ratelimited' }]);
      // Too old to save: not offered.
      expect(await takeableDeliveries(d.db, { ...takeable(minutes(30)), slotsAfter: T0 })).toEqual([]);
    });

    it('records a skipped slot once', async () => {
      const s = await subscribe();
      expect(
        await skipDelivery(d.db, { subscriptionId: s.id, slotAt: T0 }, 'missed', 'a', minutes(500)),
      ).toBe(true);
      expect(
        await skipDelivery(d.db, { subscriptionId: s.id, slotAt: T0 }, 'missed', 'b', minutes(500)),
      ).toBe(false);
      expect(
        await claimDelivery(d.db, { subscriptionId: s.id, slotAt: T0, late: true }, 'c', minutes(500)),
      ).toBeNull();
      expect(await deliveriesOf(d.db, s.id)).toMatchObject([
        { state: 'skipped', error: 'missed', claimedBy: 'a' },
      ]);
    });

    it('claims, takes over and fences the nightly job slots the same way', async () => {
      expect(await latestJobSlot(d.db, 'scoring')).toBeNull();
      const claims = await Promise.all(['a', 'b'].map((p) => claimJobSlot(d.db, 'scoring', T0, p, T0)));
      const won = claims.find((c) => c !== null)!;
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      expect(await latestJobSlot(d.db, 'scoring')).toEqual(T0);
      expect(await takeableJobSlots(d.db, 'other', takeable(minutes(10)))).toEqual([]);
      const [stale] = await takeableJobSlots(d.db, 'scoring', takeable(minutes(10)));
      const taken = await takeOverJobSlot(d.db, stale!, 'c', minutes(10));
      expect(taken).toMatchObject({ attempts: 2, owner: 'c' });
      expect(await renewJobSlot(d.db, won.lease, minutes(11))).toBe(false);
      expect(await finishJobSlot(d.db, taken!, { state: 'done' }, minutes(12))).toBe(true);
      expect(await d.db.scheduledRun.findMany()).toMatchObject([
        { job: 'scoring', state: 'done', claimedBy: 'c', attempts: 2, finishedAt: minutes(12) },
      ]);
    });
  });
});
