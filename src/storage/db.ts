// Owns the connection to Canary's database: reads a DATABASE_URL, picks the provider
// (an embedded SQLite file by default, PostgreSQL for a postgresql:// URL) and opens a
// Prisma client over the matching driver adapter. Migrations: see migrate.ts.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.ts';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.ts';
import type { Provider } from './schema.ts';

export { Prisma } from '../generated/postgresql/client.ts';

/**
 * The Prisma client type Canary codes against. Both providers' clients are generated
 * from the same models (src/storage/schema.ts), so they share this shape; queries
 * stay within what both providers support, and every storage test runs on both.
 */
export type Db = InstanceType<typeof PostgresClient>;

export interface DatabaseTarget {
  provider: Provider;
  /** The URL as given, with any password removed: safe to print. */
  display: string;
  /** SQLite: the database file (or ':memory:'). */
  file?: string;
  /** PostgreSQL: connection string without the Prisma-style `schema` parameter. */
  connectionString?: string;
  /** PostgreSQL: the schema Canary's tables live in. */
  schema?: string;
}

export class DatabaseUrlError extends Error {}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file)
      throw new DatabaseUrlError('DATABASE_URL "file:" names no file; expected e.g. file:./data/canary.db');
    return { provider: 'sqlite', display: url, file };
  }
  if (url.startsWith('postgresql://') || url.startsWith('postgres://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseUrlError('DATABASE_URL is not a valid postgresql:// URL');
    }
    const schema = parsed.searchParams.get('schema') ?? 'public';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new DatabaseUrlError(`DATABASE_URL schema "${schema}" is not a plain identifier`);
    }
    parsed.searchParams.delete('schema');
    const display = new URL(parsed.toString());
    if (display.password) display.password = '***';
    return {
      provider: 'postgresql',
      display: display.toString(),
      connectionString: parsed.toString(),
      schema,
    };
  }
  throw new DatabaseUrlError(
    'DATABASE_URL must start with file: (embedded SQLite) or postgresql:// (PostgreSQL)',
  );
}

export interface Database {
  db: Db;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/** Opens a Prisma client for the target. Does not migrate; see openDatabase. */
export async function connect(target: DatabaseTarget): Promise<Database> {
  let db: Db;
  if (target.provider === 'sqlite') {
    const file = target.file!;
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // Timestamps as epoch milliseconds: compact, and the bulk writer (ingest/session.ts)
    // and date arithmetic in SQL can use them as plain integers.
    // How long a write waits for another connection's (an import in another process, say).
    // better-sqlite3 waits synchronously, holding up everything else the process does:
    // the bot must still acknowledge Slack within 3 seconds, so it waits 2 at most and
    // the write fails with "database is locked" instead.
    const adapter = new PrismaBetterSqlite3(
      { url: file, timeout: 2_000 },
      { timestampFormat: 'unixepoch-ms' },
    );
    db = new SqliteClient({ adapter }) as unknown as Db;
    // WAL lets readers (the bot) work while an import writes; foreign keys are off by
    // default in SQLite and our cascades depend on them.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
    // The bot reads whole days of snapshots (portfolio, digests, App Home): pages read
    // through a memory map cost no system call each, and a day of a large book stays
    // in a cache of 64 MB instead of SQLite's default 2 MB.
    await db.$queryRawUnsafe('PRAGMA mmap_size = 1073741824');
    await db.$queryRawUnsafe('PRAGMA cache_size = -65536');
  } else {
    const adapter = new PrismaPg(
      {
        connectionString: target.connectionString!,
        // Raw SQL resolves unqualified table names through search_path.
        options: `-c search_path=${target.schema}`,
        max: 10,
      },
      { schema: target.schema! },
    );
    db = new PostgresClient({ adapter });
  }
  return { db, target, close: () => db.$disconnect() };
}
