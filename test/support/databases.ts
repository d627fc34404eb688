// Owns the databases storage tests run against: every storage test runs on both
// providers, each test on a brand-new database of its own (SQLite: a file in a
// temporary folder; PostgreSQL: a uniquely named schema in the test database), so
// tests and test files can run in parallel.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl, type Database, type DatabaseTarget } from '../../src/storage/db.ts';
import { openDatabase } from '../../src/storage/migrate.ts';
import type { Provider } from '../../src/storage/schema.ts';

export const TEST_PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A brand-new, migrated, empty database; close() disconnects and removes it. */
export async function freshDatabase(provider: Provider): Promise<Database & { url: string }> {
  const blank = blankDatabase(provider);
  const database = await openDatabase(blank.url).catch(async (error: unknown) => {
    await blank.remove();
    throw error;
  });
  return {
    ...database,
    url: blank.url,
    close: async () => {
      await database.close();
      await blank.remove();
    },
  };
}

/** A database that does not exist yet, not even migrated: for tests of migrating itself. */
export function blankDatabase(provider: Provider): {
  url: string;
  target: DatabaseTarget;
  remove(): Promise<void>;
} {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-test-'));
    const url = `file:${path.join(dir, 'canary.db')}`;
    return {
      url,
      target: parseDatabaseUrl(url),
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  const target = parseDatabaseUrl(url.toString());
  return {
    url: url.toString(),
    target,
    remove: async () => {
      const client = new pg.Client({ connectionString: target.connectionString });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
