// Owns the "import" section: throughput and peak memory of Canary's usage import
// (1,000,000 wide CSV rows into SQLite by default), next to a baseline measured in the
// same run on the same machine: the plainest better-sqlite3 loop writing the same
// values. Each runs in a child process of its own (bench/import-steps.ts).
//
// The baseline inserts in file order, date-major, so its writes scatter across the
// (account_id, metric, day) primary key, and its cost per row grows with the file
// (Canary sorts before it merges). Scaled down with --rows, the rate ratio is not the
// one the target is set for, and the title says so.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { int } from '../src/cli/format.ts';
import { runChild } from './child.ts';
import { ACCOUNTS, METRICS, usageShape, writeAccounts, writeUsage } from './import-data.ts';
import type { BaselineReport, CanaryReport, PrepareReport } from './import-steps.ts';
import type { Section } from './section.ts';
import { mb, rate, secs, times } from './format.ts';

const DEFAULT_ROWS = 1_000_000;
// The targets. The rate is a ratio to the baseline so that it holds on any machine.
const MIN_RATE_VS_BASELINE = 1 / 3;
const MAX_PEAK_RSS_MB = 300;

const STEPS = new URL('./import-steps.ts', import.meta.url);

export const importSection: Section = {
  name: 'import',
  async run({ rows: requested, progress }) {
    const rows = requested ?? DEFAULT_ROWS;
    const values = rows * METRICS.length;
    const { accounts, days } = usageShape(rows);
    const dir = await mkdtemp(path.join(tmpdir(), 'canary-bench-import-'));
    try {
      const accountsCsv = path.join(dir, 'accounts.csv');
      const usageCsv = path.join(dir, 'usage.csv');
      const canaryDb = path.join(dir, 'canary.db');
      const baselineDb = path.join(dir, 'baseline.db');

      progress(`generating ${int(rows)} usage rows in ${dir}`);
      await writeAccounts(accountsCsv);
      await writeUsage(usageCsv, rows);

      progress('migrating a fresh database and importing the accounts (not timed)');
      const prepared = await runChild<PrepareReport>(STEPS, ['prepare', canaryDb, accountsCsv]);
      if (prepared.migrationsApplied === 0 || prepared.accounts !== ACCOUNTS) {
        throw new Error(
          `prepare: expected a fresh database and ${int(ACCOUNTS)} new accounts, got ${int(prepared.accounts)}`,
        );
      }
      // Closing the last connection checkpoints the WAL into the file, so the file
      // alone is the whole database.
      if (existsSync(`${canaryDb}-wal`)) throw new Error(`${canaryDb} still has a WAL file after prepare`);
      await copyFile(canaryDb, baselineDb);

      progress('Canary import');
      const canary = await runChild<CanaryReport>(STEPS, ['canary', canaryDb, usageCsv]);
      const canaryValues = valuesIn(canaryDb);
      // The two databases are each hundreds of MB at a million rows; one at a time.
      await removeDatabase(canaryDb);

      progress('baseline loop');
      const baseline = await runChild<BaselineReport>(STEPS, ['baseline', baselineDb, usageCsv]);
      const baselineValues = valuesIn(baselineDb);
      if (baseline.rows !== rows || baselineValues !== values) {
        throw new Error(
          `the baseline wrote ${int(baselineValues)} values from ${int(baseline.rows)} rows, expected ${int(values)} from ${int(rows)}`,
        );
      }

      const canaryMb = canary.peakRssKiB / 1024;
      const baselineMb = baseline.peakRssKiB / 1024;
      const rateRatio = baseline.ms / canary.ms;
      return {
        title:
          `import: ${int(rows)} wide usage rows (${int(accounts)} accounts x ${int(days)} days, ${int(values)} metric values) from CSV into SQLite` +
          (rows === DEFAULT_ROWS ? '' : ` [--rows: the targets are set for ${int(DEFAULT_ROWS)} rows]`),
        columns: ['rows', 'metric values', 'seconds', 'rows/s', 'peak RSS MB'],
        rows: [
          {
            label: 'Canary: importFile (canary import usage)',
            cells: [
              int(canary.counts.rowsRead),
              int(canary.counts.inserted),
              secs(canary.ms),
              int(rate(rows, canary.ms)),
              mb(canaryMb),
            ],
          },
          {
            label: 'Baseline: one INSERT loop, one transaction',
            cells: [
              int(baseline.rows),
              int(baseline.values),
              secs(baseline.ms),
              int(rate(rows, baseline.ms)),
              mb(baselineMb),
            ],
          },
          {
            label: 'Canary / baseline',
            cells: ['', '', times(canary.ms / baseline.ms), times(rateRatio), times(canaryMb / baselineMb)],
          },
          {
            label: 'Canary rate vs baseline',
            cells: ['', '', '', times(rateRatio), ''],
            check: {
              target: `>= ${times(MIN_RATE_VS_BASELINE)} (1/3 of baseline)`,
              pass: rateRatio >= MIN_RATE_VS_BASELINE,
            },
          },
          {
            label: 'Canary peak memory',
            cells: ['', '', '', '', mb(canaryMb)],
            check: { target: `< ${MAX_PEAK_RSS_MB} MB`, pass: canaryMb < MAX_PEAK_RSS_MB },
          },
          {
            label: 'Canary values in the database',
            cells: ['', int(canaryValues), '', '', ''],
            check: { target: `= ${int(values)}`, pass: canaryValues === values },
          },
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

function valuesIn(file: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM usage_metrics').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function removeDatabase(file: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) await rm(`${file}${suffix}`, { force: true });
}
