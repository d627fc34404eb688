// A dedicated database connection for bulk writes (imports and API batches). Prisma
// stays the way the rest of Canary reads and writes; large imports go through the
// drivers Prisma itself uses (better-sqlite3, pg) on a connection of their own, so
// they can stage rows in a temporary table across many statements and merge them in
// one transaction at driver speed. The PostgreSQL driver loads only when a session
// needs it: a scoring worker on SQLite would otherwise spend a good part of its start
// resolving pg's modules.
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { DatabaseTarget } from '../storage/db.ts';
import type { Provider } from '../storage/schema.ts';

export interface BulkSession {
  readonly dialect: Provider;
  /** Runs a statement; returns the number of rows it changed. Placeholders are `?`. */
  exec(sql: string, params?: readonly unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Like all, each row an array of its columns in order: far cheaper to build, for hot reads. */
  rows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /**
   * Appends rows to a table (the arrays may be converted in place); `onConflict` is an
   * `ON CONFLICT ...` clause for an upsert.
   */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: unknown[][],
    onConflict?: string,
  ): Promise<void>;
  /** Runs fn in a transaction that holds the write lock; rolls back if fn throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openBulkSession(target: DatabaseTarget): Promise<BulkSession> {
  return target.provider === 'sqlite' ? new SqliteSession(target.file!) : PostgresSession.open(target);
}

/** SQLite stores Canary's timestamps as epoch milliseconds (see storage/db.ts). */
function sqliteValue(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v === undefined ? null : v;
}

/**
 * How long a write waits for another connection's write to finish. It waits without
 * blocking the thread: better-sqlite3's own busy wait is synchronous, so a session
 * waiting that way on a transaction of another connection in the same process (the
 * bot's Prisma client, say, between two statements of a case's transaction) would
 * stop that very transaction from finishing, and the whole process with it.
 */
const LOCK_WAIT_MS = 30_000;
const isBusy = (err: unknown) => (err as { code?: string }).code === 'SQLITE_BUSY';

class SqliteSession implements BulkSession {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    // No synchronous busy wait at all (readers in WAL mode do not wait for writers):
    // writers wait in whenFree.
    this.db = new Database(file, { timeout: 0 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    // Staging tables live in SQLite's temp store; a larger page cache keeps a big
    // import's staging B-trees from spilling to disk page by page.
    this.db.pragma('temp.cache_size = -16384');
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs a write that takes the database's write lock, waiting asynchronously while another connection holds it. */
  private async whenFree<T>(write: () => T): Promise<T> {
    if (this.db.inTransaction) return write();
    const started = Date.now();
    for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
      try {
        return write();
      } catch (err) {
        if (!isBusy(err) || Date.now() - started > LOCK_WAIT_MS) throw err;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<number> {
    const s = this.statement(sql);
    if (s.reader) {
      s.all(...params.map(sqliteValue));
      return 0;
    }
    return this.whenFree(() => s.run(...params.map(sqliteValue)).changes);
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.statement(sql)
      .raw(false)
      .all(...params.map(sqliteValue)) as T[];
  }

  async rows(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.statement(sql)
      .raw(true)
      .all(...params.map(sqliteValue)) as unknown[][];
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: unknown[][],
    onConflict = '',
  ): Promise<void> {
    const s = this.statement(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${onConflict}`,
    );
    // One transaction per batch instead of one per row (a savepoint inside a caller's).
    // A prepared one-row statement bound from the array itself: binding many rows'
    // values at once, spread as arguments, costs more than it saves.
    for (const row of rows) for (let j = 0; j < row.length; j++) row[j] = sqliteValue(row[j]);
    await this.whenFree(() =>
      this.db.transaction(() => {
        for (const row of rows) s.run(row);
      })(),
    );
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.whenFree(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** PostgreSQL `timestamp(3)` columns hold UTC wall time, as Prisma writes them. */
function postgresValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('Z', '');
  return v === undefined ? null : v;
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// PostgreSQL accepts at most 65535 parameters in one statement.
const MAX_PARAMETERS = 60_000;

class PostgresSession implements BulkSession {
  readonly dialect = 'postgresql' as const;
  private constructor(private readonly client: pg.Client) {}

  static async open(target: DatabaseTarget): Promise<PostgresSession> {
    const { default: driver } = await import('pg');
    const client = new driver.Client({
      connectionString: target.connectionString,
      options: `-c search_path=${target.schema}`,
    });
    await client.connect();
    return new PostgresSession(client);
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.client.query(numbered(sql), params.map(postgresValue));
    return result.rowCount ?? 0;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.client.query(numbered(sql), params.map(postgresValue))).rows as T[];
  }

  async rows(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    const result = await this.client.query({
      text: numbered(sql),
      values: params.map(postgresValue),
      rowMode: 'array',
    });
    return result.rows as unknown[][];
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: unknown[][],
    onConflict = '',
  ): Promise<void> {
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => {
        const base = params.length;
        for (const v of row) params.push(postgresValue(v));
        return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      await this.client.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${onConflict}`,
        params,
      );
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const result = await fn();
      await this.client.query('COMMIT');
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
