// The nightly scoring run as a scheduled job, on PostgreSQL: two instances ticking at
// once at the run's time start one run, which scores the last whole UTC day and the
// days missed since the latest completed run; a run whose process died is taken over
// after its lease; the day a digest expects follows the run's schedule. The node-cron
// driver ticks at start. The scheduler's settings from the environment.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, scheduleConfig } from '../../src/config.ts';
import { generateBook } from '../../src/demo/book.ts';
import { writeBookCsv } from '../../src/demo/write-csv.ts';
import { readSubscription } from '../../src/digest/subscription.ts';
import { loadModel } from '../../src/health/model.ts';
import { runScoring } from '../../src/health/run.ts';
import { importFile } from '../../src/ingest/import-file.ts';
import { openBulkSession } from '../../src/ingest/session.ts';
import { createLogger } from '../../src/lib/log.ts';
import { parseSchedule } from '../../src/schedule/cron.ts';
import { startScheduler } from '../../src/schedule/driver.ts';
import { createScheduler } from '../../src/schedule/scheduler.ts';
import { dayScoredAt, expectedScoresDay, SCORING_JOB } from '../../src/schedule/scoring.ts';
import { digestSlack } from '../../src/schedule/slack.ts';
import type { Database } from '../../src/storage/db.ts';
import { saveSubscription } from '../../src/storage/digests.ts';
import { openDatabase } from '../../src/storage/migrate.ts';
import { claimJobSlot } from '../../src/storage/schedule-slots.ts';
import { freshDatabase } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';
import { startFakeSlack, type FakeSlack } from '../support/slack/fake-slack.ts';

const DAY = 86_400_000;
const asOf = new Date('2026-11-20T00:00:00Z');
const model = loadModel();
const logger = createLogger('silent');
const nightly = { schedule: parseSchedule('daily 02:00'), timeZone: 'UTC' };
/** 02:00 UTC on the day after `day`: the slot that scores `day`. */
const slotFor = (day: Date) => new Date(day.getTime() + DAY + 2 * 3_600_000);

describe('the day a run scores and a digest expects', () => {
  it('is the last whole UTC day before the run; a digest expects what the latest run before it scored', () => {
    expect(dayScoredAt(new Date('2026-11-21T02:00:00Z'))).toEqual(asOf);
    expect(dayScoredAt(new Date('2026-11-21T23:59:00Z'))).toEqual(asOf);
    expect(expectedScoresDay(nightly, new Date('2026-11-21T09:00:00Z'))).toEqual(asOf);
    expect(expectedScoresDay(nightly, new Date('2026-11-21T02:00:00Z'))).toEqual(asOf);
    expect(expectedScoresDay(nightly, new Date('2026-11-21T01:59:00Z'))).toEqual(
      new Date(asOf.getTime() - DAY),
    );
    // Without a schedule (SCORING_SCHEDULE=off): the day before, UTC.
    expect(expectedScoresDay(null, new Date('2026-11-21T01:00:00Z'))).toEqual(asOf);
    // In Tokyo 02:00 is 17:00 UTC the day before: it scores the day before that.
    const tokyo = { schedule: parseSchedule('daily 02:00'), timeZone: 'Asia/Tokyo' };
    expect(expectedScoresDay(tokyo, new Date('2026-11-21T09:00:00Z'))).toEqual(
      new Date(asOf.getTime() - DAY),
    );
  });
});

describe('scheduleConfig', () => {
  it('reads the defaults and the forms, and names every wrong variable', () => {
    expect(scheduleConfig(loadConfig({}))).toMatchObject({
      scoring: { schedule: { cron: '0 2 * * *' }, timeZone: 'UTC' },
      catchupHours: 6,
    });
    expect(
      scheduleConfig(
        loadConfig({
          SCORING_SCHEDULE: 'weekdays 23:30',
          SCORING_TZ: 'europe/paris',
          DIGEST_CATCHUP_HOURS: '1.5',
        }),
      ),
    ).toMatchObject({
      scoring: { schedule: { cron: '30 23 * * 1-5' }, timeZone: 'Europe/Paris' },
      catchupHours: 1.5,
    });
    expect(scheduleConfig(loadConfig({ SCORING_SCHEDULE: 'off' })).scoring).toBeNull();
    const bad = () =>
      scheduleConfig(
        loadConfig({ SCORING_SCHEDULE: 'nightly', SCORING_TZ: 'Moon/Base', DIGEST_CATCHUP_HOURS: 'soon' }),
      );
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /SCORING_SCHEDULE: "nightly" is not a schedule[\s\S]*SCORING_TZ: unknown time zone[\s\S]*DIGEST_CATCHUP_HOURS/,
    );
  });
});

describe('on PostgreSQL', () => {
  let files: Scratch;
  let d: Database & { url: string };
  let fake: FakeSlack;
  beforeAll(async () => {
    files = scratch();
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    files.remove();
    await fake.close();
  });
  beforeEach(async () => {
    d = await freshDatabase('postgresql');
  });
  afterEach(() => d.close());

  const importBook = async () => {
    const book = generateBook({ seed: 7, asOf, accounts: 40 });
    const session = await openBulkSession(d.target);
    try {
      for (const f of await writeBookCsv(book, files.dir))
        await importFile(session, f.kind, f.file, { now: new Date(asOf.getTime() + 3_600_000) });
    } finally {
      await session.close();
    }
  };
  const scheduler = (database: Database, name: string) =>
    createScheduler({
      database,
      slack: digestSlack(fake.client(), logger),
      models: { model },
      settings: { scoring: nightly, catchupHours: 6 },
      logger,
      instance: name,
    });
  const completedDays = async () =>
    (await d.db.scoringRun.findMany({ where: { status: 'completed' }, orderBy: { day: 'asc' } })).map((r) =>
      r.day.toISOString().slice(0, 10),
    );

  it('starts one run when two instances tick at its time, and scores the days missed since the last one', async () => {
    await importBook();
    await runScoring(d, {
      model,
      from: new Date(asOf.getTime() - 3 * DAY),
      to: new Date(asOf.getTime() - 3 * DAY),
    });
    const replica = await openDatabase(d.url);
    try {
      const a = scheduler(d, 'a');
      const b = scheduler(replica, 'b');
      const at = new Date(slotFor(asOf).getTime() + 30_000);
      const reports = await Promise.all([a.tick(at), b.tick(at)]);
      expect(reports.filter((r) => r.scoring !== null)).toHaveLength(1);
      await Promise.all([a.idle(), b.idle()]);
      expect(await completedDays()).toEqual(['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
      const rows = await d.db.scheduledRun.findMany({ where: { job: SCORING_JOB } });
      expect(rows.filter((r) => r.slotAt.getTime() === slotFor(asOf).getTime())).toMatchObject([
        { state: 'done' },
      ]);
      // A later tick the same night starts nothing.
      expect((await a.tick(new Date(at.getTime() + 3_600_000))).scoring).toBeNull();
    } finally {
      await replica.close();
    }
  });

  it('takes over a run whose process died, after its lease', async () => {
    await importBook();
    await claimJobSlot(d.db, SCORING_JOB, slotFor(asOf), 'killed', slotFor(asOf));
    const a = scheduler(d, 'a');
    expect((await a.tick(new Date(slotFor(asOf).getTime() + 60_000))).scoring).toBeNull();
    expect((await a.tick(new Date(slotFor(asOf).getTime() + 3 * 60_000))).scoring).toEqual(slotFor(asOf));
    await a.idle();
    expect(await completedDays()).toEqual(['2026-11-20']);
    expect(await d.db.scheduledRun.findFirst({ where: { slotAt: slotFor(asOf) } })).toMatchObject({
      state: 'done',
      claimedBy: 'a',
      attempts: 2,
    });
  });

  it('runs under node-cron: the tick at start catches up what is due', async () => {
    fake.reset();
    const now = new Date();
    const due = new Date(now.getTime() - 60_000);
    const schedule = `${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
    await saveSubscription(
      d.db,
      'C0GENERAL01',
      readSubscription({ schedule, timeZone: 'UTC' }),
      'cli',
      new Date(now.getTime() - 10 * 60_000),
    );
    const running = startScheduler({
      database: d,
      slack: digestSlack(fake.client(), logger),
      models: { model },
      settings: { scoring: null, catchupHours: 6 },
      logger,
    });
    try {
      const call = await fake.waitFor('chat.postMessage', () => true, 10_000);
      expect(call.args.channel).toBe('C0GENERAL01');
    } finally {
      await running.stop();
    }
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
  });
});
