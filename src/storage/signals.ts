// Owns reading what the scoring engine is given about a chunk of accounts: their facts
// and their signals, one query per signal table per chunk (per metric for usage), each
// limited to the history the health model reads of that source (its lookback) and to
// the metrics, events and CRM fields it names. Usage, the largest source by far, is
// aggregated where it lies: the sums, counts and newest days of the windows the model
// reads (usageWindows), never its days one by one. Times come back as epoch
// milliseconds on both providers.
import { usageWindowKey, usageWindows, type ReadWindow } from '../health/measures.ts';
import type { HealthModel } from '../health/model.ts';
import {
  DAY_MS,
  emptySignals,
  endOfDay,
  windowBounds,
  type AccountFacts,
  type AccountSignals,
  type UsageHistory,
  type UsagePoint,
  type UsageSummary,
  type UsageWindow,
} from '../health/signals.ts';
import { epochMs, jsonArray, numberOrNull, parseJson, placeholders } from './sql.ts';
import type { BulkSession } from '../ingest/session.ts';

export type SignalSource = 'tickets' | 'surveys' | 'notes' | 'events' | 'crm';

/** What the model reads of each signal source. */
export interface Lookback {
  /** Days of history before the end of the scored day; Infinity: all of it. */
  days: Record<SignalSource, number>;
  /** The usage windows the model aggregates, and what of each it reads. */
  usage: ReadWindow[];
  /** Event names the model counts; null: every event; empty: it reads no events. */
  eventNames: string[] | null;
  crmFields: string[];
}

export interface AccountInput {
  facts: AccountFacts;
  signals: AccountSignals;
}

export function lookbackDays(model: HealthModel): Lookback {
  const days: Record<SignalSource, number> = {
    tickets: 0,
    surveys: 0,
    notes: 0,
    events: 0,
    crm: 0,
  };
  const need = (source: SignalSource, d: number) => (days[source] = Math.max(days[source], d));
  const crmFields = new Set<string>();
  let eventNames: Set<string> | null = new Set();

  for (const spec of Object.values(model.measures)) {
    const signal = spec.signal;
    if (!signal || signal.startsWith('account.') || signal.startsWith('usage.')) continue;
    // Without a window a measure reads the whole history; a trend also reads its baseline.
    const span =
      spec.window === undefined
        ? Infinity
        : spec.window + (spec.aggregate === 'trend' ? (spec.gap ?? 0) + (spec.baseline ?? 0) : 0);
    if (signal === 'tickets') {
      // Tickets open at the day are read whatever their age.
      if (!spec.where?.open) need('tickets', span);
    } else if (signal.startsWith('surveys.')) {
      need('surveys', span);
    } else if (signal === 'notes') {
      need('notes', span);
    } else if (signal.startsWith('events')) {
      if (signal === 'events') eventNames = null;
      else eventNames?.add(signal.slice(7));
      need('events', span);
    } else if (signal.startsWith('crm.')) {
      crmFields.add(signal.slice(4));
      // The fact in force before the window is always read, and a CRM
      // trend compares the value in force now with the one at the window's start.
      need('crm', spec.window ?? 0);
    }
  }
  const li = model.leading_indicators;
  need('surveys', Math.max(li.sentiment_negative.within, model.referral.nps_within));
  need('notes', li.sentiment_negative.within);

  return {
    days,
    usage: usageWindows(model),
    eventNames: eventNames === null ? null : [...eventNames].sort(),
    crmFields: [...crmFields].sort(),
  };
}

const NOTE_SENTIMENT: Record<string, number> = { positive: 1, neutral: 0, negative: -1 };

interface Window {
  /** Only rows after this time (exclusive); null: all history. */
  since: Date | null;
  end: Date;
}

function windowOf(day: number, days: number): Window {
  const end = endOfDay(day);
  return { since: Number.isFinite(days) ? new Date(end - days * DAY_MS) : null, end: new Date(end) };
}

/** `column` within the window, with its parameters. */
function within(column: string, w: Window): [string, Date[]] {
  return w.since ? [`${column} > ? AND ${column} <= ?`, [w.since, w.end]] : [`${column} <= ?`, [w.end]];
}

/**
 * The facts and signals of the given accounts as of `day` (UTC midnight, epoch ms),
 * in the order of `accountIds`; ids without an account are left out.
 */
export async function loadAccountChunk(
  session: BulkSession,
  accountIds: readonly number[],
  day: number,
  lookback: Lookback,
): Promise<AccountInput[]> {
  if (accountIds.length === 0) return [];
  const ids = placeholders(accountIds);
  const inputs = new Map<number, AccountInput>();

  const end = endOfDay(day);
  const usage = usageColumns(session, lookback.usage, end);
  // Rows come as arrays of their columns (session.rows), in the order each SELECT names them.
  const accounts = await session.rows(
    `SELECT a.id, a.external_id, a.name, a.segment, a.lifecycle_stage, a.industry, a.plan, a.arr, a.seats_purchased, ` +
      `${epochMs(session, 'a.renewal_date')}, ${epochMs(session, 'a.contract_start')}` +
      `${usage.columns.map((c) => `, ${c}`).join('')} FROM accounts a WHERE a.id IN (${ids})`,
    [...usage.params, ...accountIds],
  );
  for (const a of accounts) {
    const id = Number(a[0]);
    inputs.set(id, {
      facts: {
        id,
        externalId: a[1] as string,
        name: a[2] as string,
        segment: a[3] as string | null,
        lifecycleStage: a[4] as string | null,
        industry: a[5] as string | null,
        plan: a[6] as string | null,
        arr: numberOrNull(a[7]),
        seatsPurchased: numberOrNull(a[8]),
        renewalDate: numberOrNull(a[9]),
        contractStart: numberOrNull(a[10]),
      },
      signals: emptySignals(usage.history(a, FACT_COLUMNS)),
    });
  }
  const signalsOf = (accountId: unknown) => inputs.get(Number(accountId))!.signals;

  {
    // Every ticket opened within the lookback, and every ticket still open at the end
    // of the day however old: open escalations block referrals and age.
    // Without a lookback (a measure reads the whole history) every ticket opened by
    // the end of the day counts, resolved or not.
    const w = windowOf(day, lookback.days.tickets);
    const [which, whichParams] = w.since
      ? [
          `AND (opened_at > ? OR resolved_at > ? OR (resolved_at IS NULL AND status IN ('open', 'pending'))) `,
          [w.since, w.end],
        ]
      : ['', []];
    const rows = await session.rows(
      `SELECT account_id, ${epochMs(session, 'opened_at')}, ${epochMs(session, 'resolved_at')}, status, priority FROM tickets ` +
        `WHERE account_id IN (${ids}) AND opened_at <= ? ${which}` +
        `ORDER BY account_id, opened_at`,
      [...accountIds, w.end, ...whichParams],
    );
    for (const [accountId, openedAt, resolvedAt, status, priority] of rows) {
      signalsOf(accountId).tickets.push({
        openedAt: Number(openedAt),
        resolvedAt: numberOrNull(resolvedAt),
        status: status as string,
        priority: priority as string,
      });
    }
  }

  {
    const [time, params] = within('responded_at', windowOf(day, lookback.days.surveys));
    const rows = await session.rows(
      `SELECT account_id, kind, score, ${epochMs(session, 'responded_at')} FROM survey_responses ` +
        `WHERE account_id IN (${ids}) AND ${time} ORDER BY account_id, responded_at`,
      [...accountIds, ...params],
    );
    for (const [accountId, kind, score, at] of rows) {
      if (kind === 'nps' || kind === 'csat')
        signalsOf(accountId).surveys.push({ kind, score: Number(score), at: Number(at) });
    }
  }

  {
    const [time, params] = within('noted_at', windowOf(day, lookback.days.notes));
    const rows = await session.rows(
      `SELECT account_id, sentiment, ${epochMs(session, 'noted_at')} FROM sentiment_notes ` +
        `WHERE account_id IN (${ids}) AND ${time} ORDER BY account_id, noted_at`,
      [...accountIds, ...params],
    );
    for (const [accountId, noted, at] of rows) {
      const sentiment = NOTE_SENTIMENT[noted as string];
      if (sentiment !== undefined) signalsOf(accountId).notes.push({ sentiment, at: Number(at) });
    }
  }

  if (lookback.eventNames === null || lookback.eventNames.length) {
    const [time, params] = within('occurred_at', windowOf(day, lookback.days.events));
    const names = lookback.eventNames ?? [];
    const rows = await session.rows(
      `SELECT account_id, event, user_id, ${epochMs(session, 'occurred_at')} FROM usage_events ` +
        `WHERE account_id IN (${ids})${names.length ? ` AND event IN (${placeholders(names)})` : ''} AND ${time} ORDER BY account_id, occurred_at`,
      [...accountIds, ...names, ...params],
    );
    for (const [accountId, event, user, at] of rows)
      signalsOf(accountId).events.push({
        at: Number(at),
        event: event as string,
        user: user as string | null,
      });
  }

  if (lookback.crmFields.length) {
    // The facts observed within the lookback, plus the latest one before it: the value
    // still in force when the lookback starts.
    const { since, end } = windowOf(day, lookback.days.crm);
    const rows = await session.rows(
      `SELECT account_id, field, value, ${epochMs(session, 'observed_at')} FROM crm_facts f ` +
        `WHERE account_id IN (${ids}) AND field IN (${placeholders(lookback.crmFields)}) AND observed_at <= ? AND (observed_at > ? OR observed_at = ` +
        `(SELECT MAX(p.observed_at) FROM crm_facts p WHERE p.account_id = f.account_id AND p.field = f.field AND p.observed_at <= ?)) ` +
        `ORDER BY account_id, field, observed_at`,
      [...accountIds, ...lookback.crmFields, end, since, since],
    );
    for (const [accountId, field, text, at] of rows) {
      const value = text === null || (text as string).trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(value)) continue;
      const crm = signalsOf(accountId).crm;
      let points = crm.get(field as string);
      if (!points) crm.set(field as string, (points = []));
      points.push({ at: Number(at), value });
    }
  }

  return accountIds.map((id) => inputs.get(id)).filter((input): input is AccountInput => input !== undefined);
}

const NO_DAYS: UsageSummary = { days: 0, sum: 0, newest: null };

/** The accounts query's fact columns, before the usage windows' columns. */
const FACT_COLUMNS = 11;

/**
 * The model's usage windows as columns of the accounts query: per window, a subquery
 * aggregating the account's days of the metric within it (an index range of its own,
 * which SQLite walks far faster than grouping the chunk's rows) into a small JSON array
 * [days, sum, newest day], and [day, value] of the newest day where a `latest` measure
 * reads it. `history` answers the engine from one row of that query.
 */
function usageColumns(
  session: BulkSession,
  windows: Lookback['usage'],
  end: number,
): { columns: string[]; params: unknown[]; history(row: readonly unknown[], offset: number): UsageHistory } {
  const columns: string[] = [];
  const params: unknown[] = [];
  // Where each window's columns are among the usage columns.
  const summaryAt: (number | null)[] = [];
  const latestAt: (number | null)[] = [];
  windows.forEach((w) => {
    const { from, to } = windowBounds(w, end);
    const since = Number.isFinite(from) ? 'u.day > ? AND ' : '';
    const rows = `FROM usage_metrics u WHERE u.account_id = a.id AND u.metric = ? AND ${since}u.day <= ?`;
    const bounds = [w.metric, ...(Number.isFinite(from) ? [new Date(from)] : []), new Date(to)];
    summaryAt.push(w.summary ? columns.length : null);
    if (w.summary) {
      columns.push(
        `(SELECT ${jsonArray(session, ['count(*)', 'sum(u.value)', epochMs(session, 'max(u.day)')])} ${rows})`,
      );
      params.push(...bounds);
    }
    latestAt.push(w.latest ? columns.length : null);
    if (w.latest) {
      columns.push(
        `(SELECT ${jsonArray(session, [epochMs(session, 'u.day'), 'u.value'])} ${rows} ORDER BY u.day DESC LIMIT 1)`,
      );
      params.push(...bounds);
    }
  });
  const keys = new Map(windows.map((w, i) => [usageWindowKey(w), i]));

  return {
    columns,
    params,
    history(row, offset) {
      const summaries = windows.map((_, i): UsageSummary | null => {
        const at = summaryAt[i];
        if (at === null) return null;
        const [days, sum, newest] = parseJson<[unknown, unknown, unknown]>(row[offset + at!]);
        return Number(days) ? { days: Number(days), sum: Number(sum), newest: Number(newest) } : NO_DAYS;
      });
      const latest = windows.map((_, i): UsagePoint | null => {
        const at = latestAt[i];
        const point = at === null ? null : parseJson<[number, number] | null>(row[offset + at!]);
        return point ? { day: Number(point[0]), value: Number(point[1]) } : null;
      });
      const indexOf = (w: UsageWindow, at: number, what: 'summary' | 'latest') => {
        const i = keys.get(usageWindowKey(w));
        // The engine asks only for the windows the model names, as of the day read: anything
        // else is a bug that must not pass for "no usage".
        if (i === undefined || at !== end || !windows[i]![what])
          throw new Error(
            `usage window ${usageWindowKey(w)} (${what}) as of ${at} was not read (read as of ${end})`,
          );
        return i;
      };
      return {
        summary: (w, at) => summaries[indexOf(w, at, 'summary')]!,
        latest: (w, at) => latest[indexOf(w, at, 'latest')]!,
      };
    },
  };
}
