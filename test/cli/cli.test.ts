// The `canary` command as a user runs it (a real process, a real database on each
// provider): the demo builds and imports the sample book, and running it again changes
// nothing; a bad import file is refused with file, row, column and reason; help lists
// every command.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';
import { connect } from '../../src/storage/db.ts';

const run = promisify(execFile);
const CANARY = path.resolve('bin/canary.js');

async function canary(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CANARY, ...args], {
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('canary --help', () => {
  it('lists every command', async () => {
    const { code, stdout } = await canary(['--help'], {});
    expect(code).toBe(0);
    for (const command of ['migrate', 'import', 'accounts', 'token', 'demo', 'serve'])
      expect(stdout).toContain(command);
  });
});

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let blank: ReturnType<typeof blankDatabase>;
  let files: Scratch;
  beforeEach(() => {
    blank = blankDatabase(provider);
    files = scratch();
  });
  afterEach(async () => {
    await blank.remove();
    files.remove();
  });

  it('canary demo builds the sample book, writes its CSV files, and a second run changes nothing', async () => {
    const env = { DATABASE_URL: blank.url };
    const args = ['demo', '--dir', files.dir, '--as-of', '2026-11-21', '--no-progress'];
    const first = await canary(args, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/accounts\.csv: 240 read, 240 inserted, 0 updated, 0 unchanged, 0 rejected/);
    expect(first.stdout).toMatch(/usage\.csv: 28,800 read \(115,200 metric values\), 115,200 inserted/);
    expect(first.stdout).toMatch(/usage falling 30-50% over the last two weeks: ACC-/);
    expect(readdirSync(files.dir).sort()).toEqual([
      'accounts.csv',
      'notes.csv',
      'outcomes.csv',
      'surveys.csv',
      'tickets.csv',
      'usage.csv',
    ]);

    const { db, close } = await connect(blank.target);
    try {
      expect(await db.account.count()).toBe(240);
      expect(await db.usageMetric.count()).toBe(115_200);
    } finally {
      await close();
    }

    const second = await canary(args, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /usage\.csv: 28,800 read \(115,200 metric values\), 0 inserted, 0 updated, 115,200 unchanged/,
    );
  });

  it('canary import refuses a bad file with file, row, column and reason, exits 1 and writes nothing', async () => {
    const env = { DATABASE_URL: blank.url };
    const accounts = files.write('accounts.csv', 'external_id,name\nA-1,Acme\n');
    expect((await canary(['import', 'accounts', accounts], env)).code).toBe(0);
    const usage = files.write(
      'usage.csv',
      'account_id,date,active_users\nA-1,2026-11-01,5\nA-2,2026-11-01,5\nA-1,2026-11-31,-1\n',
    );
    const result = await canary(['import', 'usage', usage], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `canary: ${usage} was not imported: 2 invalid rows (nothing was written)`,
    );
    expect(result.stderr).toContain(`${usage}: row 3: column account_id: unknown account "A-2"`);
    expect(result.stderr).toContain(
      `${usage}: row 4: column date: expected a date like 2026-03-31 or 2026-03-31T14:05:00Z, got "2026-11-31"; column active_users: must not be negative`,
    );
    expect(result.stderr).toContain('import the accounts first');
    const show = await canary(['accounts', 'show', 'acme'], env);
    expect(show.stdout).toMatch(/usage\s+none/);
  });
});
