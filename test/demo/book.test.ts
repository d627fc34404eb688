import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateBook, USAGE_DAYS, type DemoBook, type DemoUsageDay } from '../../src/demo/book.ts';
import { writeBookCsv, type WrittenFile } from '../../src/demo/write-csv.ts';

const DAY_MS = 86_400_000;
const asOf = new Date('2026-03-04T00:00:00Z');
const endOfData = new Date(asOf.getTime() + DAY_MS);
const daysBefore = (days: number): Date => new Date(asOf.getTime() - days * DAY_MS);
const daysAfter = (days: number): Date => daysBefore(-days);

const book = generateBook({ seed: 42, asOf });

function materialise(b: DemoBook) {
  return { ...b, usage: [...b.usage()] };
}

function usageByAccount(b: DemoBook): Map<string, DemoUsageDay[]> {
  const byAccount = new Map<string, DemoUsageDay[]>();
  for (const day of b.usage()) {
    const days = byAccount.get(day.accountExternalId) ?? [];
    days.push(day);
    byAccount.set(day.accountExternalId, days);
  }
  return byAccount;
}

const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Mean of a metric over days `from`..`to` before asOf (0 = asOf), inclusive. */
function meanOver(days: DemoUsageDay[], metric: 'activeUsers' | 'logins', from: number, to: number): number {
  return mean(days.slice(USAGE_DAYS - 1 - from, USAGE_DAYS - to).map((d) => d[metric]));
}

/** How far the last week fell below the account's baseline of days -42..-15. */
function drop(days: DemoUsageDay[], metric: 'activeUsers' | 'logins' = 'activeUsers'): number {
  return 1 - meanOver(days, metric, 6, 0) / meanOver(days, metric, 42, 15);
}

// The drop that defines a declining account; nobody outside that story may show one.
const SHARP_DROP = 0.3;

const isEscalation = (priority: string): boolean => priority === 'P1' || priority === 'P2';
const isUnresolved = (status: string): boolean => status === 'open' || status === 'pending';

describe('generateBook', () => {
  it('gives the same book for the same seed and another book for another seed', () => {
    const again = generateBook({ seed: 42, asOf });
    expect(materialise(again)).toEqual(materialise(book));
    // Usage is computed lazily; a second pass must not see different rows.
    expect([...book.usage()]).toEqual([...book.usage()]);

    const other = materialise(generateBook({ seed: 43, asOf }));
    expect(other.accounts.map((a) => a.name)).not.toEqual(book.accounts.map((a) => a.name));
    expect(other.usage).not.toEqual([...book.usage()]);
    expect(other.tickets).not.toEqual(book.tickets);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateBook({ seed: 1.5, asOf })).toThrow(/seed/);
    expect(() => generateBook({ seed: 1, asOf: new Date('2026-03-04T10:00:00Z') })).toThrow(/midnight/);
    expect(() => generateBook({ seed: 1, asOf, accounts: 5 })).toThrow(/accounts/);
  });

  it('holds a book of at least 200 accounts across industries, segments, stages and plans', () => {
    expect(book.accounts).toHaveLength(240);
    expect(generateBook({ seed: 42, asOf, accounts: 60 }).accounts).toHaveLength(60);
    expect(new Set(book.accounts.map((a) => a.industry)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(book.accounts.map((a) => a.segment))).toEqual(
      new Set(['smb', 'mid_market', 'enterprise']),
    );
    expect(new Set(book.accounts.map((a) => a.lifecycleStage))).toEqual(
      new Set(['onboarding', 'adopting', 'mature', 'renewing']),
    );
    expect(new Set(book.accounts.map((a) => a.plan)).size).toBeGreaterThanOrEqual(3);
    for (const key of ['externalId', 'name', 'domain'] as const) {
      expect(new Set(book.accounts.map((a) => a[key])).size).toBe(book.accounts.length);
    }
    expect(book.accounts[0]!.externalId).toBe('ACC-0001');
  });

  it('skews ARR towards small contracts, within $5k..$500k, with seats and segment following ARR', () => {
    const arrs = book.accounts.map((a) => a.arr);
    expect(Math.min(...arrs)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...arrs)).toBeLessThanOrEqual(500_000);
    expect(Math.min(...arrs)).toBeLessThan(10_000);
    expect(Math.max(...arrs)).toBeGreaterThan(300_000);
    expect(median(arrs)).toBeLessThan(mean(arrs));

    const medianBy = (segment: string, pick: (a: (typeof book.accounts)[number]) => number) =>
      median(book.accounts.filter((a) => a.segment === segment).map(pick));
    expect(medianBy('smb', (a) => a.arr)).toBeLessThan(medianBy('mid_market', (a) => a.arr));
    expect(medianBy('mid_market', (a) => a.arr)).toBeLessThan(medianBy('enterprise', (a) => a.arr));
    expect(medianBy('smb', (a) => a.seatsPurchased)).toBeLessThan(
      medianBy('enterprise', (a) => a.seatsPurchased),
    );
  });

  it('gives every account one of 6-8 CSMs, each with an email and a Slack user id', () => {
    expect(book.csms.length).toBeGreaterThanOrEqual(6);
    expect(book.csms.length).toBeLessThanOrEqual(8);
    for (const csm of book.csms) {
      expect(csm.email).toMatch(/^[a-z]+\.[a-z]+@canary-demo\.example$/);
      expect(csm.slackId).toMatch(/^U0[A-Z0-9]{7,}$/);
    }
    const owners = new Set(book.accounts.map((a) => `${a.ownerEmail} ${a.ownerSlackId}`));
    expect(owners).toEqual(new Set(book.csms.map((c) => `${c.email} ${c.slackId}`)));
  });

  it('starts contracts in the past and spreads renewals over the next 12 months', () => {
    const churned = new Set(
      book.outcomes.filter((o) => o.outcome === 'churned').map((o) => o.accountExternalId),
    );
    const renewals = book.accounts
      .filter((a) => !churned.has(a.externalId))
      .map((a) => a.renewalDate.getTime());
    for (const account of book.accounts) expect(account.contractStart.getTime()).toBeLessThan(asOf.getTime());
    expect(Math.min(...renewals)).toBeGreaterThan(asOf.getTime());
    expect(Math.max(...renewals)).toBeLessThanOrEqual(daysAfter(366).getTime());
    const quarters = new Set(renewals.map((t) => Math.floor((t - asOf.getTime()) / (92 * DAY_MS))));
    expect(quarters).toEqual(new Set([0, 1, 2, 3]));
  });

  it('records 120 days of valid usage per account, ending at asOf', () => {
    const seats = new Map(book.accounts.map((a) => [a.externalId, a.seatsPurchased]));
    const byAccount = usageByAccount(book);
    expect([...byAccount.keys()]).toEqual(book.accounts.map((a) => a.externalId));
    const invalid: DemoUsageDay[] = [];
    for (const [account, days] of byAccount) {
      expect(days.map((d) => d.date)).toEqual(days.map((_, i) => daysBefore(USAGE_DAYS - 1 - i)));
      for (const day of days) {
        const counts = [day.activeUsers, day.logins, day.seatsUsed, day.featuresUsed];
        const valid =
          counts.every((count) => Number.isInteger(count) && count >= 0) &&
          day.seatsUsed <= seats.get(account)! &&
          day.activeUsers <= day.seatsUsed &&
          day.logins >= day.activeUsers;
        if (!valid) invalid.push(day);
      }
    }
    expect(invalid).toEqual([]);
  });

  it('dips on weekends', () => {
    const weekday: number[] = [];
    const weekend: number[] = [];
    for (const day of book.usage()) {
      const dow = day.date.getUTCDay();
      (dow === 0 || dow === 6 ? weekend : weekday).push(day.activeUsers);
    }
    expect(mean(weekend)).toBeLessThan(mean(weekday) * 0.75);
  });

  it('has tickets with believable priorities, statuses, resolution times and scores', () => {
    const priorities = book.tickets.map((t) => t.priority);
    expect(priorities.filter((p) => p === 'P1').length / priorities.length).toBeLessThan(0.06);
    expect(new Set(priorities)).toEqual(new Set(['P1', 'P2', 'P3', 'P4']));
    expect(new Set(book.tickets.map((t) => t.status))).toEqual(
      new Set(['open', 'pending', 'resolved', 'closed']),
    );
    expect(new Set(book.tickets.map((t) => t.ticketId)).size).toBe(book.tickets.length);
    const hoursToResolve = (priority: string) =>
      book.tickets
        .filter((t) => t.priority === priority && t.resolvedAt)
        .map((t) => (t.resolvedAt!.getTime() - t.openedAt.getTime()) / 3_600_000);
    expect(Math.max(...hoursToResolve('P1'))).toBeLessThanOrEqual(12);
    expect(median(hoursToResolve('P4'))).toBeGreaterThan(48);
    for (const t of book.tickets) {
      expect(t.resolvedAt === null).toBe(isUnresolved(t.status));
      if (t.resolvedAt) expect(t.resolvedAt.getTime()).toBeGreaterThan(t.openedAt.getTime());
      if (t.csat !== null) {
        expect(isUnresolved(t.status)).toBe(false);
        expect([1, 2, 3, 4, 5]).toContain(t.csat);
      }
      if (t.sentiment !== null) {
        expect(Math.abs(t.sentiment)).toBeLessThanOrEqual(1);
        expect(Math.round(t.sentiment * 100) / 100).toBe(t.sentiment);
      }
    }
    expect(book.tickets.some((t) => t.csat !== null)).toBe(true);
  });

  it('has NPS and CSAT responses from people at the account, and a few CSM notes', () => {
    const domains = new Map(book.accounts.map((a) => [a.externalId, a.domain]));
    for (const r of book.surveys) {
      expect(r.score).toBeGreaterThanOrEqual(r.kind === 'nps' ? 0 : 1);
      expect(r.score).toBeLessThanOrEqual(r.kind === 'nps' ? 10 : 5);
      expect(r.respondent.endsWith(`@${domains.get(r.accountExternalId)}`)).toBe(true);
    }
    expect(new Set(book.surveys.map((r) => r.kind))).toEqual(new Set(['nps', 'csat']));
    expect(new Set(book.surveys.map((r) => r.responseId)).size).toBe(book.surveys.length);
    const npsAccounts = new Set(book.surveys.filter((r) => r.kind === 'nps').map((r) => r.accountExternalId));
    expect(npsAccounts.size).toBeGreaterThan(book.accounts.length * 0.9);

    expect(book.notes.length).toBeGreaterThan(0);
    expect(book.notes.length).toBeLessThan(book.accounts.length * 2);
    expect(new Set(book.notes.map((n) => n.noteId)).size).toBe(book.notes.length);
    expect(new Set(book.notes.map((n) => n.sentiment))).toEqual(new Set(['positive', 'neutral', 'negative']));
  });

  it('records past outcomes whose ARR change matches their kind, once per account, kind and date', () => {
    const arr = new Map(book.accounts.map((a) => [a.externalId, a.arr]));
    expect(new Set(book.outcomes.map((o) => o.outcome))).toEqual(
      new Set(['renewed', 'expanded', 'contracted', 'churned']),
    );
    const keys = book.outcomes.map((o) => `${o.accountExternalId} ${o.outcome} ${o.date.toISOString()}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of book.outcomes) {
      expect(o.date.getTime()).toBeLessThanOrEqual(asOf.getTime());
      if (o.outcome === 'churned') expect(o.arrChange).toBe(-arr.get(o.accountExternalId)!);
      if (o.outcome === 'expanded') expect(o.arrChange).toBeGreaterThan(0);
      if (o.outcome === 'contracted') expect(o.arrChange).toBeLessThan(0);
      if (o.outcome === 'renewed') expect(o.arrChange).toBeGreaterThanOrEqual(0);
    }
  });

  it('refers only to accounts in the book, and never past the last day of data', () => {
    const ids = new Set(book.accounts.map((a) => a.externalId));
    const references = [
      ...[...book.usage()].map((r) => r.accountExternalId),
      ...book.tickets.map((r) => r.accountExternalId),
      ...book.surveys.map((r) => r.accountExternalId),
      ...book.notes.map((r) => r.accountExternalId),
      ...book.outcomes.map((r) => r.accountExternalId),
      ...book.stories.map((r) => r.accountExternalId),
    ];
    expect(references.filter((id) => !ids.has(id))).toEqual([]);
    const times = [
      ...book.tickets.flatMap((t) => [t.openedAt, t.resolvedAt ?? t.openedAt]),
      ...book.surveys.map((r) => r.respondedAt),
      ...book.notes.map((n) => n.notedAt),
    ];
    expect(times.filter((t) => t.getTime() >= endOfData.getTime())).toEqual([]);
  });
});

describe.each([42, 7, 2026])('the built-in stories of seed %i', (seed) => {
  const b = generateBook({ seed, asOf });
  const usage = usageByAccount(b);
  const accountsOf = (story: string) =>
    b.stories.filter((s) => s.story === story).map((s) => s.accountExternalId);
  const account = (id: string) => b.accounts.find((a) => a.externalId === id)!;
  const ticketsOf = (id: string) => b.tickets.filter((t) => t.accountExternalId === id);
  const outcomesOf = (id: string) => b.outcomes.filter((o) => o.accountExternalId === id);
  const recent = (t: { openedAt: Date }) => t.openedAt.getTime() >= daysBefore(9).getTime();

  it('names one story per account, with a handful of accounts per story across segments', () => {
    expect(b.stories.map((s) => s.accountExternalId)).toEqual(b.accounts.map((a) => a.externalId));
    for (const story of ['declining', 'ticket_burst', 'promoter', 'churned', 'renewed']) {
      const ids = accountsOf(story);
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect(ids.length).toBeLessThanOrEqual(15);
      expect(new Set(ids.map((id) => account(id).segment)).size).toBe(3);
    }
    expect(accountsOf('healthy').length).toBeGreaterThan(b.accounts.length / 2);
  });

  it('declining: active users and logins of the last week are 30-50% below the baseline of days -42..-15', () => {
    for (const id of accountsOf('declining')) {
      const days = usage.get(id)!;
      for (const metric of ['activeUsers', 'logins'] as const) {
        expect(drop(days, metric)).toBeGreaterThanOrEqual(SHARP_DROP);
        expect(drop(days, metric)).toBeLessThanOrEqual(0.5);
      }
      // The baseline is stable: the four weeks before it look the same.
      const before = meanOver(days, 'activeUsers', 70, 43);
      expect(Math.abs(1 - before / meanOver(days, 'activeUsers', 42, 15))).toBeLessThan(0.1);
    }
  });

  it('ticket_burst: at least three P1/P2 tickets opened in the last 10 days, several still open', () => {
    for (const id of accountsOf('ticket_burst')) {
      const burst = ticketsOf(id).filter((t) => isEscalation(t.priority) && recent(t));
      expect(burst.length).toBeGreaterThanOrEqual(3);
      expect(burst.filter((t) => isUnresolved(t.status)).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('promoter: latest NPS 9-10, high and steady usage, no open escalations', () => {
    for (const id of accountsOf('promoter')) {
      const nps = b.surveys.filter((r) => r.accountExternalId === id && r.kind === 'nps');
      const latest = nps.reduce((a, r) => (r.respondedAt > a.respondedAt ? r : a));
      expect(latest.score).toBeGreaterThanOrEqual(9);
      expect(latest.respondedAt.getTime()).toBeGreaterThan(daysBefore(60).getTime());
      const days = usage.get(id)!;
      expect(days.at(-1)!.seatsUsed / account(id).seatsPurchased).toBeGreaterThanOrEqual(0.85);
      expect(Math.abs(drop(days))).toBeLessThan(0.2);
      expect(ticketsOf(id).filter((t) => isEscalation(t.priority) && isUnresolved(t.status))).toEqual([]);
    }
  });

  it('churned: a past churn losing the whole ARR, with usage collapsing before it and nothing after', () => {
    for (const id of accountsOf('churned')) {
      const churn = outcomesOf(id).find((o) => o.outcome === 'churned')!;
      expect(churn.date.getTime()).toBeLessThan(asOf.getTime());
      expect(churn.arrChange).toBe(-account(id).arr);
      expect(account(id).renewalDate).toEqual(churn.date);
      const days = usage.get(id)!;
      const churnIndex = days.findIndex((d) => d.date.getTime() === churn.date.getTime());
      const before = mean(days.slice(churnIndex - 7, churnIndex).map((d) => d.activeUsers));
      const start = mean(days.slice(0, 14).map((d) => d.activeUsers));
      expect(before).toBeLessThan(start * 0.3);
      expect(days.slice(churnIndex).every((d) => d.activeUsers === 0 && d.seatsUsed === 0)).toBe(true);
      expect(ticketsOf(id).every((t) => t.openedAt < churn.date)).toBe(true);
    }
  });

  it('renewed: renewed within the usage window, healthy usage, next renewal about a year out', () => {
    for (const id of accountsOf('renewed')) {
      const renewal = outcomesOf(id).at(-1)!;
      expect(renewal.outcome).toBe('renewed');
      expect(renewal.date.getTime()).toBeGreaterThan(daysBefore(USAGE_DAYS).getTime());
      expect(account(id).renewalDate.getTime()).toBeGreaterThan(daysAfter(250).getTime());
      expect(drop(usage.get(id)!)).toBeLessThan(SHARP_DROP);
    }
  });

  it('healthy: no sharp drop, no burst of escalations, no churn', () => {
    for (const id of accountsOf('healthy')) {
      expect(drop(usage.get(id)!)).toBeLessThan(SHARP_DROP);
      expect(drop(usage.get(id)!, 'logins')).toBeLessThan(SHARP_DROP);
      expect(ticketsOf(id).filter((t) => isEscalation(t.priority) && recent(t)).length).toBeLessThan(3);
      expect(outcomesOf(id).some((o) => o.outcome === 'churned')).toBe(false);
    }
  });
});

describe('writeBookCsv', () => {
  let root: string;
  let dir: string;
  let written: WrittenFile[];
  const read = async (kind: string) => readFile(path.join(dir, `${kind}.csv`), 'utf8');
  const records = async (kind: string) => {
    const [header, ...rows] = parse(await read(kind));
    return rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i]!])));
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'canary-demo-'));
    // A directory that does not exist yet: the writer creates it.
    dir = path.join(root, 'book');
    written = await writeBookCsv(book, dir);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes one file per kind with the agreed header and a row per record', async () => {
    const expected = {
      accounts: [
        'external_id,name,domain,industry,segment,lifecycle_stage,plan,arr,seats_purchased,contract_start,renewal_date,owner_email,owner_slack_id',
        book.accounts.length,
      ],
      usage: [
        'account_id,date,active_users,logins,seats_used,features_used',
        book.accounts.length * USAGE_DAYS,
      ],
      tickets: [
        'ticket_id,account_id,subject,status,priority,opened_at,resolved_at,csat,sentiment',
        book.tickets.length,
      ],
      surveys: ['response_id,account_id,kind,score,comment,respondent,responded_at', book.surveys.length],
      notes: ['note_id,account_id,author,sentiment,note,noted_at', book.notes.length],
      outcomes: ['account_id,outcome,date,arr_change,note', book.outcomes.length],
    } as const;
    expect(written.map((w) => w.kind)).toEqual(Object.keys(expected));
    for (const { file, kind, rows } of written) {
      const [header, count] = expected[kind];
      expect(file).toBe(path.join(dir, `${kind}.csv`));
      expect(rows).toBe(count);
      expect((await read(kind)).split('\n', 1)[0]).toBe(header);
      expect(await records(kind)).toHaveLength(count);
    }
  });

  it('quotes fields holding a comma, a quote or a line break, and parses back to the same text', async () => {
    const withComma = book.accounts.find((a) => a.name.includes(','))!;
    const withQuote = book.surveys.find((r) => r.comment?.includes('"'))!;
    const withLineBreak = book.notes.find((n) => n.note.includes('\n'))!;
    expect([withComma, withQuote, withLineBreak].every(Boolean)).toBe(true);

    expect(await read('accounts')).toContain(`,"${withComma.name}",`);
    expect(await read('surveys')).toContain(`"${withQuote.comment!.replaceAll('"', '""')}"`);
    const accounts = await records('accounts');
    const surveys = await records('surveys');
    const notes = await records('notes');
    expect(accounts.find((a) => a.external_id === withComma.externalId)!.name).toBe(withComma.name);
    expect(surveys.find((r) => r.response_id === withQuote.responseId)!.comment).toBe(withQuote.comment);
    expect(notes.find((n) => n.note_id === withLineBreak.noteId)!.note).toBe(withLineBreak.note);
  });

  it('writes dates as YYYY-MM-DD, timestamps as ISO 8601 UTC and empty cells for missing values', async () => {
    const date = /^\d{4}-\d{2}-\d{2}$/;
    const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/;
    const accounts = await records('accounts');
    expect(accounts[0]).toEqual({
      external_id: 'ACC-0001',
      name: book.accounts[0]!.name,
      domain: book.accounts[0]!.domain,
      industry: book.accounts[0]!.industry,
      segment: book.accounts[0]!.segment,
      lifecycle_stage: book.accounts[0]!.lifecycleStage,
      plan: book.accounts[0]!.plan,
      arr: String(book.accounts[0]!.arr),
      seats_purchased: String(book.accounts[0]!.seatsPurchased),
      contract_start: book.accounts[0]!.contractStart.toISOString().slice(0, 10),
      renewal_date: book.accounts[0]!.renewalDate.toISOString().slice(0, 10),
      owner_email: book.accounts[0]!.ownerEmail,
      owner_slack_id: book.accounts[0]!.ownerSlackId,
    });
    const usage = await records('usage');
    expect(usage.every((u) => date.test(u.date!))).toBe(true);
    expect(usage.at(-1)!.date).toBe('2026-03-04');

    const tickets = await records('tickets');
    for (const t of tickets) {
      expect(t.opened_at).toMatch(timestamp);
      expect(t.resolved_at).toMatch(isUnresolved(t.status!) ? /^$/ : timestamp);
      expect(t.csat).toMatch(/^[1-5]?$/);
      expect(t.sentiment).toMatch(/^(-?[01]\.\d{2})?$/);
    }
    expect(tickets.some((t) => t.resolved_at === '')).toBe(true);
    expect((await records('surveys')).every((r) => timestamp.test(r.responded_at!))).toBe(true);
    expect((await records('notes')).every((n) => timestamp.test(n.noted_at!))).toBe(true);
    const outcomes = await records('outcomes');
    expect(outcomes.every((o) => date.test(o.date!) && /^-?\d+$/.test(o.arr_change!))).toBe(true);
  });
});
