// What every command shares: configuration from the environment, the database
// (opened and migrated on first use), and how failures reach the terminal.
import { loadConfig, loadDotEnv, type Config } from '../config.ts';
import { loadModel, ModelError, type HealthModel } from '../health/model.ts';
import { openBulkSession, type BulkSession } from '../ingest/session.ts';
import { migrate, openDatabase } from '../storage/migrate.ts';
import { findAccounts } from '../storage/accounts.ts';
import { parseDatabaseUrl, type Database, type Db } from '../storage/db.ts';

/** A failure the user can fix; printed without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

let config: Config | undefined;

export function getConfig(): Config {
  if (!config) {
    loadDotEnv();
    config = loadConfig();
  }
  return config;
}

export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(getConfig().DATABASE_URL);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** The database as it may be printed: never with a password. */
export function databaseLabel(): string {
  return parseDatabaseUrl(getConfig().DATABASE_URL).display;
}

/** A bulk-write session on the (migrated) database, for imports. */
export async function withBulkSession<T>(fn: (session: BulkSession) => Promise<T>): Promise<T> {
  const target = parseDatabaseUrl(getConfig().DATABASE_URL);
  await migrate(target);
  const session = await openBulkSession(target);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** The health model: HEALTH_MODEL_FILE, or the built-in default. */
export function getModel(): HealthModel {
  const file = getConfig().HEALTH_MODEL_FILE;
  try {
    return file ? loadModel(file) : loadModel();
  } catch (err) {
    throw err instanceof ModelError ? new UserError(err.message) : err;
  }
}

/** The one account a person's words name (id, domain or name); otherwise a UserError listing the candidates. */
export async function oneAccount(db: Db, query: string) {
  const found = await findAccounts(db, query);
  if (!found.length) throw new UserError(`no account matches "${query}"`);
  if (found.length > 1) {
    const list = found.map((a) => `  ${a.externalId}  ${a.name}`).join('\n');
    throw new UserError(`"${query}" matches ${found.length} accounts; be more specific:\n${list}`);
  }
  return found[0]!;
}
