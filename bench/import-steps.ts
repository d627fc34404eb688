// Owns the import benchmark's child processes, one step per process (bench/child.ts),
// so that each step's peak memory is its own:
//   prepare DB ACCOUNTS_CSV   migrates a fresh SQLite database and imports the accounts
//   canary DB USAGE_CSV       times Canary's import of the usage file, the way
//                             `canary import usage FILE` runs it
//   baseline DB USAGE_CSV     times a minimal better-sqlite3 loop writing the same values
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import type { KindCounts } from '../src/ingest/ingest.ts';
import { importFile } from '../src/ingest/import-file.ts';
import { openBulkSession } from '../src/ingest/session.ts';
import { parseDatabaseUrl } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { report } from './child.ts';

export interface PrepareReport {
  migrationsApplied: number;
  accounts: number;
}

export interface CanaryReport {
  ms: number;
  counts: KindCounts;
  /** process.resourceUsage().maxRSS */
  peakRssKiB: number;
}

export interface BaselineReport {
  ms: number;
  rows: number;
  values: number;
  peakRssKiB: number;
}

async function prepare(file: string, accountsCsv: string): Promise<PrepareReport> {
  const target = parseDatabaseUrl(`file:${file}`);
  const { applied } = await migrate(target);
  const session = await openBulkSession(target);
  try {
    const { counts } = await importFile(session, 'accounts', accountsCsv);
    return { migrationsApplied: applied.length, accounts: counts.inserted };
  } finally {
    await session.close();
  }
}

async function canary(file: string, usageCsv: string): Promise<CanaryReport> {
  // As `canary import` does (cli/context.ts withBulkSession): migrate, then a bulk
  // session. The database was migrated by `prepare`, so the schema engine must stay
  // unloaded here; its memory would otherwise count against the import.
  const target = parseDatabaseUrl(`file:${file}`);
  const { applied } = await migrate(target);
  if (applied.length > 0)
    throw new Error(`the database was not migrated beforehand (applied ${applied.join(', ')})`);
  const session = await openBulkSession(target);
  try {
    const started = performance.now();
    const { counts } = await importFile(session, 'usage', usageCsv);
    const ms = performance.now() - started;
    return { ms, counts, peakRssKiB: process.resourceUsage().maxRSS };
  } finally {
    await session.close();
  }
}

async function baseline(file: string, usageCsv: string): Promise<BaselineReport> {
  const db = new Database(file);
  // The connection settings of Canary's bulk session (ingest/session.ts), so both
  // write under the same rules, foreign key checks included.
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  try {
    const started = performance.now();
    const accountIds = new Map<string, number>();
    const accounts = db.prepare('SELECT id, external_id FROM accounts').all() as {
      id: number;
      external_id: string;
    }[];
    for (const a of accounts) accountIds.set(a.external_id, a.id);
    const insert = db.prepare(
      'INSERT INTO usage_metrics (account_id, metric, day, value) VALUES (?, ?, ?, ?)',
    );
    let metrics: string[] | undefined;
    let rows = 0;
    db.exec('BEGIN');
    for await (const line of createInterface({ input: createReadStream(usageCsv), crlfDelay: Infinity })) {
      const cells = line.split(',');
      if (!metrics) {
        metrics = cells.slice(2);
        continue;
      }
      const accountId = accountIds.get(cells[0]!);
      if (accountId === undefined) throw new Error(`${usageCsv}: unknown account ${cells[0]}`);
      // A date-only ISO string parses as UTC midnight; SQLite timestamps are epoch ms.
      const day = Date.parse(cells[1]!);
      for (let i = 0; i < metrics.length; i++) insert.run(accountId, metrics[i], day, Number(cells[i + 2]));
      rows++;
    }
    db.exec('COMMIT');
    const ms = performance.now() - started;
    return { ms, rows, values: rows * (metrics?.length ?? 0), peakRssKiB: process.resourceUsage().maxRSS };
  } finally {
    db.close();
  }
}

const STEPS = { prepare, canary, baseline };
const [step, file, csv] = process.argv.slice(2);
if (!step || !(step in STEPS) || !file || !csv) {
  throw new Error(`usage: import-steps.ts ${Object.keys(STEPS).join('|')} DB CSV`);
}
report(await STEPS[step as keyof typeof STEPS](file, csv));
