// Finding accounts from what a person types, on both providers, on a small book whose
// names exercise each rule: external id (any case, exact case first), domain (as a URL
// too), name forgiving case, punctuation, word order and partial words, the exact name
// beating longer ones, suggestions for typos, wildcards and hostile input treated as
// text, churned accounts found and marked; and a viewer's own accounts, most at risk
// first.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accountsOwnedBy,
  type AccountSearch,
  findAccount,
  MAX_MATCHES,
  MAX_QUERY_LENGTH,
} from '../../src/storage/account-search.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

const day = new Date('2026-11-20T00:00:00Z');
const dayBefore = new Date('2026-11-19T00:00:00Z');

// prettier-ignore
const BOOK = [
  { externalId: 'ACC-0001', name: 'Acme Corp', domain: 'acme.io' },
  { externalId: 'ACC-0002', name: 'Acme Logistics', domain: 'acmelogistics.com' },
  { externalId: 'ACC-0003', name: 'Macme Industries', domain: 'macme.com' },
  { externalId: 'ACC-0004', name: 'Globex Corporation', domain: 'globex.com' },
  { externalId: 'ACC-0005', name: 'Initech', domain: 'initech.com' },
  { externalId: 'cus_AbC9', name: 'Northwind Traders', domain: 'northwind.example' },
  { externalId: 'ACC-0007', name: 'Smith, Jones & Co.', domain: null },
  { externalId: 'ACC-0008', name: '100% Organic Ltd', domain: null },
  { externalId: 'ACC-0009', name: 'Under_Score Inc', domain: null },
];

/** What a search answered, by name: easy to read in an expectation. */
function names(found: AccountSearch) {
  switch (found.kind) {
    case 'one':
      return { one: found.account.name };
    case 'several':
      return { several: found.accounts.map((a) => a.name), total: found.total };
    case 'none':
      return { none: found.suggestions.map((a) => a.name) };
    case 'invalid':
      return { invalid: found.reason };
  }
}

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  const find = async (text: string) => names(await findAccount(d.db, text));
  const add = (externalId: string, name: string, extra: Record<string, unknown> = {}) =>
    d.db.account.create({ data: { externalId, name, ...extra } });

  beforeEach(async () => {
    d = await freshDatabase(provider);
    for (const a of BOOK) await add(a.externalId, a.name, { domain: a.domain });
  });
  afterEach(() => d.close());

  describe('by external id', () => {
    it('finds the account whose id is the text, in any case', async () => {
      expect(await find('ACC-0004')).toEqual({ one: 'Globex Corporation' });
      expect(await find('acc-0004')).toEqual({ one: 'Globex Corporation' });
      expect(await find('  Acc-0004 ')).toEqual({ one: 'Globex Corporation' });
      expect(await find('CUS_abc9')).toEqual({ one: 'Northwind Traders' });
    });

    it('prefers the id in the exact case typed, and lists ids that differ only in case', async () => {
      await add('ab-1', 'Lower Case Id');
      await add('AB-1', 'Upper Case Id');
      expect(await find('AB-1')).toEqual({ one: 'Upper Case Id' });
      expect(await find('Ab-1')).toEqual({ several: ['Lower Case Id', 'Upper Case Id'], total: 2 });
    });

    it('beats a name that holds the same word', async () => {
      await add('globex', 'Umbrella Group');
      expect(await find('Globex')).toEqual({ one: 'Umbrella Group' });
    });
  });

  describe('by domain', () => {
    it('finds the account by its domain, typed bare, as a URL, with www or a path', async () => {
      for (const text of [
        'acme.io',
        'ACME.IO',
        'www.acme.io',
        'https://www.acme.io/x',
        'http://acme.io:8080/a?b#c',
      ])
        expect(await find(text), text).toEqual({ one: 'Acme Corp' });
      expect(await find('acmelogistics.com')).toEqual({ one: 'Acme Logistics' });
    });

    it('lists every account of a shared domain', async () => {
      await add('ACC-0010', 'Acme Europe', { domain: 'acme.io' });
      expect(await find('acme.io')).toEqual({ several: ['Acme Corp', 'Acme Europe'], total: 2 });
    });
  });

  describe('by name', () => {
    it('matches case, punctuation and word order as the same name', async () => {
      for (const text of ['acme corp', 'ACME corp.', 'acme-corp', 'Acme, Corp', 'corp acme', 'acmecorp'])
        expect(await find(text), text).toEqual({ one: 'Acme Corp' });
      expect(await find('smith jones')).toEqual({ one: 'Smith, Jones & Co.' });
      expect(await find('Smith Jones and')).toEqual({ none: ['Smith, Jones & Co.'] });
      expect(await find('SMITH JONES & CO')).toEqual({ one: 'Smith, Jones & Co.' });
    });

    it('matches partial words: the start of a word, or three letters or more inside one', async () => {
      expect(await find('glob')).toEqual({ one: 'Globex Corporation' });
      expect(await find('corporation')).toEqual({ one: 'Globex Corporation' });
      expect(await find('glo corp')).toEqual({ one: 'Globex Corporation' });
      expect(await find('wind')).toEqual({ one: 'Northwind Traders' });
      expect(await find('ni')).toEqual({ none: ['Initech'] });
    });

    it('lists several matches best first: whole words, then word starts, then inside words', async () => {
      expect(await find('acme')).toEqual({
        several: ['Acme Corp', 'Acme Logistics', 'Macme Industries'],
        total: 3,
      });
      expect(await find('acm')).toEqual({
        several: ['Acme Corp', 'Acme Logistics', 'Macme Industries'],
        total: 3,
      });
    });

    it('gives the one account whose name is the query, ahead of names that contain it', async () => {
      await add('ACC-0011', 'Acme');
      expect(await find('acme')).toEqual({ one: 'Acme' });
      expect(await find('ACME!')).toEqual({ one: 'Acme' });
      expect(await find('acme logistics')).toEqual({ one: 'Acme Logistics' });
    });

    it('lists two accounts of the same name rather than picking one', async () => {
      await add('ACC-0012', 'Initech');
      expect(await find('initech')).toEqual({ several: ['Initech', 'Initech'], total: 2 });
    });

    it(`lists at most ${MAX_MATCHES} matches, and counts them all`, async () => {
      for (let i = 1; i <= 30; i++) await add(`W-${i}`, `Widget ${String(i).padStart(2, '0')}`);
      const found = await findAccount(d.db, 'widget');
      expect(found.kind).toBe('several');
      if (found.kind !== 'several') return;
      expect(found.total).toBe(30);
      expect(found.accounts.map((a) => a.name)).toEqual(
        Array.from({ length: MAX_MATCHES }, (_, i) => `Widget ${String(i + 1).padStart(2, '0')}`),
      );
    });
  });

  describe('nothing matches', () => {
    it('suggests the nearest names for a typo', async () => {
      expect(await find('acmee')).toEqual({ none: ['Acme Corp', 'Acme Logistics'] });
      expect(await find('acem corp')).toEqual({ none: ['Acme Corp'] });
      expect(await find('globx')).toEqual({ none: ['Globex Corporation'] });
      expect(await find('nortwind traders')).toEqual({ none: ['Northwind Traders'] });
    });

    it('suggests nothing when no name is near', async () => {
      expect(await find('zzyzx')).toEqual({ none: [] });
    });
  });

  describe('text that is not a search', () => {
    it('treats LIKE wildcards as plain characters', async () => {
      expect(await find('%')).toEqual({ none: [] });
      expect(await find('_')).toEqual({ none: [] });
      expect(await find('%%acme%')).toEqual({
        several: ['Acme Corp', 'Acme Logistics', 'Macme Industries'],
        total: 3,
      });
      expect(await find('a_me')).toEqual({ none: [] });
      expect(await find('100%')).toEqual({ one: '100% Organic Ltd' });
      expect(await find('under_score')).toEqual({ one: 'Under_Score Inc' });
    });

    it('refuses empty and overlong text, and searches hostile text as text', async () => {
      expect(await find('   ')).toEqual({ invalid: 'empty' });
      expect(await find('a'.repeat(MAX_QUERY_LENGTH + 1))).toEqual({ invalid: 'too long' });
      expect(await find('a'.repeat(MAX_QUERY_LENGTH))).toEqual({ none: [] });
      expect(await find(`x'); DROP TABLE accounts; --`)).toEqual({ none: [] });
      expect(await find('<!channel> *acme*')).toEqual({ none: [] });
      expect(await find('acme\u0000corp\n')).toEqual({ one: 'Acme Corp' });
      expect(await find('\u0000\u0007')).toEqual({ invalid: 'empty' });
      expect(await find('acme '.repeat(40))).toEqual({
        several: ['Acme Corp', 'Acme Logistics', 'Macme Industries'],
        total: 3,
      });
      expect(await d.db.account.count()).toBe(BOOK.length);
    });
  });

  it('finds churned accounts, marked with the day they churned', async () => {
    const initech = await d.db.account.findUniqueOrThrow({ where: { externalId: 'ACC-0005' } });
    await d.db.accountOutcome.create({
      data: { accountId: initech.id, kind: 'churned', occurredOn: new Date('2026-06-30T00:00:00Z') },
    });
    await d.db.accountOutcome.create({
      data: { accountId: initech.id, kind: 'contracted', occurredOn: new Date('2026-08-01T00:00:00Z') },
    });
    const found = await findAccount(d.db, 'initech');
    expect(found.kind).toBe('one');
    if (found.kind !== 'one') return;
    expect(found.account.externalId).toBe('ACC-0005');
    expect(found.account.churnedOn).toEqual(new Date('2026-06-30T00:00:00Z'));
    const acme = await findAccount(d.db, 'acme corp');
    expect(acme.kind === 'one' && acme.account.churnedOn).toBe(null);
  });

  describe("a viewer's own accounts", () => {
    const owned = async (
      viewer: Parameters<typeof accountsOwnedBy>[1],
      options?: Parameters<typeof accountsOwnedBy>[2],
    ) => {
      const { total, accounts } = await accountsOwnedBy(d.db, viewer, options);
      return { total, accounts: accounts.map((a) => `${a.externalId} ${a.riskTier ?? '-'} ${a.arr ?? '-'}`) };
    };

    beforeEach(async () => {
      // prettier-ignore
      const mine = [
        { externalId: 'O-1', ownerSlackId: 'U0DANA', ownerEmail: null, arr: 50_000, risk: 'low' },
        { externalId: 'O-2', ownerSlackId: null, ownerEmail: 'Dana@Example.com', arr: 20_000, risk: 'critical' },
        { externalId: 'O-3', ownerSlackId: 'U0DANA', ownerEmail: 'dana@example.com', arr: 400_000, risk: 'critical' },
        { externalId: 'O-4', ownerSlackId: 'U0DANA', ownerEmail: null, arr: 90_000, risk: 'high' },
        { externalId: 'O-5', ownerSlackId: 'U0DANA', ownerEmail: null, arr: 900_000, risk: null },
        { externalId: 'O-6', ownerSlackId: 'U0TOM', ownerEmail: 'tom@example.com', arr: 999_000, risk: 'critical' },
      ] as const;
      for (const a of mine) {
        const account = await add(a.externalId, `Owned ${a.externalId}`, {
          ownerSlackId: a.ownerSlackId,
          ownerEmail: a.ownerEmail,
          arr: a.arr,
        });
        if (!a.risk) continue; // O-5 is not scored yet
        for (const [when, risk] of [
          [dayBefore, 'low'],
          [day, a.risk],
        ] as const)
          await d.db.healthSnapshot.create({
            data: {
              accountId: account.id,
              day: when,
              modelVersion: 'test',
              healthIndex: 50,
              grade: 'C',
              colour: 'yellow',
              riskTier: risk,
              valueTier: 2,
              coverage: 1,
              referralScore: 0,
              referralReady: false,
              arr: a.arr,
              breakdown: {},
              explanation: `${a.externalId} explained`,
              measureValues: {},
              computedAt: when,
            },
          });
      }
    });

    it('sorts them most at risk first, then by ARR, unscored last, with the latest day', async () => {
      const result = await accountsOwnedBy(d.db, { slackId: 'U0DANA', email: 'dana@example.com' });
      expect(result.day).toEqual(day);
      expect(result.total).toBe(5);
      expect(result.accounts.map((a) => `${a.externalId} ${a.riskTier ?? '-'} ${a.arr}`)).toEqual([
        'O-3 critical 400000',
        'O-2 critical 20000',
        'O-4 high 90000',
        'O-1 low 50000',
        'O-5 - 900000',
      ]);
      expect(result.accounts[0]).toMatchObject({
        name: 'Owned O-3',
        healthIndex: 50,
        grade: 'C',
        colour: 'yellow',
        valueTier: 2,
        explanation: 'O-3 explained',
        churnedOn: null,
      });
      expect(result.accounts[4]).toMatchObject({ healthIndex: null, explanation: null });
    });

    it('matches the owner by Slack id or by email in any case, each alone', async () => {
      expect(await owned({ email: 'DANA@example.COM' })).toEqual({
        total: 2,
        accounts: ['O-3 critical 400000', 'O-2 critical 20000'],
      });
      expect((await owned({ slackId: 'U0DANA' })).total).toBe(4);
      expect(await owned({ slackId: 'U0NOBODY', email: 'nobody@example.com' })).toEqual({
        total: 0,
        accounts: [],
      });
      expect(await owned({})).toEqual({ total: 0, accounts: [] });
    });

    it('lists at most the limit and counts them all', async () => {
      expect(await owned({ slackId: 'U0DANA', email: 'dana@example.com' }, { limit: 2 })).toEqual({
        total: 5,
        accounts: ['O-3 critical 400000', 'O-2 critical 20000'],
      });
    });

    it('marks churned accounts', async () => {
      const o1 = await d.db.account.findUniqueOrThrow({ where: { externalId: 'O-1' } });
      await d.db.accountOutcome.create({
        data: { accountId: o1.id, kind: 'churned', occurredOn: dayBefore },
      });
      const { accounts } = await accountsOwnedBy(d.db, { slackId: 'U0DANA' });
      expect(accounts.find((a) => a.externalId === 'O-1')?.churnedOn).toEqual(dayBefore);
    });
  });
});
