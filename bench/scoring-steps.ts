// Owns the scoring benchmark's child processes, one step per process (bench/child.ts),
// so that each step's peak memory is its own:
//   generate DB ACCOUNTS   migrates a fresh SQLite database and writes the book
//   full DB                times runScoring of the scoring day with `full`, the way
//                          `canary score --full` runs it
//   rescore DB             the same call without `full`: the re-run with nothing new
//   baseline DB            times one SQL query per component of the default model,
//                          aggregating the same windows over the same tables
import Database from 'better-sqlite3';
import { loadModel } from '../src/health/model.ts';
import { runScoring } from '../src/health/run.ts';
import { DAY_MS, endOfDay } from '../src/health/signals.ts';
import { openDatabase } from '../src/storage/migrate.ts';
import { report } from './child.ts';
import { generateBook, SCORING_DAY, SIGNALS_CHANGED_AT, type BookCounts } from './scoring-data.ts';

export interface GenerateReport {
  ms: number;
  counts: BookCounts;
}

export interface ScoringReport {
  ms: number;
  scored: number;
  skipped: number;
  /** process.resourceUsage().maxRSS */
  peakRssKiB: number;
}

export interface BaselineReport {
  ms: number;
  /** Result rows read, per component. */
  rows: Record<string, number>;
  peakRssKiB: number;
}

async function generate(file: string, accounts: string): Promise<GenerateReport> {
  const started = performance.now();
  const counts = await generateBook(file, Number(accounts));
  return { ms: performance.now() - started, counts };
}

async function score(file: string, full: boolean): Promise<ScoringReport> {
  // As `canary score` does (cli/context.ts withDatabase): migrate if needed, connect.
  const database = await openDatabase(`file:${file}`);
  try {
    const day = new Date(SCORING_DAY);
    const started = performance.now();
    const [result] = await runScoring(database, {
      model: loadModel(),
      from: day,
      to: day,
      full,
      // The clock of the morning after the day's import, whatever the machine's says:
      // the signals are older than the snapshots, so a re-run finds nothing new.
      now: new Date(SIGNALS_CHANGED_AT + 3_600_000),
    });
    const ms = performance.now() - started;
    return {
      ms,
      scored: result!.scored,
      skipped: result!.skipped,
      peakRssKiB: process.resourceUsage().maxRSS,
    };
  } finally {
    await database.close();
  }
}

/**
 * What the default model reads, component by component, as one query each: per account,
 * the aggregates its measures take over their windows (src/health/default-model.yaml).
 * Each aggregate is a subquery per account, so that every one is an index seek over
 * the account's own rows, as Canary's chunked reads are. Windows end at the end of the
 * scored day and exclude their start, as in src/health/measures.ts.
 */
function componentQueries(day: number): Record<string, string> {
  const end = endOfDay(day);
  const ago = (days: number) => end - days * DAY_MS;
  const usage = (aggregate: string, metric: string, from: number, to = end) =>
    `(SELECT ${aggregate} FROM usage_metrics WHERE account_id = a.id AND metric = '${metric}' AND day > ${from} AND day <= ${to})`;
  const latestUsage = (metric: string, from: number) =>
    `(SELECT value FROM usage_metrics WHERE account_id = a.id AND metric = '${metric}' AND day > ${from} AND day <= ${end} ORDER BY day DESC LIMIT 1)`;
  const latestSurvey = (kind: string, from: number) =>
    `(SELECT score FROM survey_responses WHERE account_id = a.id AND kind = '${kind}' AND responded_at > ${from} AND responded_at <= ${end} ORDER BY responded_at DESC LIMIT 1)`;
  const arrAt = (at: number) =>
    `(SELECT CAST(value AS REAL) FROM crm_facts WHERE account_id = a.id AND field = 'arr' AND observed_at <= ${at} ORDER BY observed_at DESC LIMIT 1)`;
  const tickets = (where: string) => `(SELECT count(*) FROM tickets WHERE account_id = a.id AND ${where})`;
  const query = (columns: string[]) => `SELECT a.id, ${columns.join(', ')} FROM accounts a ORDER BY a.id`;
  return {
    usage: query([
      `${usage('avg(value)', 'active_users', ago(7))} AS active_users_7`,
      `${usage('avg(value)', 'active_users', ago(42), ago(14))} AS active_users_before`,
      `${usage('avg(value)', 'logins', ago(14))} AS logins_14`,
      `${usage('avg(value)', 'active_users', ago(14))} AS active_users_14`,
    ]),
    adoption: query([
      `${usage('avg(value)', 'features_used', ago(14))} AS features_14`,
      `${latestUsage('seats_used', ago(7))} AS seats_used`,
      'a.seats_purchased',
    ]),
    support: query([
      `${tickets(`priority IN ('P1', 'P2') AND opened_at <= ${end} AND (resolved_at > ${end} OR (resolved_at IS NULL AND status IN ('open', 'pending')))`)} AS open_p1_p2`,
      `${tickets(`opened_at > ${ago(30)} AND opened_at <= ${end}`)} AS tickets_30`,
      `${tickets(`opened_at > ${ago(90)} AND opened_at <= ${ago(30)}`)} AS tickets_60_before`,
      `(SELECT avg((resolved_at - opened_at) / 3600000.0) FROM tickets WHERE account_id = a.id AND opened_at > ${ago(90)} AND opened_at <= ${end} AND resolved_at <= ${end}) AS resolution_hours`,
    ]),
    sentiment: query([
      `${latestSurvey('nps', ago(365))} AS nps`,
      `${latestSurvey('csat', ago(180))} AS csat`,
    ]),
    commercial: query([
      `round((a.renewal_date - ${day}) / ${DAY_MS}.0) AS days_to_renewal`,
      `${arrAt(end)} AS arr_now`,
      `${arrAt(ago(365))} AS arr_year_ago`,
    ]),
    engagement: query([
      `(SELECT avg(CASE sentiment WHEN 'positive' THEN 1 WHEN 'neutral' THEN 0 WHEN 'negative' THEN -1 END) FROM sentiment_notes ` +
        `WHERE account_id = a.id AND noted_at > ${ago(60)} AND noted_at <= ${end}) AS note_sentiment`,
      `(SELECT count(*) FROM survey_responses WHERE account_id = a.id AND kind = 'nps' AND responded_at > ${ago(180)} AND responded_at <= ${end}) AS nps_answers`,
    ]),
  };
}

async function baseline(file: string): Promise<BaselineReport> {
  const db = new Database(file, { fileMustExist: true });
  try {
    const started = performance.now();
    const rows: Record<string, number> = {};
    // Every row reaches JavaScript as an object, as Canary's reads (ingest/session.ts) do.
    for (const [component, sql] of Object.entries(componentQueries(SCORING_DAY)))
      rows[component] = db.prepare(sql).all().length;
    const ms = performance.now() - started;
    return { ms, rows, peakRssKiB: process.resourceUsage().maxRSS };
  } finally {
    db.close();
  }
}

const STEPS: Record<string, (file: string, arg?: string) => Promise<unknown>> = {
  generate: (file, accounts) => generate(file, accounts!),
  full: (file) => score(file, true),
  rescore: (file) => score(file, false),
  baseline,
};
const [step, file, arg] = process.argv.slice(2);
if (!step || !STEPS[step] || !file || (step === 'generate' && !arg)) {
  throw new Error(`usage: scoring-steps.ts generate DB ACCOUNTS | full DB | rescore DB | baseline DB`);
}
report(await STEPS[step](file, arg));
