// Prepares a subscription's digest for a slot (or a preview): reads the latest completed
// scoring run, the day the channel's last digest showed and the filtered book's figures
// (storage/digests.ts), composes the Digest (compose.ts), renders its charts and hands
// them to a ChartFiles (Slack uploads, or files for a preview), and builds the message
// (slack/blocks/digest.ts). What the scheduler posts, `canary digest preview` prints and
// the Slack command will show privately are the same message.
import type { HealthModel } from '../health/model.ts';
import { scheduleOf } from '../schedule/cron.ts';
import { previousSlot } from '../schedule/slots.ts';
import type { ChartFiles } from '../slack/chart-files.ts';
import { healthChart, riskChart } from '../slack/charts.ts';
import { digestMessage } from '../slack/blocks/digest.ts';
import type { ChartImage } from '../slack/blocks/kit.ts';
import { healthGroups } from '../slack/blocks/portfolio.ts';
import type { SlackMessage } from '../slack/blocks/text.ts';
import type { Db } from '../storage/db.ts';
import { digestBook, type Subscription } from '../storage/digests.ts';
import { lastPostedScoresDay } from '../storage/schedule-slots.ts';
import { latestCompletedRun } from '../storage/snapshots.ts';
import {
  composeDigest,
  DROPPED_POINTS,
  referenceDay,
  type Digest,
  type DigestList,
  type WaitingCase,
} from './compose.ts';
import type { DigestFilters } from './subscription.ts';

/** Open cases without an owner in the part of the book a digest covers (recovery cases provide them). */
export type CasesWaiting = (
  db: Db,
  filters: DigestFilters,
  limit: number,
) => Promise<DigestList<WaitingCase>>;

export interface DigestSources {
  db: Db;
  model: HealthModel;
  /** The scored day a digest at a time should show (schedule/scoring.ts expectedScoresDay). */
  expectedDay(at: Date): Date;
  /** Where the charts go; without it the digest has none. */
  charts?: ChartFiles;
  casesWaiting?: CasesWaiting;
}

export interface PreparedDigest {
  digest: Digest;
  message: SlackMessage;
}

/** Accounts each list of a digest holds at most; the message shows as many as fit. */
const LIST_TOP = 10;

export async function prepareDigest(
  src: DigestSources,
  subscription: Subscription,
  slot: { at: Date; late: boolean } | null,
  now: Date,
): Promise<PreparedDigest> {
  const at = slot?.at ?? now;
  const run = await latestCompletedRun(src.db);
  const day = run?.day ?? null;
  const before = previousSlot(scheduleOf(subscription.cron), subscription.timeZone, at);
  const since = day
    ? referenceDay(
        day,
        await lastPostedScoresDay(src.db, subscription.id, day),
        before && src.expectedDay(before),
      )
    : at;
  const book = day
    ? await digestBook(src.db, {
        filters: subscription.filters,
        day,
        since,
        top: LIST_TOP,
        renewalIndexBelow: src.model.leading_indicators.renewal_weak.index_below,
        droppedPoints: DROPPED_POINTS,
      })
    : null;
  const casesWaiting =
    src.casesWaiting && subscription.sections.includes('cases')
      ? await src.casesWaiting(src.db, subscription.filters, LIST_TOP)
      : undefined;
  const digest = composeDigest({
    subscription,
    book,
    since,
    casesWaiting,
    expectedDay: src.expectedDay(at),
    latestRun: run,
    slot,
    now,
  });
  const bands = src.model.bands.colour;
  const charts = await chartsOf(digest, bands, src.charts);
  return { digest, message: digestMessage({ digest, bands, charts }) };
}

async function chartsOf(
  digest: Digest,
  bands: HealthModel['bands']['colour'],
  files: ChartFiles | undefined,
): Promise<{ risk: ChartImage | null; health: ChartImage | null }> {
  const p = digest.portfolio;
  if (!files || !digest.charts || !p || p.scored === 0) return { risk: null, health: null };
  const groups = healthGroups(p, { industry: digest.filters.industry });
  const [risk, health] = await Promise.all([
    riskChart(p.riskDistribution),
    healthChart(groups.rows, bands, groups.by),
  ]);
  return {
    risk: await files.upload(risk, 'digest-risk.png', 'Accounts per risk tier'),
    health: await files.upload(health, `digest-health-by-${groups.by}.png`, `Health by ${groups.by}`),
  };
}
