// Owns the scoring benchmark's book: a freshly migrated SQLite database of N accounts
// with 90 days of daily usage ending at the scoring day, support tickets, NPS and CSAT
// answers, CRM ARR facts and CSM notes. The rows go straight in through better-sqlite3
// in large transactions, each table in its key order, not through the importer (the
// import section measures that): here the book only has to exist, fast. Deterministic:
// one seeded generator draws every value, account after account, so a smaller book is
// the start of a larger one.
import Database from 'better-sqlite3';
import { DAY_MS } from '../src/health/signals.ts';
import { parseDatabaseUrl } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { Random, type Weighted } from '../src/lib/random.ts';

const HOUR_MS = 3_600_000;

/** The scored day (UTC midnight): the last day of usage. */
export const SCORING_DAY = Date.UTC(2026, 8, 30);
/**
 * When the book's signals last changed: the next morning's import. Scoring runs after
 * it (bench/scoring-steps.ts), so a re-run finds nothing new.
 */
export const SIGNALS_CHANGED_AT = SCORING_DAY + DAY_MS + 6 * HOUR_MS;
export const USAGE_DAYS = 90;
/** The metrics the default model reads from usage, in key order. */
export const METRICS = ['active_users', 'features_used', 'logins', 'seats_used'] as const;

export interface BookCounts {
  accounts: number;
  usage: number;
  tickets: number;
  surveys: number;
  crmFacts: number;
  notes: number;
}

const SEED = 20260930;
// Accounts per transaction: big enough that commits cost nothing, small enough that
// the rows of one stay a few MB.
const ACCOUNTS_PER_TRANSACTION = 2000;
const END_OF_DAY = SCORING_DAY + DAY_MS - 1;

const INDUSTRIES = ['Software', 'Retail', 'Healthcare', 'Financial Services', 'Education', 'Logistics'];
const SEGMENTS: Weighted<string> = [
  ['smb', 60],
  ['mid_market', 30],
  ['enterprise', 10],
];
const LIFECYCLE_STAGES: Weighted<string> = [
  ['onboarding', 10],
  ['adopting', 25],
  ['mature', 50],
  ['renewing', 15],
];
const PLANS: Record<string, string> = {
  smb: 'starter',
  mid_market: 'growth',
  enterprise: 'enterprise',
};
const PRIORITIES: Weighted<string> = [
  ['P1', 5],
  ['P2', 15],
  ['P3', 45],
  ['P4', 35],
];
const RESOLUTION_HOURS: Record<string, [number, number]> = {
  P1: [2, 48],
  P2: [8, 120],
  P3: [24, 240],
  P4: [48, 480],
};
const NOTE_SENTIMENTS = ['negative', 'neutral', 'positive'];

/** Migrates a fresh database at `file` and fills it with a book of `accounts` accounts. */
export async function generateBook(file: string, accounts: number): Promise<BookCounts> {
  const { applied } = await migrate(parseDatabaseUrl(`file:${file}`));
  if (applied.length === 0) throw new Error(`${file} is not a fresh database`);
  const db = new Database(file);
  try {
    // A throwaway file written once: no journal, no syncs, no foreign key lookups
    // (every id written is one just inserted).
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    return fill(db, accounts);
  } finally {
    db.close();
  }
}

function fill(db: Database.Database, accounts: number): BookCounts {
  const random = new Random(SEED);
  const counts: BookCounts = { accounts, usage: 0, tickets: 0, surveys: 0, crmFacts: 0, notes: 0 };
  const insertAccount = db.prepare(
    'INSERT INTO accounts (id, external_id, name, industry, segment, lifecycle_stage, plan, arr, seats_purchased, ' +
      'contract_start, renewal_date, created_at, updated_at, signals_changed_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // One statement per metric of an account: a row per day, 90 rows a call.
  const insertUsage = db.prepare(
    `INSERT INTO usage_metrics (account_id, metric, day, value) VALUES ${Array(USAGE_DAYS).fill('(?, ?, ?, ?)').join(', ')}`,
  );
  const insertTicket = db.prepare(
    'INSERT INTO tickets (external_id, account_id, status, priority, opened_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertSurvey = db.prepare(
    'INSERT INTO survey_responses (external_id, account_id, kind, score, responded_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertCrmFact = db.prepare(
    "INSERT INTO crm_facts (account_id, field, value, observed_at) VALUES (?, 'arr', ?, ?)",
  );
  const insertNote = db.prepare(
    'INSERT INTO sentiment_notes (external_id, account_id, author, sentiment, noted_at) VALUES (?, ?, ?, ?, ?)',
  );
  // The parameters of each metric's statement, reused account after account.
  const usageParams: unknown[][] = METRICS.map((metric) =>
    Array.from({ length: USAGE_DAYS * 4 }, (_, i) => (i % 4 === 1 ? metric : 0)),
  );
  const firstDay = SCORING_DAY - (USAGE_DAYS - 1) * DAY_MS;

  const writeAccount = (id: number) => {
    const segment = random.weighted(SEGMENTS);
    // ARR from 5k to 500k, log-uniform: as many accounts from 5k to 50k as from 50k up.
    const arr = Math.round((5_000 * 100 ** random.next()) / 100) * 100;
    const seats = Math.max(5, Math.round((arr / 1_000) * random.between(0.8, 1.2)));
    const renewal = SCORING_DAY + random.int(1, 365) * DAY_MS;
    insertAccount.run(
      id,
      `ACC-${String(id).padStart(6, '0')}`,
      `Account ${id}`,
      random.pick(INDUSTRIES),
      segment,
      random.weighted(LIFECYCLE_STAGES),
      PLANS[segment],
      arr,
      seats,
      renewal - 365 * DAY_MS,
      renewal,
      SIGNALS_CHANGED_AT,
      SIGNALS_CHANGED_AT,
      SIGNALS_CHANGED_AT,
    );

    // Usage: steady with a little noise; one account in eight has been losing users for
    // the last three weeks, by 20-60%, and drops some features with them.
    const mood = random.next();
    const declining = random.chance(0.125);
    const activeShare = random.between(0.3, 0.95);
    const loginsPerUser = random.between(0.8, 3);
    const features = random.between(2, 30);
    const fallTo = random.between(0.4, 0.8);
    for (let d = 0; d < USAGE_DAYS; d++) {
      const daysLeft = USAGE_DAYS - 1 - d;
      const trend = declining && daysLeft < 21 ? 1 - (1 - fallTo) * ((21 - daysLeft) / 21) : 1;
      const active = Math.round(seats * activeShare * trend * random.between(0.9, 1.1));
      const values = [
        active,
        Math.round(features * (declining ? 0.5 + trend / 2 : 1) * random.between(0.85, 1.15)),
        Math.round(active * loginsPerUser * random.between(0.85, 1.15)),
        Math.min(seats, Math.round(active * 1.15) + random.int(0, 2)),
      ];
      const day = firstDay + d * DAY_MS;
      usageParams.forEach((params, m) => {
        params[d * 4] = id;
        params[d * 4 + 2] = day;
        params[d * 4 + 3] = values[m]!;
      });
    }
    for (const params of usageParams) insertUsage.run(params);
    counts.usage += USAGE_DAYS * METRICS.length;

    // About five tickets over 90 days; those not resolved by the end of the day are
    // open or pending.
    const opened = Array.from({ length: random.int(2, 8) }, () =>
      Math.floor(END_OF_DAY - random.next() * USAGE_DAYS * DAY_MS),
    ).sort((a, b) => a - b);
    for (const openedAt of opened) {
      const priority = random.weighted(PRIORITIES);
      const [fastest, slowest] = RESOLUTION_HOURS[priority]!;
      const resolvedAt = openedAt + Math.round(random.between(fastest, slowest) * HOUR_MS);
      const resolved = resolvedAt <= END_OF_DAY;
      counts.tickets++;
      insertTicket.run(
        `T-${counts.tickets}`,
        id,
        resolved ? random.pick(['resolved', 'closed']) : random.pick(['open', 'pending']),
        priority,
        openedAt,
        resolved ? resolvedAt : null,
      );
    }

    // About two NPS answers over the last 300 days and one CSAT answer over the last
    // 150, happier on happier accounts.
    const answers = [
      ...Array.from({ length: random.int(0, 4) }, () => ({ kind: 'nps', days: 300 })),
      ...Array.from({ length: random.int(0, 2) }, () => ({ kind: 'csat', days: 150 })),
    ]
      .map(({ kind, days }) => ({ kind, at: Math.floor(END_OF_DAY - random.next() * days * DAY_MS) }))
      .sort((a, b) => a.at - b.at);
    for (const { kind, at } of answers) {
      const score =
        kind === 'nps'
          ? Math.min(10, Math.max(0, Math.round(3 + mood * 7 + random.between(-2, 2))))
          : Math.min(5, Math.max(1, Math.round(1.5 + mood * 3.5 + random.between(-1, 1))));
      counts.surveys++;
      insertSurvey.run(`S-${counts.surveys}`, id, kind, score, at);
    }

    // Three accounts in five have ARR history: the ARR of 13-24 months ago, and for some
    // a change within the last year to today's ARR.
    if (random.chance(0.6)) {
      const before = Math.round(arr / random.between(0.8, 1.3) / 100) * 100;
      const facts: [number, number][] = [[before, END_OF_DAY - random.int(395, 730) * DAY_MS]];
      if (random.chance(0.5)) facts.push([arr, END_OF_DAY - random.int(1, 364) * DAY_MS]);
      for (const [value, at] of facts) insertCrmFact.run(id, String(value), at);
      counts.crmFacts += facts.length;
    }

    // Two accounts in five have CSM notes within the last 90 days.
    if (random.chance(0.4)) {
      const notes = Array.from({ length: random.int(1, 3) }, () =>
        Math.floor(END_OF_DAY - random.next() * USAGE_DAYS * DAY_MS),
      ).sort((a, b) => a - b);
      for (const at of notes) {
        const sentiment = NOTE_SENTIMENTS[Math.min(2, Math.floor(mood * 2 + random.next()))]!;
        counts.notes++;
        insertNote.run(`N-${counts.notes}`, id, 'csm@example.com', sentiment, at);
      }
    }
  };

  const writeAccounts = db.transaction((from: number, to: number) => {
    for (let id = from; id <= to; id++) writeAccount(id);
  });
  for (let from = 1; from <= accounts; from += ACCOUNTS_PER_TRANSACTION)
    writeAccounts(from, Math.min(accounts, from + ACCOUNTS_PER_TRANSACTION - 1));
  return counts;
}
