// What people do with digests, from the CLI and from Slack (`/health digest ...` run in
// a channel): subscribe the channel (or change its digest), unsubscribe it, pause and
// resume it, list digests with their next slot, and preview a channel's digest now.
// Changes are for permitted users only: the caller passes `allowed`, which the Slack
// command takes from the permission rules and the CLI answers yes to (it holds the
// database already).
import type { Db } from '../storage/db.ts';
import {
  listSubscriptions,
  removeSubscription,
  saveSubscription,
  setPaused,
  subscriptionOf,
  type Subscription,
} from '../storage/digests.ts';
import { parseSchedule, scheduleOf } from '../schedule/cron.ts';
import { nextSlot } from '../schedule/slots.ts';
import { prepareDigest, type DigestSources, type PreparedDigest } from './prepare.ts';
import { parseChannelId, readSubscription, SECTIONS, type SubscriptionRequest } from './subscription.ts';

/** Whether a Slack user (or `cli`) may change digests. */
export type Allowed = (userId: string) => boolean | Promise<boolean>;

export class DigestPermissionError extends Error {}

/** Who asks, and for which channel. */
export interface Caller {
  channelId: string;
  userId: string;
}

export type ListedDigest = Subscription & { next: Date | null };

const withNext = (s: Subscription, now: Date): ListedDigest => ({
  ...s,
  next: s.paused ? null : nextSlot(scheduleOf(s.cron), s.timeZone, now),
});

async function check(allowed: Allowed, caller: Caller): Promise<string> {
  const channelId = parseChannelId(caller.channelId);
  if (!(await allowed(caller.userId)))
    throw new DigestPermissionError("You may not change this channel's digest: ask a Canary admin.");
  return channelId;
}

/** Subscribes the channel, or replaces its digest's settings; DigestInputError lists what is wrong. */
export async function subscribeChannel(
  db: Db,
  caller: Caller,
  request: SubscriptionRequest,
  options: { allowed: Allowed; now: Date },
): Promise<{ digest: ListedDigest; created: boolean }> {
  const settings = readSubscription(request);
  const channelId = await check(options.allowed, caller);
  const { subscription, created } = await saveSubscription(
    db,
    channelId,
    settings,
    caller.userId,
    options.now,
  );
  return { digest: withNext(subscription, options.now), created };
}

/** Removes the channel's digest; false when it had none. */
export async function unsubscribeChannel(
  db: Db,
  caller: Caller,
  options: { allowed: Allowed },
): Promise<boolean> {
  return removeSubscription(db, await check(options.allowed, caller));
}

/** Pauses or resumes the channel's digest; null when it has none. */
export async function pauseChannel(
  db: Db,
  caller: Caller,
  paused: boolean,
  options: { allowed: Allowed; now: Date },
): Promise<ListedDigest | null> {
  const s = await setPaused(db, await check(options.allowed, caller), paused, options.now);
  return s && withNext(s, options.now);
}

/** Every digest with its next slot, by channel. */
export async function listDigests(db: Db, now: Date): Promise<ListedDigest[]> {
  return (await listSubscriptions(db)).map((s) => withNext(s, now));
}

/** The channel's digest with its next slot, or null. */
export async function channelDigest(db: Db, channelId: string, now: Date): Promise<ListedDigest | null> {
  const s = await subscriptionOf(db, parseChannelId(channelId));
  return s && withNext(s, now);
}

/**
 * The channel's digest as it would be posted now; for a channel without one, the digest
 * of the whole book with every section (`subscribed` false), to show what it would get.
 */
export async function previewChannel(
  sources: DigestSources,
  channelId: string,
  now: Date,
): Promise<PreparedDigest & { subscribed: boolean }> {
  const id = parseChannelId(channelId);
  const subscription = await subscriptionOf(sources.db, id);
  const prepared = await prepareDigest(sources, subscription ?? wholeBook(id, now), null, now);
  return { ...prepared, subscribed: subscription !== null };
}

function wholeBook(channelId: string, now: Date): Subscription {
  const schedule = parseSchedule('weekdays 09:00');
  return {
    id: 0,
    channelId,
    schedule: schedule.text,
    cron: schedule.cron,
    timeZone: 'UTC',
    filters: {},
    sections: [...SECTIONS],
    createdBy: 'preview',
    createdAt: now,
    updatedAt: now,
    slotsFrom: now,
    paused: false,
    lastError: null,
    lastErrorAt: null,
  };
}
