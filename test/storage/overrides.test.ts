// Manual overrides on both providers: one is set with its reason, author and expiry,
// a second of the same measure replaces the first, clearing stops it, bad input is
// refused with words that say what is wrong, and the runner sees exactly the
// overrides in force at the end of a day: expired and later ones are not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/health/model.ts';
import { openBulkSession } from '../../src/ingest/session.ts';
import type { Database } from '../../src/storage/db.ts';
import {
  clearOverride,
  listOverrides,
  OverrideError,
  overridesInForce,
  setOverride,
} from '../../src/storage/overrides.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

const model = loadModel();
const at = (iso: string) => new Date(iso);

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  let acme: number;
  let beta: number;

  beforeEach(async () => {
    d = await freshDatabase(provider);
    acme = (await d.db.account.create({ data: { externalId: 'ACC-1', name: 'Acme' } })).id;
    beta = (await d.db.account.create({ data: { externalId: 'ACC-2', name: 'Beta' } })).id;
  });
  afterEach(() => d.close());

  const set = (input: Partial<Parameters<typeof setOverride>[1]> = {}) =>
    setOverride(
      d.db,
      {
        accountId: acme,
        measure: 'nps_latest',
        value: 80,
        reason: 'NPS survey went to the wrong contact',
        author: 'dana@example.com',
        expiresAt: at('2026-12-01T00:00:00Z'),
        now: at('2026-11-20T09:00:00Z'),
        ...input,
      },
      model,
    );

  it('sets an override with its reason, author and expiry, and lists it with its account', async () => {
    const stored = await set();
    expect(stored).toMatchObject({
      accountId: acme,
      measure: 'nps_latest',
      value: 80,
      reason: 'NPS survey went to the wrong contact',
      author: 'dana@example.com',
      createdAt: at('2026-11-20T09:00:00Z'),
      expiresAt: at('2026-12-01T00:00:00Z'),
      clearedAt: null,
    });
    const listed = await listOverrides(d.db, { accountId: acme });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: stored.id, account: { externalId: 'ACC-1', name: 'Acme' } });
  });

  it('replaces the active override of the same measure, and keeps the replaced one as history', async () => {
    const first = await set();
    const whole = await set({ measure: null, value: 55, now: at('2026-11-20T10:00:00Z') });
    const second = await set({ value: 90, reason: 'corrected', now: at('2026-11-21T09:00:00Z') });

    const active = await listOverrides(d.db, { accountId: acme });
    expect(active.map((o) => o.id).sort()).toEqual([whole.id, second.id].sort());
    const all = await listOverrides(d.db, { accountId: acme, includeCleared: true });
    expect(all.map((o) => o.id)).toEqual([second.id, whole.id, first.id]);
    expect(all.find((o) => o.id === first.id)!.clearedAt).toEqual(at('2026-11-21T09:00:00Z'));
  });

  it('clears an override, and says when there was none to clear', async () => {
    await set();
    expect(
      await clearOverride(d.db, { accountId: acme, measure: 'nps_latest', now: at('2026-11-22T00:00:00Z') }),
    ).toBe(1);
    expect(await clearOverride(d.db, { accountId: acme, measure: 'nps_latest' })).toBe(0);
    expect(await clearOverride(d.db, { accountId: acme, measure: null })).toBe(0);
    expect(await listOverrides(d.db, { accountId: acme })).toEqual([]);
    expect(await listOverrides(d.db, { accountId: acme, includeCleared: true })).toHaveLength(1);
  });

  it('lists only the overrides in force at a time when asked', async () => {
    await set({ expiresAt: at('2026-11-25T00:00:00Z') });
    await set({ accountId: beta, measure: null, value: 40, expiresAt: null });
    const onThe24th = await listOverrides(d.db, { activeAt: at('2026-11-24T00:00:00Z') });
    expect(onThe24th.map((o) => o.account.externalId).sort()).toEqual(['ACC-1', 'ACC-2']);
    const onThe26th = await listOverrides(d.db, { activeAt: at('2026-11-26T00:00:00Z') });
    expect(onThe26th.map((o) => o.account.externalId)).toEqual(['ACC-2']);
    const beforeAny = await listOverrides(d.db, { activeAt: at('2026-11-19T00:00:00Z') });
    expect(beforeAny).toEqual([]);
  });

  it('refuses bad overrides with the reason', async () => {
    const refused = async (input: Partial<Parameters<typeof setOverride>[1]>, message: RegExp) => {
      const error = await set(input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OverrideError);
      expect((error as Error).message).toMatch(message);
    };
    await refused({ value: 101 }, /0-100/);
    await refused({ value: -1 }, /0-100/);
    await refused({ value: Number.NaN }, /0-100/);
    await refused({ measure: 'logins_per_day' }, /not a measure of the model's components.*nps_latest/);
    await refused({ measure: 'nps' }, /"nps" is not a measure/);
    await refused({ reason: '  ' }, /needs a reason/);
    await refused({ author: '' }, /needs an author/);
    await refused({ expiresAt: at('2026-11-20T08:00:00Z') }, /already past/);
    await refused({ accountId: 999_999 }, /no account with id 999999/);
    expect(await listOverrides(d.db, { includeCleared: true })).toEqual([]);
  });

  it('gives the runner the overrides in force at the end of a day, oldest first', async () => {
    const dayEnd = at('2026-11-24T23:59:59.999Z');
    // In force: set before the day ended, expiring after it.
    await set({ expiresAt: at('2026-11-25T12:00:00Z') });
    await set({ measure: null, value: 30, expiresAt: null, now: at('2026-11-21T00:00:00Z') });
    // Cleared after the day ended: still in force on that day.
    await set({ accountId: beta, measure: 'csat_latest', value: 70, expiresAt: null });
    await clearOverride(d.db, { accountId: beta, measure: 'csat_latest', now: at('2026-11-26T00:00:00Z') });
    // Expired during the day, cleared during it, and set after it: not in force.
    await set({ accountId: beta, measure: 'nps_latest', expiresAt: at('2026-11-24T12:00:00Z') });
    await set({ accountId: beta, measure: null, value: 10, expiresAt: null });
    await clearOverride(d.db, { accountId: beta, measure: null, now: at('2026-11-24T08:00:00Z') });
    await set({ accountId: beta, measure: 'seat_utilisation', now: at('2026-11-25T00:00:00Z') });

    const session = await openBulkSession(d.target);
    const inForce = await overridesInForce(session, [acme, beta], dayEnd).finally(() => session.close());
    expect(inForce.get(acme)).toEqual([
      {
        measure: 'nps_latest',
        value: 80,
        reason: 'NPS survey went to the wrong contact',
        author: 'dana@example.com',
        expiresAt: at('2026-11-25T12:00:00Z').getTime(),
      },
      expect.objectContaining({ measure: null, value: 30, expiresAt: null }),
    ]);
    expect(inForce.get(beta)).toEqual([expect.objectContaining({ measure: 'csat_latest', value: 70 })]);
  });
});
