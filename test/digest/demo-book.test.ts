// Digests of the demo book, imported through the real import path and scored over its
// last eight days, on both providers, checked against the snapshots themselves: the
// accounts at risk in value-tier order with how many there are, the accounts whose
// Health Index fell by 5 or more since the last digest (the book's declining accounts
// among them), referral-ready accounts newly ready first, renewals at risk; a filtered
// digest holds only its part of the book; a failed scoring run makes the digest say its
// scores are older; changes count from the day the channel's last digest showed; the
// preview files for `canary demo --slack-preview`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBook } from '../../src/demo/book.ts';
import { writeBookCsv, type WrittenFile } from '../../src/demo/write-csv.ts';
import { DROPPED_POINTS } from '../../src/digest/compose.ts';
import { prepareDigest } from '../../src/digest/prepare.ts';
import { writeDigestPreview } from '../../src/digest/preview.ts';
import { readSubscription } from '../../src/digest/subscription.ts';
import { loadModel } from '../../src/health/model.ts';
import { runScoring } from '../../src/health/run.ts';
import { importFile } from '../../src/ingest/import-file.ts';
import { openBulkSession } from '../../src/ingest/session.ts';
import { expectedScoresDay } from '../../src/schedule/scoring.ts';
import type { Database } from '../../src/storage/db.ts';
import { saveSubscription, type Subscription } from '../../src/storage/digests.ts';
import { claimDelivery, finishDelivery } from '../../src/storage/schedule-slots.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';
import { expectSafe, mrkdwnStrings } from '../slack/blocks/limits.ts';

const DAY = 86_400_000;
const asOf = new Date('2026-11-20T00:00:00Z');
const daysBefore = (n: number) => new Date(asOf.getTime() - n * DAY);
const model = loadModel();
const book = generateBook({ seed: 42, asOf, accounts: 240 });
const declining = new Set(
  book.stories.filter((s) => s.story === 'declining').map((s) => s.accountExternalId),
);
/** The morning after the last scored day, 09:00 UTC: the slot of a daily 09:00 digest. */
const slotAt = new Date(asOf.getTime() + DAY + 9 * 3_600_000);

let files: Scratch;
let bookFiles: WrittenFile[];
beforeAll(async () => {
  files = scratch();
  bookFiles = await writeBookCsv(book, files.dir);
});
afterAll(() => files.remove());

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  beforeAll(async () => {
    d = await freshDatabase(provider);
    const session = await openBulkSession(d.target);
    try {
      for (const f of bookFiles)
        await importFile(session, f.kind, f.file, { now: new Date(asOf.getTime() + 3_600_000) });
    } finally {
      await session.close();
    }
    await runScoring(d, {
      model,
      from: daysBefore(7),
      to: asOf,
      now: new Date(asOf.getTime() + 2 * 3_600_000),
    });
  });
  afterAll(() => d.close());

  const sources = { expectedDay: (at: Date) => expectedScoresDay(null, at), model };
  const subscribe = async (channel: string, over: Partial<Parameters<typeof readSubscription>[0]> = {}) =>
    (
      await saveSubscription(
        d.db,
        channel,
        readSubscription({ schedule: 'daily 09:00', timeZone: 'UTC', ...over }),
        'U0CSM00001',
        daysBefore(30),
      )
    ).subscription;
  const prepare = (s: Subscription, at = slotAt) =>
    prepareDigest({ db: d.db, ...sources }, s, { at, late: false }, at);

  /** Every snapshot of a day, with its account. */
  const snapshots = (day: Date) =>
    d.db.healthSnapshot.findMany({ where: { day }, include: { account: true } }).then((rows) =>
      rows.map((r) => ({
        id: r.account.externalId,
        index: r.healthIndex,
        riskTier: r.riskTier,
        valueTier: r.valueTier,
        arr: r.arr ?? 0,
        ready: r.referralReady,
        score: r.referralScore,
        segment: r.account.segment,
        renewal: r.account.renewalDate,
      })),
    );

  it('lists what the snapshots say: at risk by value tier, dropped, referral-ready, renewals at risk', async () => {
    const { digest, message } = await prepare(await subscribe('C0ALL000001'));
    expect(digest).toMatchObject({ day: asOf, since: daysBefore(1), staleSince: null, filterText: null });
    const now = await snapshots(asOf);
    const before = new Map((await snapshots(daysBefore(1))).map((s) => [s.id, s]));
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

    const atRisk = now
      .filter((s) => s.riskTier === 'high' || s.riskTier === 'critical')
      .sort((a, b) => a.valueTier! - b.valueTier! || b.arr - a.arr || byId(a, b));
    expect(atRisk.length).toBeGreaterThan(2);
    expect(digest.atRisk!.total).toBe(atRisk.length);
    expect(digest.atRisk!.items.map((a) => a.externalId)).toEqual(atRisk.slice(0, 10).map((s) => s.id));
    const tiers = digest.atRisk!.items.map((a) => a.valueTier);
    expect(tiers).toEqual([...tiers].sort((a, b) => a - b));

    const dropped = now
      .filter((s) => {
        const b = before.get(s.id);
        return s.index !== null && b?.index != null && s.index <= b.index - DROPPED_POINTS;
      })
      .map((s) => ({ ...s, delta: s.index! - before.get(s.id)!.index! }))
      .sort((a, b) => a.delta - b.delta || b.arr - a.arr || byId(a, b));
    expect(dropped.length).toBeGreaterThan(0);
    expect(digest.dropped!.total).toBe(dropped.length);
    expect(digest.dropped!.items.map((m) => m.externalId)).toEqual(dropped.slice(0, 10).map((s) => s.id));
    for (const m of digest.dropped!.items) expect(m.explanation).toMatch(/over 1 day|:/);

    const ready = now.filter((s) => s.ready);
    const newly = (s: (typeof now)[number]) => before.has(s.id) && !before.get(s.id)!.ready;
    expect(ready.length).toBeGreaterThan(0);
    expect(digest.referrals!.total).toBe(ready.length);
    const expectedReady = [...ready].sort(
      (a, b) => Number(newly(b)) - Number(newly(a)) || b.score - a.score || b.arr - a.arr || byId(a, b),
    );
    expect(digest.referrals!.items.map((a) => [a.externalId, a.newlyReady])).toEqual(
      expectedReady.slice(0, 10).map((s) => [s.id, newly(s)]),
    );
    for (const a of digest.referrals!.items) expect(a.ask).not.toBe('');

    const until = asOf.getTime() + 90 * DAY;
    const renewals = now
      .filter(
        (s) =>
          s.renewal &&
          s.renewal.getTime() >= asOf.getTime() &&
          s.renewal.getTime() <= until &&
          (s.riskTier === 'high' || s.riskTier === 'critical' || (s.index ?? 100) < 65),
      )
      .sort((a, b) => a.renewal!.getTime() - b.renewal!.getTime() || b.arr - a.arr || byId(a, b));
    expect(renewals.length).toBeGreaterThan(0);
    expect(digest.renewals!.total).toBe(renewals.length);
    expect(digest.renewals!.items.map((r) => r.externalId)).toEqual(renewals.slice(0, 10).map((s) => s.id));

    expectSafe(message);
    const text = mrkdwnStrings(message).join('\n');
    for (const a of digest.atRisk!.items.slice(0, 3)) expect(text).toContain(a.externalId);
    expect(text).toContain(`*Accounts at risk* · ${atRisk.length}, most valuable first`);
  });

  it("shows the book's declining accounts among those that dropped over a week", async () => {
    // Saturday 21 November; the slot before, on the 14th, showed the 13th.
    const { digest } = await prepare(await subscribe('C0WEEKLY001', { schedule: 'saturdays 09:00' }));
    expect(digest.since).toEqual(daysBefore(7));
    expect(digest.dropped!.items[0]!.explanation).toMatch(/over 7 days/);
    const fell = digest.dropped!.items.map((m) => m.externalId);
    expect(fell.some((id) => declining.has(id))).toBe(true);
  });

  it('holds only its part of the book when filtered', async () => {
    const s = await subscribe('C0ENTERPRS1', {
      segment: 'enterprise',
      minArr: '50k',
      tiers: 'high,critical',
    });
    const { digest, message } = await prepare(s);
    const part = (await snapshots(asOf)).filter(
      (x) =>
        x.segment === 'enterprise' && x.arr >= 50_000 && (x.riskTier === 'high' || x.riskTier === 'critical'),
    );
    expect(digest.filterText).toBe('segment enterprise · ARR ≥ $50.0k · high or critical risk');
    expect(digest.portfolio!.scored).toBe(part.length);
    const ids = new Set(part.map((x) => x.id));
    for (const list of [digest.atRisk!, digest.dropped!, digest.referrals!, digest.renewals!])
      for (const a of list.items) expect(ids.has(a.externalId), a.externalId).toBe(true);
    expect(digest.atRisk!.total).toBe(part.length);
    expectSafe(message);
  });

  it('counts changes from the day the last digest showed', async () => {
    const s = await subscribe('C0SINCE0001');
    const claim = (await claimDelivery(
      d.db,
      { subscriptionId: s.id, slotAt: daysBefore(2), late: false },
      't',
      asOf,
    ))!;
    await finishDelivery(
      d.db,
      claim.lease,
      { state: 'posted', messageTs: '1.1', scoresDay: daysBefore(4), late: false },
      asOf,
    );
    expect((await prepare(s)).digest.since).toEqual(daysBefore(4));
  });

  it('says the scores are from an earlier day when the night run failed', async () => {
    const s = await subscribe('C0STALE0001');
    await d.db.scoringRun.create({
      data: {
        day: new Date(asOf.getTime() + DAY),
        modelVersion: model.version,
        startedAt: slotAt,
        finishedAt: slotAt,
        status: 'failed',
        error: 'disk full',
      },
    });
    const { digest, message } = await prepare(s, new Date(slotAt.getTime() + DAY));
    expect(digest).toMatchObject({ day: asOf, staleSince: new Date(asOf.getTime() + DAY) });
    expect(mrkdwnStrings(message).join('\n')).toContain(
      '⚠️ *These scores are from 2026-11-20*: the scoring of 2026-11-21 has not completed',
    );
    await d.db.scoringRun.deleteMany({ where: { status: 'failed' } });
  });

  it('writes the preview: the Block Kit JSON and its charts', async () => {
    const dir = path.join(files.dir, `preview-${provider}`);
    const written = await writeDigestPreview(d, dir, model);
    expect(written.map((f) => path.basename(f))).toEqual([
      'digest.json',
      'digest-risk.png',
      'digest-health-by-industry.png',
    ]);
    const message = JSON.parse(await readFile(written[0]!, 'utf8'));
    expectSafe(message);
    expect(message.blocks.filter((b: { type: string }) => b.type === 'image')).toMatchObject([
      { image_url: 'digest-risk.png' },
      { image_url: 'digest-health-by-industry.png' },
    ]);
    const png = await readFile(written[1]!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.stringify(message)).toContain('Scores of 2026-11-20 · Preview');
  });
});
