// Owns finding accounts from what a person types (`/health <account>`): by external
// id, by domain, or by name, forgiving case, punctuation, word order and partial
// words, with the nearest names as suggestions when nothing matches; and the accounts
// a viewer owns, with their latest Health Index. Each lookup is a few bounded queries:
// the accounts table is never read into memory, so it stays fast on a large book.
import type { Colour, Grade, RiskTier } from '../health/model.ts';
import { RISK_TIERS } from '../health/model.ts';
import { Prisma, type Db } from './db.ts';
import type { AccountRef } from './portfolio.ts';
import { latestScoredDay } from './snapshots.ts';
import { numberOrNull } from './sql.ts';

/** Longer text is refused rather than searched: no account name is that long. */
export const MAX_QUERY_LENGTH = 200;
/** The most accounts a `several` answer lists. */
export const MAX_MATCHES = 25;
/** The most suggestions a `none` answer gives. */
export const MAX_SUGGESTIONS = 5;

/** An account as found, with the day it churned if it did: churned accounts are found, and marked. */
export type FoundAccount = Prisma.AccountModel & { churnedOn: Date | null };

export type AccountSearch =
  | { kind: 'one'; account: FoundAccount }
  /** Best first; `total` counts every match, of which at most MAX_MATCHES are listed. */
  | { kind: 'several'; accounts: FoundAccount[]; total: number }
  /** The nearest names, best first (none when nothing is near). */
  | { kind: 'none'; suggestions: FoundAccount[] }
  | { kind: 'invalid'; reason: 'empty' | 'too long' };

// Words beyond these are ignored: each costs a condition on every candidate row.
const MAX_WORDS = 8;
// A query word shorter than this matches only at the start of a name's word: inside
// words, one or two letters match nearly everything ("a_me" must not find "Acme"),
// and a scan that keeps most of the book is slow to rank.
const MIN_INSIDE_WORD = 3;
// An external id with more letters than this (2^8 spellings) is looked up as typed,
// all lower and all upper case only.
const MAX_ID_SPELLINGS = 256;
// Suggestions are ranked in JS from at most this many names.
const MAX_CANDIDATES = 500;

// Characters that separate words in company names ("Acme-Corp", "Smith, Jones & Co.",
// "AT&T", "Acme (EU)"). SQL turns each into a space so that the word rules read a
// stored name as they read what was typed, where anything but a letter or a digit
// separates words.
const SEPARATORS = ['-', '.', ',', '&', "'", '’', '/', '_', '(', ')', ':', '+', '!', '"', '@', '#'];
const SPACED_NAME = Prisma.raw(
  SEPARATORS.reduce((sql, c) => `replace(${sql}, '${c.replace(/'/g, "''")}', ' ')`, 'lower(name)'),
);

interface Query {
  /** As typed, trimmed: compared with external ids. */
  text: string;
  /** Lower-case words, without repeats, at most MAX_WORDS. */
  words: string[];
  /** Every word run together: "ACME corp." and "acme-corp" are both "acmecorp". */
  compact: string;
  /** The domain the text names, if it names one. */
  domain: string | null;
}

/** The account a person's words name: by external id, then domain, then name. */
export async function findAccount(db: Db, typed: string): Promise<AccountSearch> {
  // Control characters mean nothing in a name or an id (and PostgreSQL refuses NUL in text).
  const text = typed.replace(/\p{Cc}+/gu, ' ').trim();
  if (!text) return { kind: 'invalid', reason: 'empty' };
  if (text.length > MAX_QUERY_LENGTH) return { kind: 'invalid', reason: 'too long' };
  const all = wordsOf(text);
  const query: Query = {
    text,
    words: [...new Set(all)].slice(0, MAX_WORDS),
    compact: all.join(''),
    domain: domainOf(text),
  };

  const byKey = await keyMatches(db, query);
  if (byKey.length) return answer(db, byKey, byKey.length);

  if (query.words.length) {
    const named = await nameMatches(db, query);
    if (named.ids.length) {
      // One account whose name is the query beats others that merely contain it.
      const exact = named.tiers.filter((t) => t === 0).length === 1;
      return exact ? answer(db, named.ids.slice(0, 1), 1) : answer(db, named.ids, named.total);
    }
  }

  const near = await nearestNames(db, query);
  // A name that differs only in spaces and punctuation ("acmecorp", "Acme Corp") is a match.
  const same = near.filter((n) => n.distance === 0).map((n) => n.id);
  if (same.length) return answer(db, same, same.length);
  const ids = near.map((n) => n.id);
  return { kind: 'none', suggestions: await hydrate(db, ids) };
}

async function answer(db: Db, ids: number[], total: number): Promise<AccountSearch> {
  const accounts = await hydrate(db, ids.slice(0, MAX_MATCHES));
  return total === 1 ? { kind: 'one', account: accounts[0]! } : { kind: 'several', accounts, total };
}

/**
 * Accounts whose external id is the text ignoring case (exact case first), else those
 * whose domain the text names. Both are index lookups: the id's case spellings are
 * probed one by one (an id has few letters: "ACC-0042", "cus_a1b2"); beyond
 * MAX_ID_SPELLINGS only the spelling typed, all lower and all upper case are.
 */
async function keyMatches(db: Db, query: Query): Promise<number[]> {
  const spellings = caseVariants(query.text, MAX_ID_SPELLINGS) ?? [
    ...new Set([query.text, query.text.toLowerCase(), query.text.toUpperCase()]),
  ];
  const byDomain = query.domain
    ? Prisma.sql`UNION ALL SELECT id, NULL AS external_id, name FROM accounts WHERE domain = ${query.domain}`
    : Prisma.empty;
  const rows = await db.$queryRaw<{ id: unknown; external_id: string | null }[]>`
    SELECT id, external_id, name FROM accounts WHERE external_id IN (${Prisma.join(spellings)}) ${byDomain}
    ORDER BY name, id`;
  const ids = rows.filter((r) => r.external_id !== null);
  if (ids.length) {
    const exact = ids.filter((r) => r.external_id === query.text);
    return (exact.length ? exact : ids).map((r) => Number(r.id));
  }
  return rows.map((r) => Number(r.id));
}

/**
 * Accounts whose name holds every query word, best first, in tiers: 0 the name is the
 * query (ignoring case, punctuation and spaces), 1 every word is a whole word of the
 * name (any order), 2 every word starts one of its words, 3 every word is inside the
 * name (a short word only at the start of a word, after a space); within a tier,
 * shorter names first.
 */
async function nameMatches(db: Db, query: Query) {
  const all = (words: string[], match: (w: string) => Prisma.Sql) => Prisma.join(words.map(match), ' AND ');
  // Words hold letters and digits only, so no LIKE wildcard typed by a person reaches a pattern.
  const name = await scannedName(db);
  const found = all(query.words, (w) =>
    w.length < MIN_INSIDE_WORD
      ? Prisma.sql`(' ' || ${name}) LIKE ${`% ${w}%`}`
      : Prisma.sql`${name} LIKE ${`%${w}%`}`,
  );
  const padded = Prisma.sql`(' ' || s || ' ')`;
  // Materialised so that each candidate's spaced name is computed once, not once per use.
  const rows = await db.$queryRaw<{ id: unknown; tier: unknown; total: unknown }[]>`
    WITH candidates AS MATERIALIZED (SELECT id, name, ${SPACED_NAME} AS s FROM accounts WHERE ${found})
    SELECT id, tier, COUNT(*) OVER () AS total FROM (
      SELECT id, name, CASE
        WHEN replace(s, ' ', '') = ${query.compact} THEN 0
        WHEN ${all(query.words, (w) => Prisma.sql`${padded} LIKE ${`% ${w} %`}`)} THEN 1
        WHEN ${all(query.words, (w) => Prisma.sql`${padded} LIKE ${`% ${w}%`}`)} THEN 2
        ELSE 3 END AS tier
      FROM candidates
    ) ranked
    ORDER BY tier, length(name), name, id LIMIT ${MAX_MATCHES}`;
  return {
    ids: rows.map((r) => Number(r.id)),
    tiers: rows.map((r) => Number(r.tier)),
    total: rows.length ? Number(rows[0]!.total) : 0,
  };
}

// Per client: whether its database's LIKE ignores case already.
const likeIgnoresCase = new WeakMap<Db, Promise<boolean>>();
const IGNORES_CASE = Prisma.sql`SELECT CASE WHEN 'A' LIKE 'a' THEN 1 ELSE 0 END AS ignores`;

/**
 * The name as the scan of every account compares it with lower-case words: the column
 * itself where LIKE ignores case (SQLite's does for ASCII letters, exactly as its
 * lower() folds them), lower(name) where it does not (PostgreSQL). Lowering 100,000
 * names is a third of the scan's time on SQLite. Asked of the database, once.
 */
async function scannedName(db: Db): Promise<Prisma.Sql> {
  let ignores = likeIgnoresCase.get(db);
  if (!ignores) {
    ignores = db.$queryRaw<{ ignores: unknown }[]>(IGNORES_CASE).then(
      ([row]) => Number(row!.ignores) === 1,
      (error: unknown) => {
        likeIgnoresCase.delete(db); // ask again next time
        throw error;
      },
    );
    likeIgnoresCase.set(db, ignores);
  }
  return (await ignores) ? Prisma.sql`name` : Prisma.sql`lower(name)`;
}

/**
 * The names nearest the query by edit distance, for a query that matched nothing
 * ("acmee", "acem corp"). Candidates are names starting with the first two letters of
 * a query word, either way round: a few index range scans, capped, ranked here. A
 * typo in a word's first two letters therefore finds nothing, which is rare enough.
 */
async function nearestNames(db: Db, query: Query): Promise<{ id: number; distance: number }[]> {
  const starts = new Set<string>();
  for (const w of query.words.slice(0, 3)) {
    if (w.length < 2) continue;
    for (const key of [w.slice(0, 2), w[1]! + w[0]!])
      for (const start of caseVariants(key, 4)!) starts.add(start);
  }
  if (!starts.size) return [];
  const ranges = [...starts].map((start) => Prisma.sql`(name >= ${start} AND name < ${nextPrefix(start)})`);
  const rows = await db.$queryRaw<{ id: unknown; name: string }[]>`
    SELECT id, name FROM accounts WHERE ${Prisma.join(ranges, ' OR ')}
    ORDER BY abs(length(name) - ${query.text.length}), id LIMIT ${MAX_CANDIDATES}`;
  const allowed = Math.max(1, Math.ceil(query.compact.length / 3));
  return rows
    .map((r) => ({ id: Number(r.id), name: r.name, distance: nameDistance(query, r.name, allowed) }))
    .filter((r) => r.distance <= allowed)
    .map((r) => ({ ...r, letters: lettersApart(query.compact, wordsOf(r.name).join('')) }))
    .sort(
      (a, b) =>
        a.distance - b.distance ||
        a.letters - b.letters ||
        a.name.length - b.name.length ||
        compare(a.name, b.name) ||
        a.id - b.id,
    )
    .slice(0, MAX_SUGGESTIONS);
}

/** Full account rows, in the order of `ids`, each with its churn date. */
async function hydrate(db: Db, ids: number[]): Promise<FoundAccount[]> {
  if (!ids.length) return [];
  const rows = await db.account.findMany({
    where: { id: { in: ids } },
    include: {
      outcomes: {
        where: { kind: 'churned' },
        orderBy: { occurredOn: 'desc' },
        take: 1,
        select: { occurredOn: true },
      },
    },
  });
  const byId = new Map(
    rows.map(({ outcomes, ...account }) => [
      account.id,
      { ...account, churnedOn: outcomes[0]?.occurredOn ?? null },
    ]),
  );
  return ids.map((id) => byId.get(id)!);
}

// ---------------------------------------------------------------------------------
// Reading what was typed.

/** Lower-case words: anything but a letter or a digit separates them. */
function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** The domain in a URL or host name as typed ("https://www.acme.io/x" is acme.io), stored domains' form. */
function domainOf(text: string): string | null {
  const host = text
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

/**
 * Every upper/lower-case spelling of a text, or null when there would be more than
 * `max`: indexes compare case-sensitively, so ignoring case means asking for each.
 */
function caseVariants(text: string, max: number): string[] | null {
  let variants = [''];
  for (const c of text) {
    const forms = [...new Set([c.toLowerCase(), c.toUpperCase()])];
    if (variants.length * forms.length > max) return null;
    variants = variants.flatMap((v) => forms.map((f) => v + f));
  }
  return variants;
}

/** The smallest string after every string starting with `prefix`. */
function nextPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------
// Nearness.

/**
 * How far a name is from the query: the smaller of the edit distance between the two
 * run together, and the sum over query words of each one's distance to its nearest
 * name word (or that word's start, so that a partial word with a typo still counts).
 * Exact up to `limit`; anything further is reported as limit + 1.
 */
function nameDistance(query: Query, name: string, limit: number): number {
  const nameWords = wordsOf(name);
  const best = editDistance(query.compact, nameWords.join(''), limit + 1);
  let byWord = 0;
  for (const w of query.words) {
    // Only a word distance that keeps the sum below `best` matters.
    let nearest = Math.min(w.length, best - byWord);
    for (const n of nameWords) {
      if (nearest === 0) break;
      nearest = editDistance(w, n, nearest);
      if (n.length > w.length) nearest = editDistance(w, n.slice(0, w.length), nearest);
    }
    byWord += nearest;
    if (byWord >= best) return best;
  }
  return byWord;
}

/**
 * How many letters two texts do not share, counted with repeats: between names equally
 * near, one with the typed letters in another order ("acem", "acme") is likelier meant
 * than one with other letters ("acam").
 */
function lettersApart(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const c of a) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const c of b) counts.set(c, (counts.get(c) ?? 0) - 1);
  let apart = 0;
  for (const n of counts.values()) apart += Math.abs(n);
  return apart;
}

// Rows of the distance table, reused: ranking suggestions computes thousands of distances.
let rows = [new Uint16Array(64), new Uint16Array(64), new Uint16Array(64)];

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of
 * two neighbouring characters cost one each ("acem" is one from "acme"). Anything at
 * or above `atLeast` is reported as `atLeast`: the caller only wants something smaller.
 */
function editDistance(a: string, b: string, atLeast: number): number {
  if (Math.abs(a.length - b.length) >= atLeast) return atLeast;
  if (rows[0]!.length <= b.length) rows = rows.map(() => new Uint16Array(b.length + 1));
  let [before, previous, current] = rows as [Uint16Array, Uint16Array, Uint16Array];
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  let previousSmallest = 0;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
      smallest = Math.min(smallest, d);
    }
    // A cell draws on the row above (+0 or more) and, for a swap, the one above that
    // (+1): once both are past the bound, every later row is too.
    if (smallest > atLeast && previousSmallest >= atLeast) return atLeast;
    previousSmallest = smallest;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length]!, atLeast);
}

// ---------------------------------------------------------------------------------
// A viewer's own accounts.

export interface Viewer {
  slackId?: string | null;
  email?: string | null;
}

export interface OwnedAccount extends AccountRef {
  /** The latest scored day's figures; null when the account has no snapshot that day. */
  healthIndex: number | null;
  grade: Grade | null;
  colour: Colour | null;
  riskTier: RiskTier | null;
  valueTier: number | null;
  explanation: string | null;
  churnedOn: Date | null;
}

export interface OwnedAccounts {
  /** The scored day the figures are of; null before the first scoring. */
  day: Date | null;
  /** Every account the viewer owns, of which at most `limit` are listed. */
  total: number;
  accounts: OwnedAccount[];
}

// Most at risk first: critical, high, medium, low, then accounts without a tier.
const RISK_ORDER = Prisma.raw(
  `CASE s.risk_tier ${[...RISK_TIERS]
    .reverse()
    .map((t, i) => `WHEN '${t}' THEN ${i}`)
    .join(' ')} ELSE ${RISK_TIERS.length} END`,
);

/**
 * The accounts a viewer owns (their Slack id is the owner's, or their email, in any
 * case), most at risk first and, within a tier, largest ARR first, with the latest
 * scored day's Health Index of each.
 */
export async function accountsOwnedBy(
  db: Db,
  viewer: Viewer,
  options: { limit?: number } = {},
): Promise<OwnedAccounts> {
  // One indexed question per way of owning, so that neither turns the other into a table scan.
  const owns = [
    ...(viewer.slackId ? [Prisma.sql`SELECT id FROM accounts WHERE owner_slack_id = ${viewer.slackId}`] : []),
    ...(viewer.email
      ? [Prisma.sql`SELECT id FROM accounts WHERE lower(owner_email) = ${viewer.email.toLowerCase()}`]
      : []),
  ];
  const day = await latestScoredDay(db);
  if (!owns.length) return { day, total: 0, accounts: [] };
  const snapshot = day ? Prisma.sql`s.day = ${day}` : Prisma.sql`1 = 0`;
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT a.id, a.external_id, a.name, COALESCE(s.arr, a.arr) AS arr, s.health_index, s.grade, s.colour,
      s.risk_tier, s.value_tier, s.explanation, COUNT(*) OVER () AS total,
      (SELECT MAX(c.occurred_on) FROM account_outcomes c WHERE c.account_id = a.id AND c.kind = 'churned') AS churned_on
    FROM (${Prisma.join(owns, ' UNION ')}) owned
    JOIN accounts a ON a.id = owned.id
    LEFT JOIN health_snapshots s ON s.account_id = a.id AND ${snapshot}
    ORDER BY ${RISK_ORDER}, COALESCE(s.arr, a.arr, 0) DESC, a.name, a.id
    LIMIT ${options.limit ?? 10}`;
  return {
    day,
    total: rows.length ? Number(rows[0]!.total) : 0,
    accounts: rows.map((r) => ({
      accountId: Number(r.id),
      externalId: r.external_id as string,
      name: r.name as string,
      arr: numberOrNull(r.arr),
      healthIndex: numberOrNull(r.health_index),
      grade: r.grade as Grade | null,
      colour: r.colour as Colour | null,
      riskTier: r.risk_tier as RiskTier | null,
      valueTier: numberOrNull(r.value_tier),
      explanation: r.explanation as string | null,
      churnedOn: asDate(r.churned_on),
    })),
  };
}

/** A timestamp from an aggregate: a Date on PostgreSQL, epoch milliseconds on SQLite. */
function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(Number(v));
}
