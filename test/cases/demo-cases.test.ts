// `canary demo` opens recovery cases for what its book's stories should set off, as a
// user runs it (a real process, a real database on each provider): every declining
// account gets its drop case, and every case the alert rules call for on the last day
// (a drop, entry into a watched risk tier, a renewal with a weak score, a detractor, an
// urgent ticket left waiting) is opened, found independently here through the
// snapshots and signals; scoring again adds nothing; `canary cases` lists and shows them.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RISK_TIERS, type RiskTier } from '../../src/health/model.ts';
import { generateBook } from '../../src/demo/book.ts';
import { connect, type Database } from '../../src/storage/db.ts';
import { snapshotFor } from '../../src/storage/snapshots.ts';
import { blankDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';

const run = promisify(execFile);
const CANARY = path.resolve('bin/canary.js');
const AS_OF = '2026-11-21';
const DAY0 = new Date(`${AS_OF}T00:00:00Z`);
const DAY = 86_400_000;
const ACCOUNTS = 30;

// Looser than the built-in rules, so that this small book sets off every kind of rule.
const RULES = `
rules:
  drop: {}
  risk_tier: { tiers: [medium, high, critical] }
  renewal: { within_days: 90, index_below: 70 }
  detractor: { nps_at_most: 6 }
  ticket: { priorities: [P1, P2], unresolved_hours: 24 }
routing: { routes: [], default: C0ALERTS01 }
budget: { daily: 5, channels: {} }
reminders: { remind_after_hours: 4, escalate_after_hours: 24, manager_channel: null }
people: { managers: [] }
`;

async function canary(args: string[], env: Record<string, string>) {
  const { stdout, stderr } = await run(process.execPath, [CANARY, ...args], {
    env: { ...process.env, ...env },
    timeout: 180_000,
  });
  return { stdout, stderr };
}

/** Each account's cases, as `reason` sets by external id. */
async function casesByAccount(db: Database['db']): Promise<Map<string, Set<string>>> {
  const rows = await db.recoveryCase.findMany({
    select: { reason: true, account: { select: { externalId: true } } },
  });
  const out = new Map<string, Set<string>>();
  for (const r of rows)
    out.set(r.account.externalId, (out.get(r.account.externalId) ?? new Set()).add(r.reason));
  return out;
}

/** What the rules above call for on the last day, read through the snapshots and signals. */
async function expectedCases(db: Database['db']): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (id: string, reason: string) => out.set(id, (out.get(id) ?? new Set()).add(reason));
  const watched: RiskTier[] = ['medium', 'high', 'critical'];
  for (const a of await db.account.findMany()) {
    const now = await snapshotFor(db, a.id, DAY0);
    if (!now || now.day !== DAY0.getTime() || now.healthIndex === null) continue;
    const before = await snapshotFor(db, a.id, new Date(DAY0.getTime() - DAY));
    if (now.drops.length) add(a.externalId, 'drop');
    const was = before?.riskTier ?? null;
    if (
      now.riskTier &&
      watched.includes(now.riskTier) &&
      (was === null || !watched.includes(was) || RISK_TIERS.indexOf(now.riskTier) > RISK_TIERS.indexOf(was))
    )
      add(a.externalId, 'risk_tier');
    const daysLeft = a.renewalDate ? (a.renewalDate.getTime() - DAY0.getTime()) / DAY : null;
    if (daysLeft !== null && daysLeft >= 0 && daysLeft <= 90 && now.healthIndex < 70)
      add(a.externalId, 'renewal');
  }
  const detractors = await db.surveyResponse.findMany({
    where: { kind: 'nps', score: { lte: 6 }, respondedAt: { gte: DAY0, lt: new Date(DAY0.getTime() + DAY) } },
    include: { account: true },
  });
  for (const s of detractors) add(s.account.externalId, 'detractor');
  const end = new Date(DAY0.getTime() + DAY);
  const tickets = await db.ticket.findMany({
    where: { priority: { in: ['P1', 'P2'] }, openedAt: { lte: new Date(end.getTime() - DAY) } },
    include: { account: true },
  });
  for (const t of tickets) {
    const open = t.resolvedAt === null ? ['open', 'pending'].includes(t.status) : t.resolvedAt > end;
    if (open) add(t.account.externalId, 'ticket');
  }
  return out;
}

const sorted = (m: Map<string, Set<string>>) =>
  Object.fromEntries(
    [...m].map(([k, v]) => [k, [...v].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))),
  );

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let blank: ReturnType<typeof blankDatabase>;
  let files: Scratch;
  let env: Record<string, string>;
  let first: { stdout: string; stderr: string };
  beforeAll(async () => {
    blank = blankDatabase(provider);
    files = scratch();
    env = { DATABASE_URL: blank.url, ALERT_RULES_FILE: files.write('rules.yaml', RULES) };
    first = await canary(
      ['demo', '--dir', files.dir, '--as-of', AS_OF, '--accounts', String(ACCOUNTS), '--no-progress'],
      env,
    );
  }, 240_000);
  afterAll(async () => {
    await blank.remove();
    files.remove();
  });

  it('opens a drop case for every declining account, and exactly the cases the rules call for', async () => {
    expect(first.stderr).toBe('');
    // A second urgent ticket of an account adds to its ticket case.
    const opened = Number(
      /Recovery cases: (\d+) opened, \d+ added to, 0 already known/.exec(first.stdout)?.[1],
    );
    const database = await connect(blank.target);
    try {
      const cases = await casesByAccount(database.db);
      const declining = generateBook({ seed: 42, asOf: DAY0, accounts: ACCOUNTS })
        .stories.filter((s) => s.story === 'declining')
        .map((s) => s.accountExternalId);
      expect(declining.length).toBeGreaterThan(0);
      for (const id of declining) expect(cases.get(id)?.has('drop'), id).toBe(true);

      const expected = await expectedCases(database.db);
      expect(sorted(cases)).toEqual(sorted(expected));
      expect(opened).toBe([...cases.values()].reduce((n, s) => n + s.size, 0));
      // A budget of 5 a day: five alerts, the rest in one summary.
      expect(await database.db.casePost.count({ where: { kind: 'alert' } })).toBe(Math.min(5, opened));
      expect(await database.db.casePost.count({ where: { kind: 'summary' } })).toBe(opened > 5 ? 1 : 0);
    } finally {
      await database.close();
    }
  });

  it('adds nothing when the day is scored again, and lists and shows the cases', async () => {
    const again = await canary(['score', '--date', AS_OF], env);
    expect(again.stdout).toMatch(/Recovery cases: 0 opened, 0 added to, \d+ already known/);

    const list = await canary(['cases', 'list', '--limit', '500'], env);
    const database = await connect(blank.target);
    try {
      const ids = (await database.db.recoveryCase.findMany({ select: { id: true } })).map((c) => c.id);
      for (const id of ids) expect(list.stdout).toMatch(new RegExp(`^\\s*${id}  open `, 'm'));
      const show = await canary(['cases', 'show', String(ids[0])], env);
      expect(show.stdout).toMatch(new RegExp(`^Case #${ids[0]}: \\w+ on .+, open$`, 'm'));
      expect(show.stdout).toMatch(
        /alert: to C0ALERTS01, pending after 0 attempts|alert: in the budget summary of C0ALERTS01, pending/,
      );
      expect(show.stdout).toMatch(/canary\s+open\s+-\s+open/);
    } finally {
      await database.close();
    }
  });
});
