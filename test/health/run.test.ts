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
import { loadAccountChunk, lookbackDays } from '../../src/storage/signals.ts';
import { usageFromPoints } from '../../src/health/signals.ts';
import type { Database } from '../../src/storage/db.ts';
import { recordedModels } from '../../src/storage/models.ts';
import { setOverride } from '../../src/storage/overrides.ts';
import {
  indexSeries,
  latestCompletedRun,
  latestScoredDay,
  readBreakdown,
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

  const score = (from: Date, to: Date, now: Date, options: { full?: boolean; workers?: number } = {}) =>
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

  it('writes the same snapshots from worker threads as from this thread', async () => {
    // Two days, so that the second reads the first's history in the workers.
    const rows = () =>
      d.db.healthSnapshot.findMany({
        orderBy: [{ accountId: 'asc' }, { day: 'asc' }],
        omit: { id: true, computedAt: true },
      });
    await score(daysBefore(1), asOf, clock(2), { workers: 0 });
    const inThisThread = await rows();
    const results = await score(daysBefore(1), asOf, clock(3), { workers: 3, full: true });
    expect(results.map((r) => r.scored)).toEqual([
      customersOn(daysBefore(1)).length,
      customersOn(asOf).length,
    ]);
    expect(await rows()).toEqual(inThisThread);
    expect(inThisThread.length).toBeGreaterThan(400);
  });

  it('reads snapshots stored before their components were packed, and explains the next day from them', async () => {
    const dayAfter = new Date(asOf.getTime() + 86_400_000);
    const externalId = withStory('healthy')[0]!;
    await score(asOf, dayAfter, clock(2));
    const packed = await snapshotOf(externalId);
    const next = await snapshotOf(externalId, dayAfter);
    expect(next.change?.since).toBe(asOf.getTime());

    // The breakdown as earlier versions wrote it: components as objects, the explanation inside.
    const { components, drivers, change, drops, leadingIndicators, referral, overrides, stale, segmentRule } =
      packed;
    const breakdown = {
      components,
      drivers,
      change,
      drops,
      leadingIndicators,
      referral,
      overrides,
      stale,
      segmentRule,
    };
    await d.db.healthSnapshot.update({
      where: { accountId_day: { accountId: packed.accountId, day: asOf } },
      data: { breakdown: JSON.parse(JSON.stringify({ ...breakdown, explanation: packed.explanation })) },
    });
    expect(await snapshotOf(externalId)).toEqual(packed);
    await score(dayAfter, dayAfter, clock(3), { full: true });
    expect((await snapshotOf(externalId, dayAfter)).change).toEqual(next.change);
  });

  it('re-scores only the account with a new signal, and every account with --full', async () => {
    const customers = customersOn(asOf);
    const changed = withStory('healthy')[0]!;
    await score(asOf, asOf, clock(2));
    const before = await stamps();
    const snapshotBefore = await snapshotOf(changed);
    const trendBefore = snapshotBefore.components[0]!.measures[0]!;
    expect(trendBefore.name).toBe('active_users_trend');

    const usage = files.write('late-usage.csv', `account_id,date,active_users\n${changed},2026-11-20,999\n`);
    await importFile(session, 'usage', usage, { now: clock(4) });
    const [again] = await score(asOf, asOf, clock(5));
    expect(again).toMatchObject({ scored: 1, skipped: customers.length - 1 });
    const rescored = (await stamps()).filter(
      (s, i) => s.computedAt.getTime() !== before[i]!.computedAt.getTime(),
    );
    expect(rescored.map((s) => s.accountId)).toEqual([ids.get(changed)]);
    const after = await snapshotOf(changed);
    expect(after.components[0]!.measures[0]!.raw).toBeGreaterThan(trendBefore.raw!);
    // Feature breadth is ranked against the whole book: the accounts skipped count with
    // the values stored in their snapshots, so the rank is the one a full run gives.
    const breadth = (s: StoredSnapshot) =>
      s.components.flatMap((c) => c.measures).find((m) => m.name === 'feature_breadth')!;
    expect(breadth(after).normalised).toBe(breadth(snapshotBefore).normalised);
    expect(breadth(after).normalised).not.toBe(50);

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
    const models = await recordedModels(d.db, [model.version]);
    for (const id of [...ids.values()]) {
      const series = await indexSeries(d.db, id, from, asOf);
      const rows = await d.db.healthSnapshot.findMany({
        where: { accountId: id },
        select: { day: true, modelVersion: true, breakdown: true, measureValues: true },
        orderBy: { day: 'asc' },
      });
      rows.forEach((row, i) => {
        const today = series[i]!;
        const fell = series
          .filter((s) => s.day < today.day && s.day.getTime() >= today.day.getTime() - rule.within * DAY)
          .some((s) => s.healthIndex! - today.healthIndex! >= rule.index_fall);
        const breakdown = readBreakdown(models, row);
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
      expect(s.drops.map((x) => x.rule)).toContain('active_users_drop');
      expect(s.explanation).toContain('active users');
      expect(s.leadingIndicators.some((l) => l.startsWith('usage decline: active users'))).toBe(true);
    }
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

describe.each(TEST_PROVIDERS)('%s: the signals scoring reads', (provider) => {
  let d: Database & { url: string };
  let session: BulkSession;
  beforeEach(async () => {
    d = await freshDatabase(provider);
    session = await openBulkSession(d.target);
  });
  afterEach(async () => {
    await session.close();
    await d.close();
  });

  it("takes from the default model each source's lookback and what it names", () => {
    expect(lookbackDays(model)).toEqual({
      days: { tickets: 90, surveys: 365, notes: 90, events: 0, crm: 365 },
      // The trend's and the drop's two windows, the 14-day averages, the latest seats used.
      usage: [
        { metric: 'active_users', since: 7, until: 0, summary: true, latest: false },
        { metric: 'active_users', since: 42, until: 14, summary: true, latest: false },
        { metric: 'logins', since: 14, until: 0, summary: true, latest: false },
        { metric: 'active_users', since: 14, until: 0, summary: true, latest: false },
        { metric: 'features_used', since: 14, until: 0, summary: true, latest: false },
        { metric: 'seats_used', since: 7, until: 0, summary: false, latest: true },
      ],
      eventNames: [],
      crmFields: ['arr'],
    });
  });

  it('reads each source within its lookback, open tickets however old, and the CRM value in force', async () => {
    const ago = (days: number, hours = 10) => new Date(asOf.getTime() - days * DAY + hours * 3_600_000);
    const { id } = await d.db.account.create({
      data: {
        externalId: 'ACC-1',
        name: 'Acme',
        segment: 'smb',
        arr: 150_000,
        seatsPurchased: 50,
        renewalDate: daysBefore(-100),
      },
    });
    await d.db.usageMetric.createMany({
      data: ['active_users', 'logins', 'seats_used', 'feature:reports'].flatMap((metric) =>
        Array.from({ length: 61 }, (_, n) => ({ accountId: id, metric, day: daysBefore(n - 1), value: n })),
      ),
    });
    const ticket = (
      externalId: string,
      openedAt: Date,
      resolvedAt: Date | null,
      status = resolvedAt ? 'resolved' : 'open',
    ) =>
      d.db.ticket.create({
        data: { externalId, accountId: id, status, priority: 'P1', openedAt, resolvedAt },
      });
    await ticket('open-for-months', ago(200), null);
    await ticket('resolved-long-ago', ago(200), ago(150));
    await ticket('recent', ago(10), ago(9));
    await ticket('resolved-after-the-day', ago(200), ago(-2));
    await ticket('opened-after-the-day', ago(-1), null);
    for (const [days, value] of [
      [800, 100_000],
      [500, 120_000],
      [100, 150_000],
      [-1, 200_000],
    ] as const) {
      await d.db.crmFact.create({
        data: { accountId: id, field: 'arr', value: String(value), observedAt: ago(days) },
      });
    }
    await d.db.crmFact.create({
      data: { accountId: id, field: 'plan', value: 'growth', observedAt: ago(5) },
    });
    for (const [externalId, kind, score, days] of [
      ['s1', 'nps', 9, 100],
      ['s2', 'csat', 4, 200],
      ['s3', 'nps', 3, 400],
    ] as const) {
      await d.db.surveyResponse.create({
        data: { externalId, accountId: id, kind, score, respondedAt: ago(days) },
      });
    }
    for (const [externalId, sentiment, days] of [
      ['n1', 'negative', 10],
      ['n2', 'positive', 100],
    ] as const) {
      await d.db.sentimentNote.create({ data: { externalId, accountId: id, sentiment, notedAt: ago(days) } });
    }

    const [input] = await loadAccountChunk(session, [id, 999_999], asOf.getTime(), lookbackDays(model));
    expect(input!.facts).toEqual({
      id,
      externalId: 'ACC-1',
      name: 'Acme',
      segment: 'smb',
      lifecycleStage: null,
      industry: null,
      plan: null,
      arr: 150_000,
      seatsPurchased: 50,
      renewalDate: daysBefore(-100).getTime(),
      contractStart: null,
    });
    const { usage, tickets, surveys, notes, events, crm } = input!.signals;
    // Each metric holds value n on the day n - 1 days before: 1 on the day, 2 the day before...
    const end = asOf.getTime() + DAY - 1;
    const window = (metric: string, since: number, until = 0) => ({ metric, since, until });
    expect(usage.summary(window('active_users', 7), end)).toEqual({
      days: 7,
      sum: 1 + 2 + 3 + 4 + 5 + 6 + 7,
      newest: asOf.getTime(),
    });
    // The 28 days before the last 14: values 15..42.
    expect(usage.summary(window('active_users', 42, 14), end)).toEqual({
      days: 28,
      sum: ((15 + 42) * 28) / 2,
      newest: daysBefore(14).getTime(),
    });
    expect(usage.summary(window('logins', 14), end)).toMatchObject({ days: 14, sum: (1 + 14) * 7 });
    expect(usage.latest(window('seats_used', 7), end)).toEqual({ day: asOf.getTime(), value: 1 });
    // No feature usage at all: no days, not zeros.
    expect(usage.summary(window('features_used', 14), end)).toEqual({ days: 0, sum: 0, newest: null });
    // A window the model does not read was not read: asking for it is a bug, not "no usage".
    expect(() => usage.summary(window('feature:reports', 7), end)).toThrow(/was not read/);
    expect(() => usage.summary(window('active_users', 8), end)).toThrow(/was not read/);
    expect(tickets).toEqual([
      { openedAt: ago(200).getTime(), resolvedAt: null, status: 'open', priority: 'P1' },
      { openedAt: ago(200).getTime(), resolvedAt: ago(-2).getTime(), status: 'resolved', priority: 'P1' },
      { openedAt: ago(10).getTime(), resolvedAt: ago(9).getTime(), status: 'resolved', priority: 'P1' },
    ]);
    expect(surveys).toEqual([
      { kind: 'csat', score: 4, at: ago(200).getTime() },
      { kind: 'nps', score: 9, at: ago(100).getTime() },
    ]);
    expect(notes).toEqual([{ sentiment: -1, at: ago(10).getTime() }]);
    expect(events).toEqual([]);
    expect(crm).toEqual(
      new Map([
        [
          'arr',
          [
            { at: ago(500).getTime(), value: 120_000 },
            { at: ago(100).getTime(), value: 150_000 },
          ],
        ],
      ]),
    );
  });
});

describe.each(TEST_PROVIDERS)('%s: usage aggregated in the database', (provider) => {
  let d: Database & { url: string };
  let session: BulkSession;
  beforeEach(async () => {
    d = await freshDatabase(provider);
    session = await openBulkSession(d.target);
  });
  afterEach(async () => {
    await session.close();
    await d.close();
  });

  it('answers every window of the model exactly as the days themselves do', async () => {
    // Three accounts with gaps, zeros, fractions and days after the scored one; one without usage.
    const ids: number[] = [];
    for (const externalId of ['A', 'B', 'C', 'D']) {
      ids.push((await d.db.account.create({ data: { externalId, name: externalId } })).id);
    }
    const points = new Map<number, Map<string, { day: number; value: number }[]>>();
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const rows: { accountId: number; metric: string; day: Date; value: number }[] = [];
    for (const id of ids.slice(0, 3)) {
      const byMetric = new Map<string, { day: number; value: number }[]>();
      for (const metric of ['active_users', 'logins', 'features_used', 'seats_used']) {
        const list: { day: number; value: number }[] = [];
        for (let n = -3; n < 80; n++) {
          if (next() < 0.2) continue; // a day without a value
          const value = next() < 0.1 ? 0 : Math.round(next() * 10_000) / 100;
          const day = daysBefore(n).getTime();
          list.push({ day, value });
          rows.push({ accountId: id, metric, day: new Date(day), value });
        }
        byMetric.set(metric, list);
      }
      points.set(id, byMetric);
    }
    await d.db.usageMetric.createMany({ data: rows });

    const lookback = lookbackDays(model);
    for (const day of [asOf, daysBefore(5)]) {
      const end = day.getTime() + DAY - 1;
      const inputs = await loadAccountChunk(session, ids, day.getTime(), lookback);
      expect(inputs).toHaveLength(4);
      for (const input of inputs) {
        const reference = usageFromPoints(points.get(input.facts.id) ?? new Map());
        for (const w of lookback.usage) {
          if (w.summary) {
            const got = input.signals.usage.summary(w, end);
            const want = reference.summary(w, end);
            expect({ ...got, sum: Math.round(got.sum * 1e6) }).toEqual({
              ...want,
              sum: Math.round(want.sum * 1e6),
            });
          } else expect(() => input.signals.usage.summary(w, end)).toThrow(/was not read/);
          if (w.latest) expect(input.signals.usage.latest(w, end)).toEqual(reference.latest(w, end));
        }
      }
    }
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
