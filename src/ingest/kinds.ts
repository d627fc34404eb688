// The import kinds: for each, the fields a record may carry (canonical names and the
// aliases exports commonly use), how a field is validated, and the table and natural
// key its records land in. The same definitions serve file imports and the HTTP API.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  canonicalJson,
  count,
  nonNegative,
  day,
  integerIn,
  jsonObject,
  optionalIntegerIn,
  number,
  oneOf,
  requiredDay,
  requiredText,
  requiredTimestamp,
  text,
  timestamp,
} from './fields.ts';

export const IMPORT_KINDS = [
  'accounts',
  'usage',
  'events',
  'tickets',
  'surveys',
  'notes',
  'outcomes',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type ColumnType = 'text' | 'real' | 'int' | 'timestamp' | 'json';

/** A column of a target table as the merge writes it. */
export interface TargetColumn {
  name: string;
  type: ColumnType;
}

/** One record ready for staging: target column values, plus the account it belongs to. */
export interface StagedRecord {
  accountRef?: string;
  values: Record<string, unknown>;
}

export interface FieldSpec {
  schema: z.ZodType;
  /** The field must be present in every record (a CSV file must have its column). */
  required?: boolean;
  aliases?: readonly string[];
}

export interface KindSpec {
  kind: ImportKind;
  /** What one record is, in the product's words (for messages). */
  noun: string;
  table: string;
  fields: Record<string, FieldSpec>;
  /** Cross-field checks on a parsed record; return [field, reason] pairs. */
  check?: (record: Record<string, unknown>, present: ReadonlySet<string>) => [string, string][];
  /** Columns of the target forming the natural key (account_id is resolved from accountRef). */
  key: TargetColumn[];
  /** Columns the merge inserts and updates. */
  values: TargetColumn[];
  /** Columns that must have a value when the merge inserts a new row. */
  requiredOnInsert?: string[];
  /** Timestamp columns set to the import time on insert / on update. */
  insertStamps?: string[];
  updateStamps?: string[];
  /** Records reference an account by its external id (field `account_id`). */
  referencesAccount: boolean;
  /**
   * Wide files: columns that are not fields become records of their own (usage:
   * `account_id,date,active_users,logins` is two metrics per row).
   */
  extraColumns?: 'metrics';
  /** Turns a validated record into the records it stages, with which value columns it sets. */
  toRecords: (
    record: Record<string, unknown>,
    present: ReadonlySet<string>,
    extra: Record<string, unknown>,
  ) => {
    records: StagedRecord[];
    present: string[];
  };
}

const accountRef: FieldSpec = {
  schema: requiredText(200),
  required: true,
  aliases: ['account', 'account_external_id', 'customer_id', 'company_id', 'group_id'],
};

/** A stable external id from the fields that identify a record, for sources that have none. */
export function derivedId(prefix: string, ...parts: unknown[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p instanceof Date ? p.toISOString() : String(p ?? '')).update('\u0000');
  return `${prefix}:${h.digest('hex').slice(0, 24)}`;
}

/** Metric names are snake_case; a few common spellings map to Canary's names. */
const METRIC_SYNONYMS: Record<string, string> = {
  dau: 'active_users',
  daily_active_users: 'active_users',
  active_user: 'active_users',
  users_active: 'active_users',
  login: 'logins',
  login_count: 'logins',
  logins_count: 'logins',
  seats_active: 'seats_used',
  active_seats: 'seats_used',
  feature_count: 'features_used',
  features: 'features_used',
};

export function metricName(raw: string): string | null {
  const name = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9:.]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z][a-z0-9_:.]{0,99}$/.test(name)) return null;
  return METRIC_SYNONYMS[name] ?? name;
}

const present = (record: Record<string, unknown>, fields: ReadonlySet<string>, names: string[]) =>
  names.filter((n) => fields.has(n) && n in record);

const ACCOUNT_COLUMNS: TargetColumn[] = [
  { name: 'name', type: 'text' },
  { name: 'domain', type: 'text' },
  { name: 'industry', type: 'text' },
  { name: 'segment', type: 'text' },
  { name: 'lifecycle_stage', type: 'text' },
  { name: 'plan', type: 'text' },
  { name: 'arr', type: 'real' },
  { name: 'seats_purchased', type: 'int' },
  { name: 'contract_start', type: 'timestamp' },
  { name: 'renewal_date', type: 'timestamp' },
  { name: 'owner_email', type: 'text' },
  { name: 'owner_slack_id', type: 'text' },
  { name: 'attributes', type: 'json' },
];

function normaliseDomain(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return v
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/.*$/, '');
}

const email = () =>
  text(320).refine((v) => v === null || /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v), {
    error: 'expected an email address',
  });

const accounts: KindSpec = {
  kind: 'accounts',
  noun: 'account',
  table: 'accounts',
  referencesAccount: false,
  fields: {
    external_id: {
      required: true,
      schema: requiredText(200),
      aliases: ['id', 'account_id', 'account_external_id', 'customer_id', 'group_id'],
    },
    name: { schema: text(300), aliases: ['account_name', 'company', 'company_name', 'customer_name'] },
    domain: {
      schema: z
        .preprocess(normaliseDomain, text(253))
        .refine((v) => v === null || /^[a-z0-9.-]+\.[a-z]{2,}$/.test(v), {
          error: 'expected a domain such as acme.com',
        }),
      aliases: ['website', 'url', 'company_domain'],
    },
    industry: { schema: text(120), aliases: ['vertical', 'sector'] },
    segment: { schema: text(120), aliases: ['tier', 'customer_segment'] },
    lifecycle_stage: { schema: text(120), aliases: ['stage', 'lifecycle'] },
    plan: { schema: text(120), aliases: ['product_plan', 'subscription_plan'] },
    arr: {
      schema: nonNegative(),
      aliases: ['annual_recurring_revenue', 'contract_value', 'acv'],
    },
    seats_purchased: { schema: count(), aliases: ['seats', 'licenses', 'licensed_seats', 'seats_bought'] },
    contract_start: { schema: day(), aliases: ['contract_start_date', 'start_date', 'customer_since'] },
    renewal_date: { schema: day(), aliases: ['renewal', 'contract_end', 'contract_end_date', 'renews_on'] },
    owner_email: { schema: email(), aliases: ['csm_email', 'owner', 'account_owner_email'] },
    owner_slack_id: {
      schema: text(40).refine((v) => v === null || /^[UW][A-Z0-9]{2,}$/.test(v), {
        error: 'expected a Slack user id such as U024BE7LH',
      }),
      aliases: ['csm_slack_id', 'slack_user_id', 'owner_slack_user_id'],
    },
    attributes: { schema: jsonObject() },
  },
  key: [{ name: 'external_id', type: 'text' }],
  values: ACCOUNT_COLUMNS,
  check(record, fields) {
    return fields.has('name') && record.name === null ? [['name', 'an account name cannot be empty']] : [];
  },
  requiredOnInsert: ['name'],
  insertStamps: ['created_at', 'updated_at'],
  updateStamps: ['updated_at'],
  toRecords(record, fields, extra) {
    const attributes = { ...((record.attributes as Record<string, unknown> | null) ?? {}), ...extra };
    const hasAttributes = fields.has('attributes') || Object.keys(extra).length > 0;
    const values: Record<string, unknown> = {
      ...record,
      attributes: hasAttributes ? canonicalJson(attributes) : null,
    };
    return {
      records: [{ values }],
      present: [
        ...present(
          record,
          fields,
          ACCOUNT_COLUMNS.map((c) => c.name).filter((c) => c !== 'attributes'),
        ),
        ...(hasAttributes ? ['attributes'] : []),
      ],
    };
  },
};

const usage: KindSpec = {
  kind: 'usage',
  noun: 'usage metric',
  table: 'usage_metrics',
  referencesAccount: true,
  extraColumns: 'metrics',
  fields: {
    account_id: accountRef,
    date: { required: true, schema: requiredDay(), aliases: ['day', 'timestamp', 'occurred_on'] },
    metric: { schema: text(100), aliases: ['metric_name', 'name'] },
    value: {
      schema: nonNegative(),
      aliases: ['metric_value', 'count'],
    },
  },
  check(record, fields) {
    if (fields.has('metric') !== fields.has('value'))
      return [
        [fields.has('metric') ? 'value' : 'metric', 'long-format usage needs both metric and value columns'],
      ];
    if (fields.has('metric')) {
      if (record.metric === null) return [['metric', 'required, but empty']];
      if (metricName(record.metric as string) === null)
        return [['metric', `"${String(record.metric)}" is not a metric name (letters, digits, _ : .)`]];
      if (record.value === null) return [['value', 'required, but empty']];
    }
    return [];
  },
  key: [
    { name: 'account_id', type: 'int' },
    { name: 'metric', type: 'text' },
    { name: 'day', type: 'timestamp' },
  ],
  values: [{ name: 'value', type: 'real' }],
  toRecords(record, _fields, extra) {
    const records: StagedRecord[] = [];
    const accountRef = record.account_id as string;
    if (record.metric !== undefined && record.metric !== null) {
      records.push({
        accountRef,
        values: { metric: metricName(record.metric as string), day: record.date, value: record.value },
      });
    }
    for (const [metric, value] of Object.entries(extra)) {
      if (value !== null) records.push({ accountRef, values: { metric, day: record.date, value } });
    }
    return { records, present: ['value'] };
  },
};

const TICKET_STATUS = ['open', 'pending', 'resolved', 'closed'] as const;
const PRIORITY = ['P1', 'P2', 'P3', 'P4'] as const;

const tickets: KindSpec = {
  kind: 'tickets',
  noun: 'ticket',
  table: 'tickets',
  referencesAccount: true,
  fields: {
    ticket_id: { required: true, schema: requiredText(200), aliases: ['id', 'external_id', 'ticket_number'] },
    account_id: accountRef,
    subject: { schema: text(1000), aliases: ['title', 'summary'] },
    status: {
      required: true,
      schema: oneOf(TICKET_STATUS, {
        new: 'open',
        hold: 'pending',
        on_hold: 'pending',
        solved: 'resolved',
        done: 'resolved',
        closed: 'closed',
      }).refine((v) => v !== null, { error: 'required, but empty' }),
      aliases: ['state'],
    },
    priority: {
      required: true,
      schema: oneOf(PRIORITY, {
        urgent: 'P1',
        critical: 'P1',
        '1': 'P1',
        p0: 'P1',
        high: 'P2',
        '2': 'P2',
        normal: 'P3',
        medium: 'P3',
        '3': 'P3',
        low: 'P4',
        '4': 'P4',
      }).refine((v) => v !== null, { error: 'required, but empty' }),
      aliases: ['severity', 'prio'],
    },
    opened_at: {
      required: true,
      schema: requiredTimestamp(),
      aliases: ['created_at', 'opened', 'created', 'submitted_at'],
    },
    resolved_at: { schema: timestamp(), aliases: ['solved_at', 'closed_at', 'resolved'] },
    csat: { schema: optionalIntegerIn(1, 5), aliases: ['satisfaction', 'csat_score'] },
    sentiment: {
      schema: number().refine((v) => v === null || (v >= -1 && v <= 1), {
        error: 'must be between -1 and 1',
      }),
      aliases: ['sentiment_score'],
    },
  },
  check(record) {
    const opened = record.opened_at as Date | null;
    const resolved = record.resolved_at as Date | null | undefined;
    return opened && resolved && resolved < opened ? [['resolved_at', 'is before opened_at']] : [];
  },
  key: [{ name: 'external_id', type: 'text' }],
  values: [
    { name: 'account_id', type: 'int' },
    { name: 'subject', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'priority', type: 'text' },
    { name: 'opened_at', type: 'timestamp' },
    { name: 'resolved_at', type: 'timestamp' },
    { name: 'csat', type: 'int' },
    { name: 'sentiment', type: 'real' },
  ],
  toRecords(record, fields) {
    const values = { ...record, external_id: record.ticket_id };
    return {
      records: [{ accountRef: record.account_id as string, values }],
      present: [
        'account_id',
        ...present(record, fields, [
          'subject',
          'status',
          'priority',
          'opened_at',
          'resolved_at',
          'csat',
          'sentiment',
        ]),
      ],
    };
  },
};

const SURVEY_KINDS = ['nps', 'csat'] as const;

const surveys: KindSpec = {
  kind: 'surveys',
  noun: 'survey response',
  table: 'survey_responses',
  referencesAccount: true,
  fields: {
    response_id: { schema: text(200), aliases: ['id', 'external_id'] },
    account_id: accountRef,
    kind: {
      schema: oneOf(SURVEY_KINDS, { net_promoter_score: 'nps', satisfaction: 'csat' }),
      aliases: ['type', 'survey', 'survey_type'],
    },
    score: { required: true, schema: integerIn(0, 10), aliases: ['rating', 'value', 'nps', 'nps_score'] },
    comment: { schema: text(10_000), aliases: ['feedback', 'verbatim', 'reason', 'text'] },
    respondent: { schema: text(320), aliases: ['email', 'respondent_email', 'user', 'user_id'] },
    responded_at: {
      required: true,
      schema: requiredTimestamp(),
      aliases: ['date', 'submitted_at', 'created_at', 'timestamp'],
    },
  },
  check(record) {
    const kind = (record.kind as string | null) ?? 'nps';
    const score = record.score as number;
    if (kind === 'csat' && (score < 1 || score > 5))
      return [['score', `CSAT must be between 1 and 5, got ${score}`]];
    return [];
  },
  key: [{ name: 'external_id', type: 'text' }],
  values: [
    { name: 'account_id', type: 'int' },
    { name: 'kind', type: 'text' },
    { name: 'score', type: 'int' },
    { name: 'comment', type: 'text' },
    { name: 'respondent', type: 'text' },
    { name: 'responded_at', type: 'timestamp' },
  ],
  toRecords(record, fields) {
    const kind = (record.kind as string | null) ?? 'nps';
    const external_id =
      (record.response_id as string | null) ??
      derivedId('survey', record.account_id, kind, record.respondent, record.responded_at);
    return {
      records: [{ accountRef: record.account_id as string, values: { ...record, kind, external_id } }],
      present: [
        'account_id',
        'kind',
        'score',
        'responded_at',
        ...present(record, fields, ['comment', 'respondent']),
      ],
    };
  },
};

const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

const notes: KindSpec = {
  kind: 'notes',
  noun: 'sentiment note',
  table: 'sentiment_notes',
  referencesAccount: true,
  fields: {
    note_id: { schema: text(200), aliases: ['id', 'external_id'] },
    account_id: accountRef,
    author: { schema: text(320), aliases: ['csm', 'csm_email', 'by'] },
    sentiment: {
      required: true,
      schema: oneOf(SENTIMENTS, {
        green: 'positive',
        good: 'positive',
        '1': 'positive',
        yellow: 'neutral',
        ok: 'neutral',
        '0': 'neutral',
        red: 'negative',
        bad: 'negative',
        '-1': 'negative',
      }).refine((v) => v !== null, { error: 'required, but empty' }),
      aliases: ['csm_sentiment', 'mood'],
    },
    note: { schema: text(10_000), aliases: ['text', 'body', 'comment'] },
    noted_at: { required: true, schema: requiredTimestamp(), aliases: ['date', 'created_at', 'timestamp'] },
  },
  key: [{ name: 'external_id', type: 'text' }],
  values: [
    { name: 'account_id', type: 'int' },
    { name: 'author', type: 'text' },
    { name: 'sentiment', type: 'text' },
    { name: 'note', type: 'text' },
    { name: 'noted_at', type: 'timestamp' },
  ],
  toRecords(record, fields) {
    const external_id =
      (record.note_id as string | null) ??
      derivedId('note', record.account_id, record.author, record.noted_at);
    return {
      records: [{ accountRef: record.account_id as string, values: { ...record, external_id } }],
      present: ['account_id', 'sentiment', 'noted_at', ...present(record, fields, ['author', 'note'])],
    };
  },
};

const OUTCOMES = ['churned', 'renewed', 'expanded', 'contracted'] as const;

const outcomes: KindSpec = {
  kind: 'outcomes',
  noun: 'account outcome',
  table: 'account_outcomes',
  referencesAccount: true,
  fields: {
    account_id: accountRef,
    outcome: {
      required: true,
      schema: oneOf(OUTCOMES, {
        churn: 'churned',
        renewal: 'renewed',
        renew: 'renewed',
        expansion: 'expanded',
        upsell: 'expanded',
        contraction: 'contracted',
        downsell: 'contracted',
      }).refine((v) => v !== null, { error: 'required, but empty' }),
      aliases: ['kind', 'type', 'event'],
    },
    date: {
      required: true,
      schema: requiredDay(),
      aliases: ['occurred_on', 'occurred_at', 'effective_date'],
    },
    arr_change: { schema: number(), aliases: ['delta_arr', 'arr_delta', 'arr_change_usd'] },
    note: { schema: text(10_000), aliases: ['reason', 'comment'] },
  },
  key: [
    { name: 'account_id', type: 'int' },
    { name: 'kind', type: 'text' },
    { name: 'occurred_on', type: 'timestamp' },
  ],
  values: [
    { name: 'arr_change', type: 'real' },
    { name: 'note', type: 'text' },
  ],
  toRecords(record, fields) {
    return {
      records: [
        {
          accountRef: record.account_id as string,
          values: {
            kind: record.outcome,
            occurred_on: record.date,
            arr_change: record.arr_change,
            note: record.note,
          },
        },
      ],
      present: present(record, fields, ['arr_change', 'note']),
    };
  },
};

const events: KindSpec = {
  kind: 'events',
  noun: 'usage event',
  table: 'usage_events',
  referencesAccount: true,
  fields: {
    event_id: { schema: text(200), aliases: ['id', 'external_id', 'message_id', 'messageid'] },
    account_id: accountRef,
    event: { required: true, schema: requiredText(300), aliases: ['name', 'event_name', 'action'] },
    user_id: { schema: text(320), aliases: ['user', 'userid'] },
    occurred_at: { required: true, schema: requiredTimestamp(), aliases: ['timestamp', 'time', 'date'] },
    properties: { schema: jsonObject(), aliases: ['props'] },
  },
  key: [{ name: 'external_id', type: 'text' }],
  values: [
    { name: 'account_id', type: 'int' },
    { name: 'event', type: 'text' },
    { name: 'user_id', type: 'text' },
    { name: 'occurred_at', type: 'timestamp' },
    { name: 'properties', type: 'json' },
  ],
  toRecords(record, fields) {
    const external_id =
      (record.event_id as string | null) ??
      derivedId('event', record.account_id, record.event, record.user_id, record.occurred_at);
    const properties = canonicalJson(
      (record.properties as Record<string, unknown> | null | undefined) ?? null,
    );
    return {
      records: [{ accountRef: record.account_id as string, values: { ...record, properties, external_id } }],
      present: ['account_id', 'event', 'occurred_at', ...present(record, fields, ['user_id', 'properties'])],
    };
  },
};

export const KINDS: Record<ImportKind, KindSpec> = {
  accounts,
  usage,
  events,
  tickets,
  surveys,
  notes,
  outcomes,
};
