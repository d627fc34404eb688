// Cases from signals, on both providers: a detractor's answer opens a case the moment
// it is ingested, a second answer adds to it, the same answer seen again (a re-import,
// the sweep after scoring) changes nothing; the sweep after scoring opens the day's drop
// cases and catches the day's detractors and the tickets left unresolved too long that
// ingestion did not report, each once: a ticket that fired is not read again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Signal } from '../../src/cases/triggers.ts';
import { caseWithEvents } from '../../src/storage/cases.ts';
import { openCasesAfterScoring, openCasesForSignals } from '../../src/storage/cases-triggers.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { ACME, at, GLOBEX, HOUR, NOW, rules } from '../cases/fixtures.ts';

const DAY0 = new Date('2026-11-20T00:00:00Z');

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  let acme: number;
  let globex: number;
  const r = rules();

  beforeEach(async () => {
    d = await freshDatabase(provider);
    acme = (await d.db.account.create({ data: ACME })).id;
    globex = (await d.db.account.create({ data: GLOBEX })).id;
  });
  afterEach(() => d.close());

  const answer = async (accountId: number, score: number, hours: number, comment: string | null = null) => {
    const row = await d.db.surveyResponse.create({
      data: {
        externalId: `nps-${accountId}-${hours}`,
        accountId,
        kind: 'nps',
        score,
        comment,
        respondent: 'cto@example.com',
        respondedAt: at(hours),
      },
    });
    return {
      kind: 'survey',
      id: row.id,
      accountId,
      survey: 'nps',
      score,
      respondent: row.respondent,
      comment,
    } satisfies Signal;
  };

  it('opens a detractor case as the answer arrives, adds the next answer to it, and ignores one seen before', async () => {
    const first = await answer(acme, 2, 0, 'Exports keep failing');
    expect(await openCasesForSignals(d.db, r, [first, await answer(globex, 9, 0)], NOW)).toMatchObject({
      opened: [expect.any(Number)],
      updated: [],
    });
    const id = (await d.db.recoveryCase.findFirstOrThrow()).id;
    expect((await caseWithEvents(d.db, id))?.case.summary).toBe(
      'NPS 2 from cto@example.com: "Exports keep failing"',
    );

    expect(await openCasesForSignals(d.db, r, [first], at(1))).toEqual({
      opened: [],
      updated: [],
      unchanged: 1,
    });
    const second = await answer(acme, 5, 2);
    expect(await openCasesForSignals(d.db, r, [second], at(2))).toEqual({
      opened: [],
      updated: [id],
      unchanged: 0,
    });

    // The sweep after scoring the day finds both answers already recorded.
    expect(await openCasesAfterScoring(d, r, DAY0, at(20))).toEqual({
      opened: [],
      updated: [],
      unchanged: 2,
    });
    expect((await caseWithEvents(d.db, id))?.case.timesFired).toBe(2);
  });

  it('opens drop cases after scoring from the drops alone, in either format of breakdown', async () => {
    // Only the drops are read: no model recorded, breakdowns that hold nothing else.
    const snapshot = (accountId: number, breakdown: object) =>
      d.db.healthSnapshot.create({
        data: {
          accountId,
          day: DAY0,
          modelVersion: 'never-recorded',
          healthIndex: 48,
          riskTier: 'medium',
          coverage: 1,
          referralScore: 0,
          referralReady: false,
          breakdown,
          explanation: '',
          measureValues: [],
          computedAt: NOW,
        },
      });
    const drop = (detail: string) => [{ rule: 'usage', label: 'Usage drop', detail }];
    await snapshot(acme, { f: 2, dr: drop('active users -35% over 14 days') });
    await snapshot(globex, { drops: drop('logins -50% over 7 days'), components: [] });
    const dropOnly = rules({ rules: { drop: r.rules.drop } });
    expect((await openCasesAfterScoring(d, dropOnly, DAY0, NOW)).opened).toHaveLength(2);
    const cases = await d.db.recoveryCase.findMany({ orderBy: { accountId: 'asc' } });
    expect(cases.map((c) => [c.accountId, c.reason, c.summary])).toEqual([
      [acme, 'drop', 'Usage drop: active users -35% over 14 days'],
      [globex, 'drop', 'Usage drop: logins -50% over 7 days'],
    ]);
  });

  it('catches after scoring the detractors and the waiting urgent tickets ingestion did not report', async () => {
    await answer(globex, 4, 1);
    // Opened yesterday at 09:00; resolved ones and younger or lower ones do not count.
    const ticket = (
      externalId: string,
      priority: string,
      openedHours: number,
      status = 'open',
      resolvedAt: Date | null = null,
    ) =>
      d.db.ticket.create({
        data: {
          externalId,
          accountId: acme,
          priority,
          status,
          subject: 'SSO down',
          openedAt: at(openedHours),
          resolvedAt,
        },
      });
    await ticket('t-old', 'P1', -24);
    // Left open for weeks before Canary saw it (a first sweep, or one after downtime).
    await ticket('t-ancient', 'P1', -24 * 20);
    await ticket('t-young', 'P1', -1);
    await ticket('t-p3', 'P3', -48);
    await ticket('t-done', 'P1', -48, 'closed', at(-2));
    await ticket('t-later', 'P1', -40, 'closed', new Date(DAY0.getTime() + 30 * HOUR));

    const result = await openCasesAfterScoring(d, r, DAY0, NOW);
    expect(result.opened).toHaveLength(2);
    const cases = await d.db.recoveryCase.findMany({
      orderBy: { id: 'asc' },
      include: { events: { orderBy: { id: 'asc' } } },
    });
    expect(cases.map((c) => [c.accountId, c.reason])).toEqual([
      [globex, 'detractor'],
      [acme, 'ticket'],
    ]);
    // Three tickets waiting: one case, the others added to it.
    expect(cases[1]!.events.map((e) => e.idempotencyKey).sort()).toEqual(
      (await d.db.ticket.findMany({ where: { externalId: { in: ['t-old', 't-ancient', 't-later'] } } }))
        .map((t) => `ticket:ticket-${t.id}`)
        .sort(),
    );
    expect(result.updated).toEqual([cases[1]!.id, cases[1]!.id]);
    // Tickets that fired are not read again: only the day's detractor is looked at twice.
    expect(await openCasesAfterScoring(d, r, DAY0, at(1))).toEqual({ opened: [], updated: [], unchanged: 1 });
  });
});
