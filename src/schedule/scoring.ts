// The nightly scoring run as a scheduled job: which day a run at a time scores (the
// last whole UTC day before it, the day `canary score` scores by default), which day a
// digest at a time should show (the one the latest scoring slot before it scored), and
// the run itself: from the day after the latest completed run (at most a week back, so
// days missed while Canary was down are scored too) to that day.
import type { HealthModel } from '../health/model.ts';
import { runScoring, type DayResult } from '../health/run.ts';
import { DAY_MS, utcDay } from '../health/signals.ts';
import type { Database } from '../storage/db.ts';
import { latestCompletedRun } from '../storage/snapshots.ts';
import type { Schedule } from './cron.ts';
import { previousSlot } from './slots.ts';

export interface ScoringSchedule {
  schedule: Schedule;
  timeZone: string;
}

/** The job's name in scheduled_runs. */
export const SCORING_JOB = 'scoring';

/** Days before its day a run scores when earlier ones were missed. */
const BACKFILL_DAYS = 7;

/** The day a scoring run at `at` scores: the last whole UTC day. */
export const dayScoredAt = (at: Date) => new Date(utcDay(at) - DAY_MS);

/**
 * The scored day a digest at `at` should show: the day the latest scoring slot at or
 * before `at` scores (no schedule: the day a run at `at` would score).
 */
export function expectedScoresDay(scoring: ScoringSchedule | null, at: Date): Date {
  const run = scoring && previousSlot(scoring.schedule, scoring.timeZone, new Date(at.getTime() + 1));
  return dayScoredAt(run ?? at);
}

/** The scoring of a slot: its day, and the days since the latest completed run (up to a week) before it. */
export async function scoreForSlot(
  database: Database,
  model: HealthModel,
  slotAt: Date,
  now: Date,
): Promise<DayResult[]> {
  const to = dayScoredAt(slotAt);
  const last = await latestCompletedRun(database.db);
  const after = last ? last.day.getTime() + DAY_MS : to.getTime();
  const from = new Date(Math.min(to.getTime(), Math.max(after, to.getTime() - BACKFILL_DAYS * DAY_MS)));
  return runScoring(database, { model, from, to, now });
}
