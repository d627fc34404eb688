// Owns the Slack benchmark's book and what it asks of it: the scoring benchmark's book
// (bench/scoring-data.ts), scored, given what `/health` finds accounts by and what a
// card shows. Its "Account N" names, which all share a word, become names of their own
// ("Dumira Labs") with a domain each ("dumira.io"), so that a name word or a domain
// names one account as it does in a real book; the accounts the benchmark asks about
// get 89 days of Health Index history before the scored day (the card's 90-day trend
// chart and its 7- and 30-day changes), and every account a snapshot 7 days before it
// (the portfolio's movers). History is the scored day's snapshot copied with a drift:
// scoring 90 days of 100,000 accounts takes hours, and a card reads its account's rows
// by index, so what a card costs needs its own 90 rows, not everyone's.
import Database from 'better-sqlite3';
import { DAY_MS } from '../src/health/signals.ts';
import { SCORING_DAY } from './scoring-data.ts';

/** How a person names the account in `/health <text>`. */
export type QueryKind = 'external id' | 'name word' | 'domain';
export const QUERY_KINDS: readonly QueryKind[] = ['external id', 'name word', 'domain'];

export interface AccountQuery {
  kind: QueryKind;
  text: string;
  accountId: number;
  /** The name the card's header must show. */
  name: string;
}

/** What the load generator (bench/slack-steps.ts) sends, in this order, after warming the app. */
export const PLAN = {
  warmup: 5,
  sequential: 200,
  concurrent: 200,
  inFlight: 4,
  portfolio: 20,
  besidePortfolio: 10,
} as const;
/** Different accounts the plan asks about: a repeated one would reuse its uploaded chart. */
export const ASKED = PLAN.warmup + PLAN.sequential + PLAN.concurrent + PLAN.besidePortfolio;
/** The smallest book with that many accounts to ask about, spread out. */
export const MIN_ACCOUNTS = 1000;

const HISTORY_DAYS = 90;
const MOVERS_DAYS = 7;

// A name's one distinctive word is three consonant-vowel syllables, the account id
// scrambled (times a multiplier prime to the syllable space, so one id, one word) and
// written in base 70: six letters, so no word is inside another. The second words have
// no consonant-vowel run of six, so none holds a first word either.
const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';
const SYLLABLES = [...CONSONANTS].flatMap((c) => [...VOWELS].map((v) => c + v));
const WORDS = SYLLABLES.length ** 3;
const SCRAMBLE = 7919;
const SECOND_WORDS = ['Labs', 'Systems', 'Health', 'Logistics', 'Retail', 'Group', 'Partners', 'Analytics'];
const TOP_LEVEL_DOMAINS = ['com', 'io', 'co', 'net'];

/** The largest book the names cover. */
export const MAX_ACCOUNTS = WORDS;

function word(id: number): string {
  let n = (id * SCRAMBLE) % WORDS;
  let text = '';
  for (let i = 0; i < 3; i++, n = Math.floor(n / SYLLABLES.length)) text += SYLLABLES[n % SYLLABLES.length];
  return text;
}

export function accountName(id: number): string {
  const w = word(id);
  return `${w[0]!.toUpperCase()}${w.slice(1)} ${SECOND_WORDS[id % SECOND_WORDS.length]}`;
}

export function accountDomain(id: number): string {
  return `${word(id)}.${TOP_LEVEL_DOMAINS[id % TOP_LEVEL_DOMAINS.length]}`;
}

/** As bench/scoring-data.ts writes it. */
const externalId = (id: number) => `ACC-${String(id).padStart(6, '0')}`;

/**
 * `count` different accounts spread over the book (a stride prime to its size), each
 * named by the next way in turn; a domain is sometimes typed as a URL, a name word in
 * lower case, as people type them.
 */
export function accountQueries(accounts: number, count: number): AccountQuery[] {
  if (count > accounts)
    throw new Error(`cannot ask about ${count} different accounts in a book of ${accounts}`);
  let stride = Math.floor(accounts * 0.618);
  while (gcd(stride, accounts) !== 1) stride++;
  return Array.from({ length: count }, (_, i) => {
    const accountId = 1 + ((i * stride) % accounts);
    const kind = QUERY_KINDS[i % QUERY_KINDS.length]!;
    const text =
      kind === 'external id'
        ? externalId(accountId)
        : kind === 'name word'
          ? word(accountId)
          : i % 2
            ? `https://www.${accountDomain(accountId)}/`
            : accountDomain(accountId);
    return { kind, text, accountId, name: accountName(accountId) };
  });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Names and domains for every account, and the history above; run after scoring. */
export function prepareBook(file: string, accounts: number, asked: readonly number[]): { history: number } {
  if (accounts > MAX_ACCOUNTS) throw new Error(`the Slack benchmark names at most ${MAX_ACCOUNTS} accounts`);
  const db = new Database(file, { fileMustExist: true });
  try {
    const rename = db.prepare('UPDATE accounts SET name = ?, domain = ? WHERE id = ?');
    const history = db.transaction(() => {
      for (let id = 1; id <= accounts; id++) rename.run(accountName(id), accountDomain(id), id);
      db.exec('CREATE TEMP TABLE asked (id INTEGER PRIMARY KEY)');
      const ask = db.prepare('INSERT INTO asked (id) VALUES (?)');
      for (const id of asked) ask.run(id);
      // Each account drifts at its own pace (up to 0.2 points a day either way) with a
      // wobble, so that charts differ and the week's movers go both ways.
      const drift = `((s.account_id * 37) % 21 - 10) * 0.02 * back.n + ((s.account_id + back.n * 7) % 5 - 2) * 0.5`;
      return db
        .prepare(
          `INSERT INTO health_snapshots (account_id, day, model_version, health_index, grade, colour, risk_tier,
             value_tier, coverage, referral_score, referral_ready, arr, breakdown, explanation, measure_values, computed_at)
           WITH RECURSIVE back(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM back WHERE n < ${HISTORY_DAYS - 1})
           SELECT s.account_id, s.day - back.n * ${DAY_MS}, s.model_version,
             CASE WHEN s.health_index IS NULL THEN NULL ELSE max(0, min(100, round(s.health_index - ${drift}, 1))) END,
             s.grade, s.colour, s.risk_tier, s.value_tier, s.coverage, s.referral_score, s.referral_ready, s.arr,
             s.breakdown, s.explanation, s.measure_values, s.computed_at - back.n * ${DAY_MS}
           FROM health_snapshots s JOIN back
           WHERE s.day = ? AND (back.n = ${MOVERS_DAYS} OR s.account_id IN (SELECT id FROM asked))`,
        )
        .run(SCORING_DAY).changes;
    })();
    return { history };
  } finally {
    db.close();
  }
}
