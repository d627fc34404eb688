// The digest use cases the Slack command calls, on both providers: a permitted user
// subscribes the channel and sees its next slot; anyone else is refused and nothing
// changes; pause and resume; the preview of a channel without a digest is the whole
// book's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  channelDigest,
  DigestPermissionError,
  listDigests,
  pauseChannel,
  previewChannel,
  subscribeChannel,
  unsubscribeChannel,
} from '../../src/digest/manage.ts';
import { DigestInputError } from '../../src/digest/subscription.ts';
import { loadModel } from '../../src/health/model.ts';
import { expectedScoresDay } from '../../src/schedule/scoring.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

const now = new Date('2026-11-30T10:00:00Z'); // a Monday
const managers = new Set(['U0MANAGER01']);
const allowed = (user: string) => managers.has(user);
const caller = (userId: string) => ({ channelId: 'C0GENERAL01', userId });

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  beforeEach(async () => {
    d = await freshDatabase(provider);
  });
  afterEach(() => d.close());

  it('lets a permitted user subscribe the channel, and shows its next slot', async () => {
    const { digest, created } = await subscribeChannel(
      d.db,
      caller('U0MANAGER01'),
      { schedule: 'weekdays 09:00', timeZone: 'Europe/Paris', tiers: 'critical' },
      { allowed, now },
    );
    expect(created).toBe(true);
    expect(digest).toMatchObject({
      channelId: 'C0GENERAL01',
      createdBy: 'U0MANAGER01',
      filters: { riskTiers: ['critical'] },
    });
    expect(digest.next).toEqual(new Date('2026-12-01T08:00:00Z'));
    expect((await listDigests(d.db, now)).map((x) => x.next)).toEqual([new Date('2026-12-01T08:00:00Z')]);
    expect(await pauseChannel(d.db, caller('U0MANAGER01'), true, { allowed, now })).toMatchObject({
      paused: true,
      next: null,
    });
    expect((await channelDigest(d.db, 'C0GENERAL01', now))!.next).toBeNull();
    expect(await unsubscribeChannel(d.db, caller('U0MANAGER01'), { allowed })).toBe(true);
  });

  it('refuses anyone else and changes nothing; bad input is named before permission is asked', async () => {
    await expect(
      subscribeChannel(
        d.db,
        caller('U0CSM00001'),
        { schedule: 'daily 09:00', timeZone: 'UTC' },
        { allowed, now },
      ),
    ).rejects.toThrow(DigestPermissionError);
    await expect(unsubscribeChannel(d.db, caller('U0CSM00001'), { allowed })).rejects.toThrow(
      "You may not change this channel's digest",
    );
    await expect(pauseChannel(d.db, caller('U0CSM00001'), true, { allowed, now })).rejects.toThrow(
      DigestPermissionError,
    );
    expect(await listDigests(d.db, now)).toEqual([]);
    await expect(
      subscribeChannel(
        d.db,
        caller('U0CSM00001'),
        { schedule: 'sometimes', timeZone: 'UTC' },
        { allowed, now },
      ),
    ).rejects.toThrow(DigestInputError);
  });

  it("previews the whole book's digest for a channel without one", async () => {
    const preview = await previewChannel(
      { db: d.db, model: loadModel(), expectedDay: (at) => expectedScoresDay(null, at) },
      'C0GENERAL01',
      now,
    );
    expect(preview).toMatchObject({ subscribed: false, digest: { day: null, slot: null } });
    expect(preview.message.text).toBe('No scores yet: Canary has not completed a scoring run.');
  });
});
