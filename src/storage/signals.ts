// Owns reading what the scoring engine is given about a chunk of accounts: their facts
// and their signals, one query per signal table per chunk, each limited to the history
// the health model reads of that source (its lookback) and to the metrics, events and
// CRM fields it names. Times come back as epoch milliseconds on both providers.
import type { HealthModel } from '../health/model.ts';
import {
  DAY_MS,
  emptySignals,
  endOfDay,
  type AccountFacts,
  type AccountSignals,
  type UsagePoint,
} from '../health/signals.ts';
import { epochMs, jsonList, numberOrNull, parseJson, placeholders } from './sql.ts';
import type { BulkSession } from '../ingest/session.ts';

export type SignalSource = 'usage' | 'tickets' | 'surveys' | 'notes' | 'events' | 'crm';

/** What the model reads of each signal source. */
export interface Lookback {
  /** Days of history before the end of the scored day; Infinity: all of it. */
  days: Record<SignalSource, number>;
  /** Usage, the largest source, per metric: metric -> days. */
  usageMetrics: Record<string, number>;
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
    usage: 0,
    tickets: 0,
    surveys: 0,
    notes: 0,
    events: 0,
    crm: 0,
  };
  const need = (source: SignalSource, d: number) => (days[source] = Math.max(days[source], d));
  const usageMetrics: Record<string, number> = {};
  const needUsage = (signal: string, d: number) => {
    const metric = signal.slice(6);
    usageMetrics[metric] = Math.max(usageMetrics[metric] ?? 0, d);
    need('usage', d);
  };
  const crmFields = new Set<string>();
  let eventNames: Set<string> | null = new Set();

  for (const spec of Object.values(model.measures)) {
    const signal = spec.signal;
    if (!signal || signal.startsWith('account.')) continue;
    // Without a window a measure reads the whole history; a trend also reads its baseline.
    const span =
      spec.window === undefined
        ? Infinity
        : spec.window + (spec.aggregate === 'trend' ? (spec.gap ?? 0) + (spec.baseline ?? 0) : 0);
    if (signal.startsWith('usage.')) {
      needUsage(signal, span);
    } else if (signal === 'tickets') {
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
  for (const rule of model.drops) {
    if ('signal' in rule) needUsage(rule.signal, rule.window + (rule.gap ?? 0) + rule.baseline);
  }
  const li = model.leading_indicators;
  needUsage(
    li.usage_decline.signal,
    li.usage_decline.window + (li.usage_decline.gap ?? 0) + li.usage_decline.baseline,
  );
  need('surveys', Math.max(li.sentiment_negative.within, model.referral.nps_within));
  need('notes', li.sentiment_negative.within);

  return {
    days,
    usageMetrics,
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

  const accounts = await session.all<Record<string, unknown>>(
    `SELECT id, external_id, name, segment, lifecycle_stage, industry, plan, arr, seats_purchased, ` +
      `${epochMs(session, 'renewal_date')} AS renewal_date, ${epochMs(session, 'contract_start')} AS contract_start ` +
      `FROM accounts WHERE id IN (${ids})`,
    accountIds,
  );
  for (const a of accounts) {
    const id = Number(a.id);
    inputs.set(id, {
      facts: {
        id,
        externalId: a.external_id as string,
        name: a.name as string,
        segment: a.segment as string | null,
        lifecycleStage: a.lifecycle_stage as string | null,
        industry: a.industry as string | null,
        plan: a.plan as string | null,
        arr: numberOrNull(a.arr),
        seatsPurchased: numberOrNull(a.seats_purchased),
        renewalDate: numberOrNull(a.renewal_date),
        contractStart: numberOrNull(a.contract_start),
      },
      signals: emptySignals(),
    });
  }
  const signalsOf = (accountId: unknown) => inputs.get(Number(accountId))!.signals;

  const metrics = Object.entries(lookback.usageMetrics);
  if (metrics.length) {
    // One range per metric, each over its own lookback (most metrics need far less
    // history than the longest trend), so the primary key is walked only where it
    // matters. Each metric's days and values come as two JSON arrays: a row per account
    // and metric instead of one per day is much less to read. Points arrive in the key's
    // day order on SQLite; the engine does not depend on their order anyway.
    const order = session.dialect === 'sqlite' ? null : 'day';
    const parts = metrics.map(([metric, days]) => {
      const [time, params] = within('day', windowOf(day, days));
      return {
        sql:
          `SELECT account_id, metric, ${jsonList(session, epochMs(session, 'day'), order)} AS days, ` +
          `${jsonList(session, 'value', order)} AS vals ` +
          `FROM usage_metrics WHERE account_id IN (${ids}) AND metric = ? AND ${time} GROUP BY account_id, metric`,
        params: [...accountIds, metric, ...params],
      };
    });
    const rows = await session.all<{ account_id: number; metric: string; days: unknown; vals: unknown }>(
      parts.map((p) => p.sql).join(' UNION ALL '),
      parts.flatMap((p) => p.params),
    );
    for (const r of rows) {
      const days = parseJson<number[]>(r.days);
      const values = parseJson<number[]>(r.vals);
      const points = new Array<UsagePoint>(days.length);
      for (let i = 0; i < days.length; i++) points[i] = { day: days[i]!, value: values[i]! };
      signalsOf(r.account_id).usage.set(r.metric, points);
    }
  }

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
    const rows = await session.all<{
      account_id: number;
      opened_at: number;
      resolved_at: number | null;
      status: string;
      priority: string;
    }>(
      `SELECT account_id, ${epochMs(session, 'opened_at')} AS opened_at, ${epochMs(session, 'resolved_at')} AS resolved_at, status, priority FROM tickets ` +
        `WHERE account_id IN (${ids}) AND opened_at <= ? ${which}` +
        `ORDER BY account_id, opened_at`,
      [...accountIds, w.end, ...whichParams],
    );
    for (const r of rows) {
      signalsOf(r.account_id).tickets.push({
        openedAt: Number(r.opened_at),
        resolvedAt: numberOrNull(r.resolved_at),
        status: r.status,
        priority: r.priority,
      });
    }
  }

  {
    const [time, params] = within('responded_at', windowOf(day, lookback.days.surveys));
    const rows = await session.all<{ account_id: number; kind: string; score: number; at: number }>(
      `SELECT account_id, kind, score, ${epochMs(session, 'responded_at')} AS at FROM survey_responses ` +
        `WHERE account_id IN (${ids}) AND ${time} ORDER BY account_id, responded_at`,
      [...accountIds, ...params],
    );
    for (const r of rows) {
      if (r.kind === 'nps' || r.kind === 'csat')
        signalsOf(r.account_id).surveys.push({ kind: r.kind, score: Number(r.score), at: Number(r.at) });
    }
  }

  {
    const [time, params] = within('noted_at', windowOf(day, lookback.days.notes));
    const rows = await session.all<{ account_id: number; sentiment: string; at: number }>(
      `SELECT account_id, sentiment, ${epochMs(session, 'noted_at')} AS at FROM sentiment_notes ` +
        `WHERE account_id IN (${ids}) AND ${time} ORDER BY account_id, noted_at`,
      [...accountIds, ...params],
    );
    for (const r of rows) {
      const sentiment = NOTE_SENTIMENT[r.sentiment];
      if (sentiment !== undefined) signalsOf(r.account_id).notes.push({ sentiment, at: Number(r.at) });
    }
  }

  if (lookback.eventNames === null || lookback.eventNames.length) {
    const [time, params] = within('occurred_at', windowOf(day, lookback.days.events));
    const names = lookback.eventNames ?? [];
    const rows = await session.all<{ account_id: number; event: string; user_id: string | null; at: number }>(
      `SELECT account_id, event, user_id, ${epochMs(session, 'occurred_at')} AS at FROM usage_events ` +
        `WHERE account_id IN (${ids})${names.length ? ` AND event IN (${placeholders(names)})` : ''} AND ${time} ORDER BY account_id, occurred_at`,
      [...accountIds, ...names, ...params],
    );
    for (const r of rows)
      signalsOf(r.account_id).events.push({ at: Number(r.at), event: r.event, user: r.user_id });
  }

  if (lookback.crmFields.length) {
    // The facts observed within the lookback, plus the latest one before it: the value
    // still in force when the lookback starts.
    const { since, end } = windowOf(day, lookback.days.crm);
    const rows = await session.all<{ account_id: number; field: string; value: string | null; at: number }>(
      `SELECT account_id, field, value, ${epochMs(session, 'observed_at')} AS at FROM crm_facts f ` +
        `WHERE account_id IN (${ids}) AND field IN (${placeholders(lookback.crmFields)}) AND observed_at <= ? AND (observed_at > ? OR observed_at = ` +
        `(SELECT MAX(p.observed_at) FROM crm_facts p WHERE p.account_id = f.account_id AND p.field = f.field AND p.observed_at <= ?)) ` +
        `ORDER BY account_id, field, observed_at`,
      [...accountIds, ...lookback.crmFields, end, since, since],
    );
    for (const r of rows) {
      const value = r.value === null || r.value.trim() === '' ? Number.NaN : Number(r.value);
      if (!Number.isFinite(value)) continue;
      const crm = signalsOf(r.account_id).crm;
      let points = crm.get(r.field);
      if (!points) crm.set(r.field, (points = []));
      points.push({ at: Number(r.at), value });
    }
  }

  return accountIds.map((id) => inputs.get(id)).filter((input): input is AccountInput => input !== undefined);
}
