// POST /api/v1/signals and /api/v1/accounts on both databases: a batch lands with its
// counts and its rows, the same batch again changes nothing, and a batch with any
// invalid item is refused whole, each problem named by item index and field.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/http.ts';

const accounts = [
  { external_id: 'acme', name: 'Acme Corp', arr: 120_000, plan: 'enterprise' },
  { id: 'globex', company_name: 'Globex', seats: 40 },
];

const signals = [
  { type: 'usage', account_id: 'acme', date: '2026-03-01', active_users: 12, logins: 30 },
  {
    type: 'event',
    account_id: 'acme',
    event_id: 'e1',
    event: 'Report Exported',
    occurred_at: '2026-03-01T10:00:00Z',
    properties: { format: 'pdf' },
  },
  {
    type: 'ticket',
    account: 'acme',
    ticket_id: 'T-1',
    status: 'open',
    priority: 'urgent',
    opened_at: '2026-03-02',
  },
  { type: 'survey', account_id: 'globex', nps: 9, responded_at: '2026-03-03', respondent: 'ana@globex.com' },
  {
    type: 'note',
    account_id: 'globex',
    sentiment: 'red',
    note: 'Champion left',
    noted_at: '2026-03-04',
    author: 'csm@example.com',
  },
  { type: 'outcome', account_id: 'acme', outcome: 'renewal', date: '2026-03-05', arr_change: 10_000 },
];

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startServer(provider);
  });
  afterEach(() => t.close());

  const signalRows = async () => {
    const { db } = t.database;
    return {
      usage: await db.usageMetric.count(),
      events: await db.usageEvent.count(),
      tickets: await db.ticket.count(),
      surveys: await db.surveyResponse.count(),
      notes: await db.sentimentNote.count(),
      outcomes: await db.accountOutcome.count(),
    };
  };
  const noSignals = { usage: 0, events: 0, tickets: 0, surveys: 0, notes: 0, outcomes: 0 };

  describe('POST /api/v1/accounts', () => {
    it('creates accounts, then updates only what changed', async () => {
      const first = await t.post('/api/v1/accounts', { accounts });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        ok: true,
        received: 2,
        inserted: 2,
        updated: 0,
        unchanged: 0,
        types: { account: { records: 2, inserted: 2, updated: 0, unchanged: 0, ignoredFields: [] } },
      });
      expect(
        await t.database.db.account.findUniqueOrThrow({ where: { externalId: 'globex' } }),
      ).toMatchObject({ name: 'Globex', seatsPurchased: 40 });

      const second = await t.post('/api/v1/accounts', {
        accounts: [accounts[0], { id: 'globex', seats: 45, colour: 'blue' }],
      });
      expect(second.body).toMatchObject({
        received: 2,
        inserted: 0,
        updated: 1,
        unchanged: 1,
        types: { account: { ignoredFields: ['colour'] } },
      });
      expect(
        await t.database.db.account.findUniqueOrThrow({ where: { externalId: 'globex' } }),
      ).toMatchObject({ name: 'Globex', seatsPurchased: 45 });
    });

    it('refuses a new account without a name, and writes none of the batch', async () => {
      const answer = await t.post('/api/v1/accounts', {
        accounts: [accounts[0], { id: 'initech' }, 'initech'],
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: 'invalid_items',
        message: '2 of 3 accounts are invalid; nothing was written',
        errorCount: 2,
        errors: [
          { index: 1, type: 'account', field: 'name', reason: 'a new account needs name' },
          { index: 2, type: null, field: null, reason: 'expected a JSON object' },
        ],
      });
      expect(await t.database.db.account.count()).toBe(0);
    });
  });

  describe('POST /api/v1/signals', () => {
    beforeEach(async () => {
      expect((await t.post('/api/v1/accounts', { accounts })).status).toBe(200);
    });

    it('writes signals of every type in one request and counts them per type', async () => {
      const answer = await t.post('/api/v1/signals', { signals });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: true, received: 6, inserted: 7, updated: 0, unchanged: 0 });
      expect(answer.body.types).toEqual({
        usage: { records: 2, inserted: 2, updated: 0, unchanged: 0, ignoredFields: [] },
        event: { records: 1, inserted: 1, updated: 0, unchanged: 0, ignoredFields: [] },
        ticket: { records: 1, inserted: 1, updated: 0, unchanged: 0, ignoredFields: [] },
        survey: { records: 1, inserted: 1, updated: 0, unchanged: 0, ignoredFields: [] },
        note: { records: 1, inserted: 1, updated: 0, unchanged: 0, ignoredFields: [] },
        outcome: { records: 1, inserted: 1, updated: 0, unchanged: 0, ignoredFields: [] },
      });

      const { db } = t.database;
      expect(await signalRows()).toEqual({
        usage: 2,
        events: 1,
        tickets: 1,
        surveys: 1,
        notes: 1,
        outcomes: 1,
      });
      const acme = await db.account.findUniqueOrThrow({ where: { externalId: 'acme' } });
      expect(
        await db.usageMetric.findMany({
          where: { accountId: acme.id },
          orderBy: { metric: 'asc' },
          select: { metric: true, value: true, day: true },
        }),
      ).toEqual([
        { metric: 'active_users', value: 12, day: new Date('2026-03-01T00:00:00Z') },
        { metric: 'logins', value: 30, day: new Date('2026-03-01T00:00:00Z') },
      ]);
      expect(await db.usageEvent.findUniqueOrThrow({ where: { externalId: 'e1' } })).toMatchObject({
        accountId: acme.id,
        event: 'Report Exported',
        properties: { format: 'pdf' },
      });
      expect(await db.ticket.findUniqueOrThrow({ where: { externalId: 'T-1' } })).toMatchObject({
        priority: 'P1',
        status: 'open',
      });
      expect(await db.surveyResponse.findFirstOrThrow()).toMatchObject({ kind: 'nps', score: 9 });
      expect(await db.sentimentNote.findFirstOrThrow()).toMatchObject({ sentiment: 'negative' });
      expect(await db.accountOutcome.findFirstOrThrow()).toMatchObject({
        kind: 'renewed',
        arrChange: 10_000,
      });
    });

    it('changes nothing when the same request comes again', async () => {
      await t.post('/api/v1/signals', { signals });
      const again = await t.post('/api/v1/signals', { signals });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ received: 6, inserted: 0, updated: 0, unchanged: 7 });
      expect(await signalRows()).toEqual({
        usage: 2,
        events: 1,
        tickets: 1,
        surveys: 1,
        notes: 1,
        outcomes: 1,
      });
    });

    it('refuses a request with invalid items, names every problem, and writes nothing', async () => {
      const answer = await t.post('/api/v1/signals', {
        signals: [
          signals[0],
          {
            type: 'ticket',
            account_id: 'acme',
            ticket_id: 'T-2',
            status: 'open',
            priority: 'P2',
            opened_at: 'yesterday',
          },
          { type: 'survey', account_id: 'acme', score: 11, responded_at: '2026-03-03' },
          { type: 'event', account_id: 'initech', event: 'Login', occurred_at: '2026-03-01T09:00:00Z' },
          { type: 'meeting', account_id: 'acme' },
          signals[1],
          { ...signals[1], event: 'Report Exported Again' },
          42,
        ],
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: 'invalid_items',
        message: '6 of 8 signals are invalid; nothing was written',
        errorCount: 6,
        errors: [
          {
            index: 1,
            type: 'ticket',
            field: 'opened_at',
            reason: 'expected a date like 2026-03-31 or 2026-03-31T14:05:00Z, got "yesterday"',
          },
          { index: 2, type: 'survey', field: 'score', reason: 'must be between 0 and 10' },
          {
            index: 3,
            type: 'event',
            field: 'account_id',
            reason: expect.stringContaining('unknown account "initech"'),
          },
          {
            index: 4,
            type: 'meeting',
            field: 'type',
            reason: 'expected one of usage, event, ticket, survey, note, outcome, got "meeting"',
          },
          { index: 6, type: 'event', field: null, reason: 'duplicate of index 5 (same external_id "e1")' },
          { index: 7, type: null, field: null, reason: 'expected a JSON object' },
        ],
      });
      expect(await signalRows()).toEqual(noSignals);
    });

    it('lists at most 100 problems but counts them all', async () => {
      const bad = Array.from({ length: 150 }, (_, i) => ({
        type: 'survey',
        account_id: 'acme',
        response_id: `r${i}`,
        score: 11,
        responded_at: '2026-03-03',
      }));
      const answer = await t.post('/api/v1/signals', { signals: bad });
      expect(answer.status).toBe(400);
      expect(answer.body.errorCount).toBe(150);
      expect(answer.body.errors).toHaveLength(100);
      expect(answer.body.errors[99].index).toBe(99);
    });

    it('takes concurrent requests without losing any', async () => {
      const batches = Array.from({ length: 6 }, (_, b) => ({
        signals: Array.from({ length: 50 }, (_, i) => ({
          type: 'event',
          account_id: b % 2 ? 'acme' : 'globex',
          event_id: `b${b}-${i}`,
          event: 'Login',
          occurred_at: '2026-03-01T09:00:00Z',
        })),
      }));
      const answers = await Promise.all(batches.map((body) => t.post('/api/v1/signals', body)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await t.database.db.usageEvent.count()).toBe(300);
    });
  });
});
