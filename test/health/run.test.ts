// Scoring the demo book on both providers, through the real import path: every account
// that has not churned gets a snapshot; a re-run with nothing new writes nothing; a new
// signal re-scores only its account; a backfill gives a snapshot per account and day
// and drops read the days before; the book's stories come out as a CSM would expect;
// overrides apply, are explained, and stop at their expiry. The clock is fixed: the
// book is imported at 01:00 on its last day and every later step is an hour on.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateBook, type StoryKind } from '../../src/demo/book.ts';
import { writeBookCsv, type WrittenFile } from '../../src/demo/write-csv.ts';
import { loadModel } from '../../src/health/model.ts';
import { parseDay, runScoring } from '../../src/health/run.ts';
import { importFile } from '../../src/ingest/import-file.ts';
import { openBulkSession, type BulkSession } from '../../src/ingest/session.ts';
import type { Database } from '../../src/storage/db.ts';
import { setOverride } from '../../src/storage/overrides.ts';
import {
  indexSeries,
  latestCompletedRun,
  latestScoredDay,
  snapshotFor,
  type StoredSnapshot,
} from '../../src/storage/snapshots.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';

const DAY = 86_400_000;
const asOf = new Date('2026-11-20T00:00:00Z');
const daysBefore = (n: number) => new Date(asOf.getTime() - n * DAY);
/** The fixed clock: `hours` after the start of the book's last day. */
const clock = (hours: number) => new Date(asOf.getTime() + hours * 3_600_000);

const model = loadModel();
const book = generateBook({ seed: 42, asOf, accounts: 240 });

/** External ids of the accounts still customers at the end of `day`. */
function customersOn(day: Date): string[] {
  const churned = new Set(
    book.outcomes
      .filter((o) => o.outcome === 'churned' && o.date.getTime() < day.getTime() + DAY)
      .map((o) => o.accountExternalId),
  );
  return book.accounts
    .map((a) => a.externalId)
    .filter((id) => !churned.has(id))
    .sort();
}
const storyOf = new Map(book.stories.map((s) => [s.accountExternalId, s.story]));
const withStory = (story: StoryKind) => customersOn(asOf).filter((id) => storyOf.get(id) === story);

let files: Scratch;
let bookFiles: WrittenFile[];
beforeAll(async () => {
  files = scratch();
  bookFiles = await writeBookCsv(book, files.dir);
});
afterAll(() => files.remove());

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  let session: BulkSession;
  let ids: Map<string, number>;

  beforeEach(async () => {
    d = await freshDatabase(provider);
    session = await openBulkSession(d.target);
    for (const f of bookFiles) await importFile(session, f.kind, f.file, { now: clock(1) });
    ids = new Map((await d.db.account.findMany()).map((a) => [a.externalId, a.id]));
  });
  afterEach(async () => {
    await session.close();
    await d.close();
  });

  const score = (from: Date, to: Date, now: Date, options: { full?: boolean } = {}) =>
    runScoring(d, { model, from, to, now, ...options });

  /** Every snapshot's identity and when it was computed. */
  const stamps = () =>
    d.db.healthSnapshot.findMany({
      select: { accountId: true, day: true, computedAt: true },
      orderBy: [{ accountId: 'asc' }, { day: 'asc' }],
    });

  const snapshotOf = async (externalId: string, day = asOf): Promise<StoredSnapshot> => {
    const s = await snapshotFor(d.db, ids.get(externalId)!, day);
    expect(s?.day).toBe(day.getTime());
    return s!;
  };

  it('scores every account that has not churned, and a second run writes nothing', async () => {
    const customers = customersOn(asOf);
    expect(customers.length).toBeLessThan(book.accounts.length);

    const [first] = await score(asOf, asOf, clock(2));
    expect(first).toMatchObject({ day: asOf, scored: customers.length, skipped: 0 });
    const snapshots = await d.db.healthSnapshot.findMany({ include: { account: true } });
    expect(snapshots.map((s) => s.account.externalId).sort()).toEqual(customers);
    for (const s of snapshots) {
      expect(s).toMatchObject({ day: asOf, modelVersion: model.version, computedAt: clock(2) });
      expect(s.healthIndex).toBeGreaterThan(0);
      expect(s.explanation).not.toBe('');
    }
    expect(await latestScoredDay(d.db)).toEqual(asOf);
    expect(await latestCompletedRun(d.db)).toMatchObject({
      day: asOf,
      modelVersion: model.version,
      status: 'completed',
      accountsScored: customers.length,
      accountsSkipped: 0,
    });

    const before = await stamps();
    const [second] = await score(asOf, asOf, clock(3));
    expect(second).toMatchObject({ scored: 0, skipped: customers.length });
    expect(await stamps()).toEqual(before);
    expect(await latestCompletedRun(d.db)).toMatchObject({
      accountsScored: 0,
      accountsSkipped: customers.length,
    });
  });

  it('re-scores only the account with a new signal, and every account with --full', async () => {
    const customers = customersOn(asOf);
    const changed = withStory('healthy')[0]!;
    await score(asOf, asOf, clock(2));
    const before = await stamps();
    const trendBefore = (await snapshotOf(changed)).components[0]!.measures[0]!;
    expect(trendBefore.name).toBe('active_users_trend');

    const usage = files.write('late-usage.csv', `account_id,date,active_users\n${changed},2026-11-20,999\n`);
    await importFile(session, 'usage', usage, { now: clock(4) });
    const [again] = await score(asOf, asOf, clock(5));
    expect(again).toMatchObject({ scored: 1, skipped: customers.length - 1 });
    const after = await stamps();
    const rescored = after.filter((s, i) => s.computedAt.getTime() !== before[i]!.computedAt.getTime());
    expect(rescored.map((s) => s.accountId)).toEqual([ids.get(changed)]);
    const trendAfter = (await snapshotOf(changed)).components[0]!.measures[0]!;
    expect(trendAfter.raw).toBeGreaterThan(trendBefore.raw!);

    const [full] = await score(asOf, asOf, clock(6), { full: true });
    expect(full).toMatchObject({ scored: customers.length, skipped: 0 });
    expect((await stamps()).every((s) => s.computedAt.getTime() === clock(6).getTime())).toBe(true);
  });

  it('backfills 30 days: a snapshot per account and day, with drops read from the days before', async () => {
    const from = daysBefore(29);
    const results = await score(from, asOf, clock(2));
    expect(results.map((r) => r.day)).toEqual(Array.from({ length: 30 }, (_, i) => daysBefore(29 - i)));

    const perAccount = await d.db.healthSnapshot.groupBy({ by: ['accountId'], _count: true });
    const count = new Map(perAccount.map((g) => [g.accountId, g._count]));
    for (const id of customersOn(asOf)) expect(count.get(ids.get(id)!)).toBe(30);
    // An account that churned within the 30 days was scored up to its churn.
    for (const a of book.accounts) {
      const expected = results.filter((r) => customersOn(r.day).includes(a.externalId)).length;
      expect(count.get(ids.get(a.externalId)!) ?? 0).toBe(expected);
    }

    // health_index_drop: the index fell 15 points or more against a day of the 7 before.
    const rule = model.drops.find((r) => r.name === 'health_index_drop')!;
    if (!('within' in rule)) throw new Error('the default model drops on the Health Index');
    let drops = 0;
    for (const id of [...ids.values()]) {
      const series = await indexSeries(d.db, id, from, asOf);
      const rows = await d.db.healthSnapshot.findMany({
        where: { accountId: id },
        select: { day: true, breakdown: true },
        orderBy: { day: 'asc' },
      });
      rows.forEach((row, i) => {
        const today = series[i]!;
        const fell = series
          .filter((s) => s.day < today.day && s.day.getTime() >= today.day.getTime() - rule.within * DAY)
          .some((s) => s.healthIndex! - today.healthIndex! >= rule.index_fall);
        const breakdown = row.breakdown as unknown as StoredSnapshot;
        expect(breakdown.drops.some((x) => x.rule === 'health_index_drop')).toBe(fell);
        if (fell) drops++;
        // Each day's change is explained against the day before.
        if (i > 0) expect(breakdown.change?.since).toBe(series[i - 1]!.day.getTime());
      });
    }
    expect(drops).toBeGreaterThan(0);
  });

  it("shows the book's stories the way a CSM would expect", async () => {
    // Two days, so that each explanation says what moved since the day before.
    await score(daysBefore(1), asOf, clock(2));

    // Declining: usage falls about 40% over the last two weeks.
    const declining = await Promise.all(withStory('declining').map((id) => snapshotOf(id)));
    expect(declining.length).toBeGreaterThan(0);
    for (const s of declining) {
      expect(s.explanation).toContain('active users');
      expect(s.leadingIndicators.some((l) => l.startsWith('usage decline: active users'))).toBe(true);
    }
    // The drop rule compares the 14 days' average with the 28 before; a fall that builds
    // up over ten days reaches its 30% on the steeper half of these accounts.
    const dropped = declining.filter((s) => s.drops.some((x) => x.rule === 'active_users_drop'));
    expect(dropped.length).toBeGreaterThanOrEqual(declining.length / 2);
    for (const id of customersOn(asOf).filter((id) => storyOf.get(id) !== 'declining')) {
      expect((await snapshotOf(id)).drops.map((x) => x.rule)).not.toContain('active_users_drop');
    }

    // Promoters: NPS 9-10, stable usage, no escalations: referral-ready.
    const promoters = await Promise.all(withStory('promoter').map((id) => snapshotOf(id)));
    const ready = promoters.filter((s) => s.referral.ready);
    expect(ready.length).toBeGreaterThanOrEqual(promoters.length * 0.75);

    // Ticket bursts: open P1/P2 tickets pull the support component down.
    const supportOf = (s: StoredSnapshot) => s.components.find((c) => c.name === 'support')!;
    const all = await Promise.all(customersOn(asOf).map((id) => snapshotOf(id)));
    const supportScores = all.map((s) => supportOf(s).score!).sort((a, b) => a - b);
    const median = supportScores[Math.floor(supportScores.length / 2)]!;
    for (const id of withStory('ticket_burst')) {
      const support = supportOf(await snapshotOf(id));
      const open = support.measures.find((m) => m.name === 'open_high_priority_tickets')!;
      expect(open.raw).toBeGreaterThanOrEqual(1);
      expect(open.normalised).toBeLessThanOrEqual(50);
      expect(support.score).toBeLessThan(median);
    }
  });

  it('applies an override, explains it, and stops applying it after its expiry', async () => {
    const [acme, beta] = withStory('healthy');
    await score(asOf, asOf, clock(2));
    await setOverride(
      d.db,
      {
        accountId: ids.get(acme!)!,
        measure: null,
        value: 25,
        reason: 'champion left',
        author: 'dana@example.com',
        expiresAt: clock(36),
        now: clock(9),
      },
      model,
    );
    await setOverride(
      d.db,
      {
        accountId: ids.get(beta!)!,
        measure: 'nps_latest',
        value: 0,
        reason: 'detractor call',
        author: 'tom@example.com',
        expiresAt: null,
        now: clock(9),
      },
      model,
    );

    const [again] = await score(asOf, asOf, clock(10));
    expect(again!.scored).toBe(2);
    const overridden = await snapshotOf(acme!);
    expect(overridden).toMatchObject({ healthIndex: 25, riskTier: 'critical', colour: 'red' });
    expect(overridden.explanation).toContain(
      'override by dana@example.com: Health Index set to 25 (champion left)',
    );
    const nps = (await snapshotOf(beta!)).components
      .flatMap((c) => c.measures)
      .find((m) => m.name === 'nps_latest')!;
    expect(nps).toMatchObject({ normalised: 0, overridden: true });
    expect((await snapshotOf(beta!)).explanation).toContain('NPS set to 0 (detractor call)');

    // The next day ends after the whole-index override expired (at 12:00 that day).
    const nextDay = new Date(asOf.getTime() + DAY);
    await score(nextDay, nextDay, clock(34));
    const expired = await snapshotOf(acme!, nextDay);
    expect(expired.healthIndex).not.toBe(25);
    expect(expired.overrides).toEqual([]);
    expect(expired.explanation).not.toContain('override');
    expect((await snapshotOf(beta!, nextDay)).overrides).toHaveLength(1);
  });
});

describe('parseDay', () => {
  it('reads YYYY-MM-DD as that UTC midnight, and refuses anything else', () => {
    expect(parseDay('2026-11-21')).toEqual(new Date('2026-11-21T00:00:00Z'));
    for (const bad of ['2026-02-30', '21/11/2026', '2026-11-21T10:00', 'yesterday', '']) {
      expect(() => parseDay(bad)).toThrow(/YYYY-MM-DD/);
    }
  });
});
