// POST /api/v1/segment on both databases: group calls make accounts and link users,
// identify links contacts, track/page/screen calls become usage events of the right
// account, a batch sent again changes nothing, and a batch with a malformed call is
// refused whole with the call and field named.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { startServer, TEST_NOW, type TestServer } from '../support/http.ts';

const at = '2026-03-01T10:00:00.000Z';

const batch = {
  type: 'batch',
  batch: [
    {
      type: 'group',
      messageId: 'm1',
      userId: 'u1',
      groupId: 'acme',
      timestamp: at,
      traits: {
        name: 'Acme Corp',
        industry: 'Software',
        plan: 'pro',
        website: 'https://www.acme.com/about',
        arr: 50_000,
        seats: 25,
        employees: 300,
      },
    },
    {
      type: 'identify',
      messageId: 'm2',
      userId: 'u2',
      timestamp: at,
      traits: { email: 'bo@globex.com', firstName: 'Bo', lastName: 'Li', company: { id: 'globex' } },
    },
    {
      type: 'track',
      messageId: 'm3',
      userId: 'u9',
      event: 'Report Exported',
      timestamp: at,
      context: { groupId: 'acme' },
      properties: { format: 'pdf' },
    },
    { type: 'track', messageId: 'm4', userId: 'u1', event: 'Dashboard Shared', timestamp: at },
    {
      type: 'page',
      messageId: 'm5',
      userId: 'u2',
      name: 'Pricing',
      timestamp: at,
      properties: { path: '/pricing' },
    },
    {
      type: 'screen',
      messageId: 'm6',
      anonymousId: 'anon-7',
      name: 'Home',
      originalTimestamp: at,
      properties: { groupId: 'acme' },
    },
    { type: 'track', messageId: 'm7', anonymousId: 'anon-8', event: 'Signed Up', timestamp: at },
    { type: 'alias', messageId: 'm8', userId: 'u1', previousId: 'anon-1' },
  ],
};

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startServer(provider);
  });
  afterEach(() => t.close());

  const segment = (body: unknown) => t.post('/api/v1/segment', body);
  const events = () =>
    t.database.db.usageEvent.findMany({
      orderBy: { externalId: 'asc' },
      include: { account: { select: { externalId: true } } },
    });
  const rowCounts = async () => ({
    accounts: await t.database.db.account.count(),
    events: await t.database.db.usageEvent.count(),
    contacts: await t.database.db.contact.count(),
  });

  it('writes a batch: accounts from group calls, contacts, and events attributed to their accounts', async () => {
    const answer = await segment(batch);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      received: 8,
      inserted: 2 + 4 + 2,
      updated: 0,
      unchanged: 0,
      types: {
        account: { records: 2, inserted: 2, updated: 0, unchanged: 0 },
        event: { records: 4, inserted: 4, updated: 0, unchanged: 0 },
        contact: { records: 2, inserted: 2, updated: 0, unchanged: 0 },
      },
      ignored: 1,
      unattributed: 1,
      duplicates: 0,
    });

    const { db } = t.database;
    expect(await db.account.findUniqueOrThrow({ where: { externalId: 'acme' } })).toMatchObject({
      name: 'Acme Corp',
      industry: 'Software',
      plan: 'pro',
      domain: 'acme.com',
      arr: 50_000,
      seatsPurchased: 25,
    });
    // Named by identify's company id only: a stub named by its id.
    expect(await db.account.findUniqueOrThrow({ where: { externalId: 'globex' } })).toMatchObject({
      name: 'globex',
    });

    expect(
      (await events()).map((e) => ({
        id: e.externalId,
        account: e.account.externalId,
        event: e.event,
        userId: e.userId,
        at: e.occurredAt.toISOString(),
        properties: e.properties,
      })),
    ).toEqual([
      {
        id: 'm3',
        account: 'acme',
        event: 'Report Exported',
        userId: 'u9',
        at,
        properties: { format: 'pdf' },
      },
      // No group id: attributed through u1's group call earlier in the batch.
      { id: 'm4', account: 'acme', event: 'Dashboard Shared', userId: 'u1', at, properties: null },
      // Through u2's identify call and its company id.
      {
        id: 'm5',
        account: 'globex',
        event: 'Page Viewed: Pricing',
        userId: 'u2',
        at,
        properties: { path: '/pricing' },
      },
      {
        id: 'm6',
        account: 'acme',
        event: 'Screen Viewed: Home',
        userId: 'anon-7',
        at,
        properties: { groupId: 'acme' },
      },
    ]);

    const contacts = await db.contact.findMany({
      orderBy: { externalId: 'asc' },
      include: { account: { select: { externalId: true } } },
    });
    expect(
      contacts.map((c) => ({
        id: c.externalId,
        account: c.account?.externalId,
        email: c.email,
        name: c.name,
        traits: c.traits,
      })),
    ).toEqual([
      { id: 'u1', account: 'acme', email: null, name: null, traits: null },
      { id: 'u2', account: 'globex', email: 'bo@globex.com', name: 'Bo Li', traits: batch.batch[1]!.traits },
    ]);
  });

  it('changes nothing when the same batch comes again', async () => {
    await segment(batch);
    const before = await rowCounts();
    const again = await segment(batch);
    expect(again.status).toBe(200);
    // globex exists now, so identify's company id no longer stages a stub for it.
    expect(again.body).toMatchObject({ received: 8, inserted: 0, updated: 0, unchanged: 1 + 4 + 2 });
    expect(again.body.types).toEqual({
      account: { records: 1, inserted: 0, updated: 0, unchanged: 1 },
      event: { records: 4, inserted: 0, updated: 0, unchanged: 4 },
      contact: { records: 2, inserted: 0, updated: 0, unchanged: 2 },
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('attributes a later track call through the contact a group call made', async () => {
    await segment({
      type: 'group',
      messageId: 'g',
      userId: 'u5',
      groupId: 'initech',
      traits: { name: 'Initech' },
    });
    const answer = await segment({
      type: 'track',
      messageId: 't',
      userId: 'u5',
      event: 'Login',
      timestamp: at,
    });
    expect(answer.body).toMatchObject({ types: { event: { inserted: 1 } }, unattributed: 0 });
    expect((await events())[0]!.account.externalId).toBe('initech');
  });

  it('links a contact with identify, keeping traits it already had', async () => {
    await segment({ type: 'group', groupId: 'acme', traits: { name: 'Acme Corp' } });
    await segment({ type: 'identify', userId: 'u3', traits: { email: 'cy@acme.com', role: 'admin' } });
    const answer = await segment({
      type: 'identify',
      userId: 'u3',
      context: { groupId: 'acme' },
      traits: { name: 'Cy' },
    });
    expect(answer.body.types.contact).toEqual({ records: 1, inserted: 0, updated: 1, unchanged: 0 });
    const contact = await t.database.db.contact.findUniqueOrThrow({
      where: { externalId: 'u3' },
      include: { account: true },
    });
    expect(contact).toMatchObject({
      email: 'cy@acme.com',
      name: 'Cy',
      traits: { email: 'cy@acme.com', role: 'admin', name: 'Cy' },
      account: { externalId: 'acme' },
    });
  });

  it('never renames an existing account to its group id, and updates it from traits', async () => {
    await segment({ type: 'group', groupId: 'acme', traits: { name: 'Acme Corp', plan: 'pro' } });
    const bare = await segment({ type: 'group', groupId: 'acme', userId: 'u1' });
    expect(bare.body.types.account).toEqual({ records: 1, inserted: 0, updated: 0, unchanged: 1 });
    const traits = await segment({
      type: 'group',
      groupId: 'acme',
      traits: { plan: 'enterprise', name: '', industry: null },
    });
    expect(traits.body.types.account).toEqual({ records: 1, inserted: 0, updated: 1, unchanged: 0 });
    expect(await t.database.db.account.findUniqueOrThrow({ where: { externalId: 'acme' } })).toMatchObject({
      name: 'Acme Corp',
      plan: 'enterprise',
    });
  });

  it('creates a stub account for a track call of an unknown group, named by its id', async () => {
    const answer = await segment({
      type: 'track',
      messageId: 't1',
      userId: 'u1',
      event: 'Login',
      context: { groupId: 'hooli' },
    });
    expect(answer.body.types.account).toEqual({ records: 1, inserted: 1, updated: 0, unchanged: 0 });
    expect(await t.database.db.account.findUniqueOrThrow({ where: { externalId: 'hooli' } })).toMatchObject({
      name: 'hooli',
    });
    // No timestamp at all: the time the call arrived.
    expect((await events())[0]!.occurredAt.getTime() - TEST_NOW.getTime()).toBeLessThan(1000);
  });

  it('counts an unattributable track call and writes nothing for it', async () => {
    const answer = await segment({
      type: 'track',
      messageId: 't1',
      anonymousId: 'a1',
      event: 'Login',
      timestamp: at,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ received: 1, inserted: 0, unattributed: 1 });
    expect(await rowCounts()).toEqual({ accounts: 0, events: 0, contacts: 0 });
  });

  it('counts a messageId sent twice in one batch once', async () => {
    const call = {
      type: 'track',
      messageId: 't1',
      userId: 'u1',
      event: 'Login',
      timestamp: at,
      context: { groupId: 'acme' },
    };
    const answer = await segment({ type: 'batch', batch: [call, call] });
    expect(answer.body).toMatchObject({ received: 2, duplicates: 1, types: { event: { inserted: 1 } } });
  });

  it('takes concurrent batches that create the same new accounts', async () => {
    const send = (n: number) =>
      segment({
        type: 'batch',
        batch: Array.from({ length: 20 }, (_, i) => ({
          type: 'track',
          messageId: `${n}-${i}`,
          userId: `u${i}`,
          event: 'Login',
          timestamp: at,
          context: { groupId: `new-${i}` },
        })),
      });
    const answers = await Promise.all([1, 2, 3].map(send));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await rowCounts()).toEqual({ accounts: 20, events: 60, contacts: 0 });
  });

  it('refuses a batch with malformed calls, naming call and field, and writes nothing', async () => {
    const answer = await segment({
      type: 'batch',
      batch: [
        batch.batch[0],
        { type: 'track', messageId: 'x1', userId: 'u1', context: { groupId: 'acme' } },
        'not a call',
        { type: 'teleport', messageId: 'x2' },
        { type: 'page', userId: 'u1', name: 'Home' },
        { type: 'group', groupId: 'initech', traits: { arr: 'lots' } },
        { type: 'track', messageId: 'x3', userId: 'u1', event: 'Login', timestamp: 'last tuesday' },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: 'invalid_items',
      errorCount: 5,
      message: '5 of 7 calls are invalid; nothing was written',
    });
    expect(answer.body.errors).toEqual([
      { index: 1, type: 'track', field: 'event', reason: 'required' },
      { index: 2, type: null, field: null, reason: 'expected a JSON object' },
      {
        index: 3,
        type: null,
        field: 'type',
        reason: 'expected one of identify, group, track, page, screen, alias, got "teleport"',
      },
      { index: 4, type: 'page', field: 'messageId', reason: expect.stringContaining('required') },
      {
        index: 6,
        type: 'track',
        field: 'timestamp',
        reason: expect.stringContaining('expected an ISO 8601 timestamp'),
      },
    ]);
    expect(await rowCounts()).toEqual({ accounts: 0, events: 0, contacts: 0 });
  });

  it('refuses traits that do not fit an account field, pointing at the trait', async () => {
    const answer = await segment({
      type: 'batch',
      batch: [
        batch.batch[2],
        { type: 'group', groupId: 'initech', traits: { name: 'Initech', arr: 'lots' } },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { index: 1, type: 'group', field: 'traits.arr', reason: 'expected a number, got "lots"' },
    ]);
    expect(await rowCounts()).toEqual({ accounts: 0, events: 0, contacts: 0 });
  });

  it('refuses a __proto__ trait instead of dropping or obeying it', async () => {
    const body = '{"type": "identify", "userId": "u1", "traits": {"__proto__": {"isAdmin": true}}}';
    const answer = await t.request('/api/v1/segment', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.token}` },
      body,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('__proto__');
    expect(await rowCounts()).toEqual({ accounts: 0, events: 0, contacts: 0 });
  });

  it('takes a call with HTTP Basic auth, as Segment’s webhook destination sends it', async () => {
    const basic = Buffer.from(`${t.token}:`).toString('base64');
    const answer = await t.post('/api/v1/segment', batch.batch[0], { Authorization: `Basic ${basic}` });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      received: 1,
      types: { account: { inserted: 1 }, contact: { inserted: 1 } },
    });
  });
});
