// Owns scheduled work: each subscription's digest on its slots, and the nightly scoring
// run. tick(now) does everything due at `now` and is safe to call from any number of
// processes sharing one database, at any moment, any number of times: the driver
// (driver.ts) calls it every minute, tests call it with the clock they want.
//
// Exactly once per slot. Slots are computed, not remembered (schedule/slots.ts): every
// process derives the same (subscription, instant) pairs. A slot is claimed by
// inserting its digest_deliveries row (unique per subscription and slot): one process
// wins. The winner renews its lease while it works, marks the row `posting` just before
// calling Slack, posts with the slot's marker in the message metadata, and records the
// message's ts. A claim whose lease ran out belongs to a process that died, and the next
// tick anywhere takes it over: a `claimed` one is simply done again; a `posting` one may
// have reached Slack, so the channel's history is searched for the marker first, and
// the digest is posted only when it is not there (when the history cannot be read,
// it is never posted again: a digest missed beats a digest twice).
//
// Catch-up. The slots since the last one recorded are computed at each tick: the latest
// within DIGEST_CATCHUP_HOURS is posted (marked late when it is more than a few minutes
// old), earlier ones in that window are recorded as superseded (one late digest, not a
// burst), and those older are recorded as skipped and logged once.
//
// Slack. Posts to one channel are at least a second apart (Slack's limit is about one
// message per second per channel); a `ratelimited` answer is waited out by the
// WebClient (Retry-After) and, past its retries, tried again a minute later. A channel
// that is gone (channel_not_found, not_in_channel, is_archived) fails its slot and
// marks the subscription with the error; every other channel still gets its digest.
//
// node-cron's own `distributed` option elects one process per task and fire time
// through a run coordinator. It is not used: a process elected and then killed loses
// the slot (nobody takes over), slots missed while every process was down are never
// run, and the election key is node-cron's fire time while catch-up needs the same
// keys for past slots, computed here. The claim table gives all three.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ScheduleConfig } from '../config.ts';
import { prepareDigest, type CasesWaiting, type DigestSources } from '../digest/prepare.ts';
import type { HealthModel } from '../health/model.ts';
import type { Logger } from '../lib/log.ts';
import type { ChartFiles } from '../slack/chart-files.ts';
import type { Database } from '../storage/db.ts';
import {
  listSubscriptions,
  recordSubscriptionError,
  subscriptionById,
  type Subscription,
} from '../storage/digests.ts';
import {
  claimDelivery,
  claimJobSlot,
  finishDelivery,
  finishJobSlot,
  latestDeliverySlots,
  latestJobSlot,
  markPosting,
  renewDelivery,
  renewJobSlot,
  skipDelivery,
  skipJobSlot,
  takeableDeliveries,
  takeableJobSlots,
  takeOverDelivery,
  takeOverJobSlot,
  type Delivery,
  type DeliveryOutcome,
  type Lease,
} from '../storage/schedule-slots.ts';
import { scheduleOf } from './cron.ts';
import { slackFailure, type DigestSlack } from './slack.ts';
import { dayScoredAt, expectedScoresDay, SCORING_JOB, scoreForSlot } from './scoring.ts';
import { localTime, slotsBetween } from './slots.ts';

export interface Timing {
  /** A claim not renewed for this long belongs to a process that died. */
  leaseMs: number;
  /** How often a holder renews its lease. */
  renewEveryMs: number;
  /** A holder stops renewing after this long: a stuck process lets go. */
  maxHoldMs: number;
  /** A failure worth retrying is tried again this long after. */
  retryAfterMs: number;
  /** Attempts a slot gets (claims and takeovers). */
  maxAttempts: number;
  /** Between two posts to one channel. */
  channelGapMs: number;
  /** A digest posted more than this after its slot is late. */
  lateAfterMs: number;
}

const DEFAULT_TIMING: Timing = {
  leaseMs: 2 * 60_000,
  renewEveryMs: 20_000,
  maxHoldMs: 15 * 60_000,
  retryAfterMs: 60_000,
  maxAttempts: 5,
  channelGapMs: 1100,
  lateAfterMs: 5 * 60_000,
};

export interface SchedulerDeps {
  database: Database;
  slack: DigestSlack;
  /** The health model in use (a ModelSource): scoring runs with it, digests read its bands and thresholds. */
  models: { readonly model: HealthModel };
  settings: ScheduleConfig;
  logger: Logger;
  /** The time a tick is at when none is given; default the system clock. */
  clock?: () => Date;
  /** Where digest charts are uploaded (slack/chart-files.ts); without it digests have no charts. */
  charts?: ChartFiles;
  /** Open cases waiting for an owner, when recovery cases provide them. */
  casesWaiting?: CasesWaiting;
  /**
   * After a nightly scoring run, before it counts as done: opens the scored day's
   * recovery cases (the Slack app's cases.afterScoring), so that a process that dies
   * in between leaves the run to be taken over and the cases are not lost.
   */
  afterScoring?: (day: Date) => Promise<unknown>;
  /** This process's name in claims; default host:pid:random. */
  instance?: string;
  timing?: Partial<Timing>;
}

/** What a tick did, for logs and tests. */
export interface TickReport {
  posted: number;
  late: number;
  /** Found posted by a process that died before recording it. */
  found: number;
  skipped: number;
  failed: number;
  retrying: number;
  /** Slots taken over from dead processes or retried. */
  takenOver: number;
  /** The scoring job was started for a slot. */
  scoring: Date | null;
}

export interface Scheduler {
  readonly instance: string;
  tick(now?: Date): Promise<TickReport>;
  /** Resolves when the scoring job this process runs (if any) has finished. */
  idle(): Promise<void>;
  /** No more ticks; resolves when the work in flight is done. */
  stop(): Promise<void>;
}

const HOUR_MS = 3_600_000;
/** Slots are computed back to the last recorded one, at most this far. */
const LOOKBACK_MS = 7 * 24 * HOUR_MS;
/** Clocks of replicas differ a little: the history is searched from a bit before the post. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Channels posted to at once. */
const CHANNELS_AT_ONCE = 4;

interface Work {
  subscription: Subscription;
  delivery: Delivery;
  lease: Lease;
  late: boolean;
  /** Past the catch-up window or out of attempts: only a lost post may still be found. */
  mayPost: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const slotMarker = (subscriptionId: number, slotAt: Date) =>
  `${subscriptionId}@${slotAt.toISOString()}`;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const timing = { ...DEFAULT_TIMING, ...deps.timing };
  const clock = deps.clock ?? (() => new Date());
  const instance = deps.instance ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const db = deps.database.db;
  const log = deps.logger.child({ component: 'scheduler', instance });
  const catchupMs = Math.max(deps.settings.catchupHours * HOUR_MS, timing.lateAfterMs);
  const inFlight = new Set<Promise<unknown>>();
  let scoring: Promise<void> | null = null;
  let stopped = false;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  /** Renews a lease until `done`, for at most maxHoldMs. */
  function holding(renew: () => Promise<boolean>): () => void {
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > timing.maxHoldMs) return clearInterval(timer);
      renew().catch((err: unknown) => log.warn({ err }, 'could not renew a lease'));
    }, timing.renewEveryMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  const sources = (): DigestSources => ({
    db,
    model: deps.models.model,
    expectedDay: (at) => expectedScoresDay(deps.settings.scoring, at),
    charts: deps.charts,
    casesWaiting: deps.casesWaiting,
  });

  // --- digests ------------------------------------------------------------------------

  /** Claims each subscription's due slot; records the slots it will not post. */
  async function claimDue(now: Date, report: TickReport): Promise<Work[]> {
    const [subscriptions, latest] = await Promise.all([
      listSubscriptions(db, { active: true }),
      latestDeliverySlots(db),
    ]);
    const windowStart = now.getTime() - catchupMs;
    const work: Work[] = [];
    for (const sub of subscriptions) {
      const from = Math.max(
        sub.slotsFrom.getTime(),
        latest.get(sub.id)?.getTime() ?? 0,
        now.getTime() - LOOKBACK_MS,
      );
      const slots = slotsBetween(scheduleOf(sub.cron), sub.timeZone, new Date(from), now);
      if (!slots.length) continue;
      const missed = slots.filter((s) => s.getTime() <= windowStart);
      const due = slots.filter((s) => s.getTime() > windowStart);
      const skip = async (slotAt: Date, reason: string) => {
        if (await skipDelivery(db, { subscriptionId: sub.id, slotAt }, reason, instance, now))
          report.skipped++;
      };
      if (missed.length) {
        const last = missed.at(-1)!;
        const reason = `missed by more than DIGEST_CATCHUP_HOURS (${deps.settings.catchupHours} h)`;
        if (await skipDelivery(db, { subscriptionId: sub.id, slotAt: last }, reason, instance, now)) {
          report.skipped++;
          log.warn(
            { channel: sub.channelId, subscription: sub.id, slots: missed.length, from: missed[0], to: last },
            `digest not posted: ${missed.length} slot(s) from ${localTime(missed[0]!, sub.timeZone)} to ${localTime(last, sub.timeZone)} ${reason}`,
          );
        }
      }
      const slotAt = due.at(-1);
      if (!slotAt) continue;
      for (const earlier of due.slice(0, -1))
        await skip(earlier, `superseded by the slot at ${slotAt.toISOString()}`);
      const late = now.getTime() - slotAt.getTime() > timing.lateAfterMs;
      const claim = await claimDelivery(db, { subscriptionId: sub.id, slotAt, late }, instance, now);
      if (claim) work.push({ subscription: sub, ...claim, late, mayPost: true });
    }
    return work;
  }

  /** Takes over the claims of dead processes and the retries that are due. */
  async function takeOver(now: Date, report: TickReport): Promise<Work[]> {
    const windowStart = now.getTime() - catchupMs;
    const rows = await takeableDeliveries(db, {
      now,
      leaseMs: timing.leaseMs,
      retryAfterMs: timing.retryAfterMs,
      slotsAfter: new Date(now.getTime() - LOOKBACK_MS),
    });
    const work: Work[] = [];
    for (const delivery of rows) {
      const lease = await takeOverDelivery(db, delivery, instance, now);
      if (!lease) continue;
      const subscription = await subscriptionById(db, delivery.subscriptionId);
      if (!subscription) continue;
      report.takenOver++;
      log.info(
        {
          channel: subscription.channelId,
          slot: delivery.slotAt,
          from: delivery.claimedBy,
          state: delivery.state,
        },
        delivery.state === 'retry' ? 'retrying a digest' : 'taking over a digest whose process stopped',
      );
      work.push({
        subscription,
        delivery,
        lease,
        late: now.getTime() - delivery.slotAt.getTime() > timing.lateAfterMs,
        mayPost: delivery.slotAt.getTime() > windowStart && lease.attempts <= timing.maxAttempts,
      });
    }
    return work;
  }

  async function deliver(w: Work, report: TickReport, time: () => Date): Promise<void> {
    const { subscription: sub, lease, delivery } = w;
    const channel = sub.channelId;
    const marker = slotMarker(sub.id, delivery.slotAt);
    const at = { channel, subscription: sub.id, slot: delivery.slotAt };
    const finish = async (outcome: DeliveryOutcome) => {
      const kept = await finishDelivery(db, lease, outcome, time());
      if (!kept) log.warn(at, 'lost the claim on a digest to another process before recording it');
      const counter = outcome.state === 'retry' ? 'retrying' : outcome.state;
      if (kept && counter !== 'posted') report[counter]++;
      return kept;
    };
    const posted = async (ts: string, scoresDay: Date | null, how: 'posted' | 'found') => {
      if (await finish({ state: 'posted', messageTs: ts, scoresDay, late: w.late })) {
        if (how === 'found') report.found++;
        else report.posted++;
        if (w.late && how === 'posted') report.late++;
        await recordSubscriptionError(db, sub.id, null, time());
      }
    };
    /** Whether the digest is in the channel already; undefined when the history cannot be read. */
    const lookup = async (since: Date): Promise<string | null | undefined> => {
      try {
        return await deps.slack.findPosted(channel, marker, new Date(since.getTime() - CLOCK_SKEW_MS));
      } catch (err) {
        log.error(
          { ...at, err, code: slackFailure(err).code },
          "a digest's post was interrupted and the channel's history cannot be read (channels:history, groups:history): not posting it again",
        );
        await finish({
          state: 'failed',
          error: `interrupted post, history unreadable: ${slackFailure(err).code}`,
        });
        return undefined;
      }
    };

    const release = holding(() => renewDelivery(db, lease, time()));
    try {
      if (delivery.state === 'posting') {
        const found = await lookup(delivery.postingAt ?? delivery.claimedAt);
        if (found === undefined) return;
        if (found) {
          log.info(
            { ...at, ts: found },
            'the digest was posted by a process that stopped before recording it',
          );
          return void (await posted(found, null, 'found'));
        }
      }
      if (!w.mayPost) {
        const why =
          lease.attempts > timing.maxAttempts
            ? `gave up after ${timing.maxAttempts} attempts`
            : 'not posted within DIGEST_CATCHUP_HOURS';
        log.warn(at, `digest not posted: ${why}`);
        return void (await finish({
          state: delivery.state === 'posting' ? 'failed' : 'skipped',
          error: why,
        }));
      }
      const prepared = await prepareDigest(sources(), sub, { at: delivery.slotAt, late: w.late }, time());
      const postingAt = time();
      if (!(await markPosting(db, lease, postingAt))) {
        return log.warn(at, 'lost the claim on a digest to another process before posting it');
      }
      let ts: string;
      try {
        ts = await deps.slack.post(channel, prepared.message, marker);
      } catch (err) {
        const failure = slackFailure(err);
        const again = lease.attempts < timing.maxAttempts;
        if (failure.kind === 'channel') {
          log.warn(
            { ...at, code: failure.code },
            `digest not posted: the channel is gone or the bot is not in it (${failure.code})`,
          );
          await finish({ state: 'failed', error: failure.code });
          await recordSubscriptionError(db, sub.id, failure.code, time());
        } else if (failure.kind === 'retry') {
          log.warn({ ...at, code: failure.code }, 'digest rate limited: trying again later');
          await finish({ state: again ? 'retry' : 'failed', error: failure.code });
        } else if (failure.kind === 'refused') {
          log.error({ ...at, err, code: failure.code }, `Slack refused a digest (${failure.code})`);
          await finish({ state: 'failed', error: failure.code });
          await recordSubscriptionError(db, sub.id, failure.code, time());
        } else {
          const found = await lookup(postingAt);
          if (found === undefined) return;
          if (found) return void (await posted(found, prepared.digest.day, 'posted'));
          log.warn(
            { ...at, err, code: failure.code },
            'digest post failed without an answer, not in the channel: trying again later',
          );
          await finish({ state: again ? 'retry' : 'failed', error: failure.code });
        }
        return;
      }
      await posted(ts, prepared.digest.day, 'posted');
    } finally {
      release();
    }
  }

  /** Posts by channel: channels in parallel (a few at once), one channel's posts a second apart. */
  async function deliverAll(work: Work[], report: TickReport, time: () => Date): Promise<void> {
    const byChannel = new Map<string, Work[]>();
    for (const w of work)
      byChannel.set(w.subscription.channelId, [...(byChannel.get(w.subscription.channelId) ?? []), w]);
    const queues = [...byChannel.values()];
    const worker = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const [i, w] of queue.entries()) {
          if (i > 0) await sleep(timing.channelGapMs);
          await deliver(w, report, time).catch((err: unknown) =>
            log.error(
              { err, channel: w.subscription.channelId, slot: w.delivery.slotAt },
              'digest delivery failed',
            ),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHANNELS_AT_ONCE, queues.length) }, worker));
  }

  // --- the nightly scoring run --------------------------------------------------------

  async function runScoring(lease: Lease, slotAt: Date, time: () => Date): Promise<void> {
    const release = holding(() => renewJobSlot(db, lease, time()));
    try {
      const results = await scoreForSlot(deps.database, deps.models.model, slotAt, time());
      // The day `canary score` would open cases for: the last one scored. Taken over,
      // the run scores that day again, which changes nothing, and opens no case twice.
      await deps.afterScoring?.(dayScoredAt(slotAt));
      await finishJobSlot(db, lease, { state: 'done' }, time());
      log.info(
        {
          slot: slotAt,
          days: results.map((r) => ({ day: r.day, scored: r.scored, skipped: r.skipped, ms: r.ms })),
        },
        'nightly scoring run completed',
      );
    } catch (err) {
      const again = lease.attempts < timing.maxAttempts;
      log.error({ err, slot: slotAt, retry: again }, 'nightly scoring run failed');
      await finishJobSlot(
        db,
        lease,
        { state: again ? 'retry' : 'failed', error: (err as Error).message },
        time(),
      );
    } finally {
      release();
    }
  }

  /** Claims the latest scoring slot due (or one a dead process held); the run goes on after the tick returns. */
  async function startScoring(now: Date, time: () => Date): Promise<Date | null> {
    const scoring = deps.settings.scoring;
    if (!scoring) return null;
    const t = {
      now,
      leaseMs: timing.leaseMs,
      retryAfterMs: timing.retryAfterMs,
      slotsAfter: new Date(now.getTime() - LOOKBACK_MS),
    };
    for (const row of await takeableJobSlots(db, SCORING_JOB, t)) {
      const lease = await takeOverJobSlot(db, row, instance, now);
      if (!lease) continue;
      if (lease.attempts > timing.maxAttempts) {
        await finishJobSlot(
          db,
          lease,
          { state: 'failed', error: `gave up after ${timing.maxAttempts} attempts` },
          now,
        );
        continue;
      }
      log.info({ slot: row.slotAt, from: row.claimedBy }, 'taking over the nightly scoring run');
      return startRun(lease, row.slotAt, time);
    }
    const latest = await latestJobSlot(db, SCORING_JOB);
    const from = Math.max(latest?.getTime() ?? 0, now.getTime() - LOOKBACK_MS);
    const slots = slotsBetween(scoring.schedule, scoring.timeZone, new Date(from), now);
    const slotAt = slots.at(-1);
    if (!slotAt) return null;
    // A run scores every day since the last completed one: missed runs need no run of their own.
    for (const earlier of slots.slice(0, -1))
      await skipJobSlot(db, SCORING_JOB, earlier, 'superseded by a later run', instance, now);
    const claim = await claimJobSlot(db, SCORING_JOB, slotAt, instance, now);
    return claim ? startRun(claim.lease, slotAt, time) : null;
  }

  function startRun(lease: Lease, slotAt: Date, time: () => Date): Date {
    scoring = track(runScoring(lease, slotAt, time)).finally(() => {
      scoring = null;
    });
    return slotAt;
  }

  return {
    instance,
    async tick(now = clock()) {
      const report: TickReport = {
        posted: 0,
        late: 0,
        found: 0,
        skipped: 0,
        failed: 0,
        retrying: 0,
        takenOver: 0,
        scoring: null,
      };
      if (stopped) return report;
      // The tick's own clock: `now`, moving on with the time the tick takes.
      const started = performance.now();
      const time = () => new Date(now.getTime() + (performance.now() - started));
      const work = track(
        (async () => {
          if (!scoring) report.scoring = await startScoring(now, time);
          const due = [...(await claimDue(now, report)), ...(await takeOver(now, report))];
          await deliverAll(due, report, time);
        })(),
      );
      await work;
      if (
        report.posted + report.found + report.skipped + report.failed + report.retrying + report.takenOver >
        0
      )
        log.info({ report }, 'scheduler tick');
      return report;
    },
    async idle() {
      await scoring;
    },
    async stop() {
      stopped = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
