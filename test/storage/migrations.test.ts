// Migrations on both providers: a new database gets the whole history, nothing is
// applied twice, each history stays in step with its schema, replicas starting together
// on PostgreSQL do not trip over each other, and the migrated tables work with Prisma.
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl, type Database } from '../../src/storage/db.ts';
import { diffMigrationsToSchema, migrate } from '../../src/storage/migrate.ts';
import { migrationsDir, type Provider } from '../../src/storage/schema.ts';
import { blankDatabase, freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

function migrationNames(provider: Provider): string[] {
  return readdirSync(migrationsDir(provider), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  it('applies the whole history to a new database, and nothing the second time', async () => {
    const blank = blankDatabase(provider);
    try {
      expect(await migrate(blank.target)).toEqual({ applied: migrationNames(provider) });
      expect(await migrate(blank.target)).toEqual({ applied: [] });
    } finally {
      await blank.remove();
    }
  });

  it('has a migration history in step with its schema (run `npm run db:migration -- NAME` if not)', async () => {
    const blank = blankDatabase(provider);
    try {
      expect(await diffMigrationsToSchema(blank.target)).toBe('');
    } finally {
      await blank.remove();
    }
  });

  describe('on a migrated database', () => {
    let d: Database & { url: string };
    beforeEach(async () => {
      d = await freshDatabase(provider);
    });
    afterEach(() => d.close());

    it('stores and reads back an account, its JSON attributes and its dates', async () => {
      const renewalDate = new Date('2027-03-31T00:00:00.000Z');
      const created = await d.db.account.create({
        data: {
          externalId: 'acme',
          name: 'Acme Corp',
          arr: 120_000.5,
          renewalDate,
          attributes: { region: 'EMEA', seats: 40, strategic: true },
        },
      });

      const read = await d.db.account.findUniqueOrThrow({ where: { externalId: 'acme' } });
      expect(read).toMatchObject({
        id: created.id,
        name: 'Acme Corp',
        arr: 120_000.5,
        domain: null,
        renewalDate,
        attributes: { region: 'EMEA', seats: 40, strategic: true },
      });
      expect(read.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(read.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('has nothing to apply', async () => {
      expect(await migrate(d.target)).toEqual({ applied: [] });
    });
  });
});

describe('postgresql', () => {
  it('lets replicas that start together migrate a new schema once', async () => {
    const blank = blankDatabase('postgresql');
    try {
      const results = await Promise.all([
        migrate(blank.target),
        migrate(blank.target),
        migrate(blank.target),
      ]);
      const applied = results.map((result) => result.applied).sort((a, b) => b.length - a.length);
      expect(applied).toEqual([migrationNames('postgresql'), [], []]);
    } finally {
      await blank.remove();
    }
  });

  it('says which server it cannot reach, without the password', async () => {
    const unreachable = parseDatabaseUrl('postgresql://canary:s3cret@127.0.0.1:9/canary');
    const error = await migrate(unreachable).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Cannot connect to PostgreSQL at 127\.0\.0\.1:9/);
    expect((error as Error).message).not.toMatch(/s3cret/);
  });
});
