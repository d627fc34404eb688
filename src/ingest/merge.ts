// The SQL of an ingestion: a temporary staging table per import kind, and the
// set-based merge from it into the real table (insert what is new, update what
// changed, leave the rest alone, and count each). Pure: builds statements, runs none.
import type { Provider } from '../storage/schema.ts';
import type { ColumnType, KindSpec, TargetColumn } from './kinds.ts';

/** CRM and contract fields whose changes are kept as CrmFact history. */
export const TRACKED_ACCOUNT_FIELDS = [
  'arr',
  'seats_purchased',
  'plan',
  'lifecycle_stage',
  'contract_start',
  'renewal_date',
] as const;

const SQL_TYPE: Record<Provider, Record<ColumnType, string>> = {
  sqlite: { text: 'TEXT', real: 'REAL', int: 'INTEGER', timestamp: 'INTEGER', json: 'TEXT' },
  postgresql: {
    text: 'text',
    real: 'double precision',
    int: 'integer',
    timestamp: 'timestamp(3)',
    json: 'text',
  },
};

export interface StagePlan {
  table: string;
  spec: KindSpec;
  dialect: Provider;
  /** Columns of the staging table that carry target values, in staging order. */
  columns: TargetColumn[];
  /** Staging columns in insert order: row_no, present, [account_ref], ...columns. */
  insertColumns: string[];
  /** Bit of the `present` mask for each value column. */
  bit: Record<string, number>;
}

export function stagePlan(spec: KindSpec, dialect: Provider, table: string): StagePlan {
  const columns: TargetColumn[] = [];
  for (const c of [...spec.key, ...spec.values]) if (!columns.some((x) => x.name === c.name)) columns.push(c);
  const bit: Record<string, number> = {};
  spec.values.forEach((c, i) => (bit[c.name] = 1 << i));
  const insertColumns = [
    'row_no',
    'present',
    ...(spec.referencesAccount ? ['account_ref'] : []),
    ...columns.map((c) => c.name),
  ];
  return { table, spec, dialect, columns, insertColumns, bit };
}

/** The natural key as the staging table holds it: accounts by external id, not yet by row id. */
function stageKey(plan: StagePlan): string[] {
  return plan.spec.key.map((c) => (c.name === 'account_id' ? 'account_ref' : c.name));
}

/**
 * The staging table takes rows in arrival order, with no index: appending is several
 * times faster than keeping a key-ordered tree of a large file, and duplicates are
 * found afterwards in one sorted pass (duplicatesSql).
 */
export function createStageSql(plan: StagePlan): string {
  const t = SQL_TYPE[plan.dialect];
  const cols = [
    `row_no ${t.int} NOT NULL`,
    `present ${t.int} NOT NULL`,
    ...(plan.spec.referencesAccount ? [`account_ref ${t.text} NOT NULL`] : []),
    ...plan.columns.map((c) => `${c.name} ${t[c.type]}`),
    `change ${t.text}`,
  ];
  return `CREATE TEMP TABLE ${plan.table} (${cols.join(', ')})`;
}

export const dropStageSql = (plan: StagePlan) => `DROP TABLE IF EXISTS ${plan.table}`;

/** Staged rows whose natural key an earlier row already has, with that row. */
function duplicateRows(plan: StagePlan): string {
  const key = stageKey(plan).join(', ');
  return `SELECT row_no, first_row, ${key} FROM (SELECT row_no, ${key}, MIN(row_no) OVER (PARTITION BY ${key}) AS first_row FROM ${plan.table}) d WHERE row_no <> first_row`;
}

export function duplicatesSql(plan: StagePlan) {
  const rows = duplicateRows(plan);
  return {
    /** One line per duplicate source row (a wide usage row has several records); parameters: limit, offset. */
    page: `SELECT row_no, MIN(first_row) AS first_row, ${stageKey(plan)
      .map((k) => `MIN(${k}) AS ${k}`)
      .join(', ')} FROM (${rows}) x GROUP BY row_no ORDER BY row_no LIMIT ? OFFSET ?`,
    count: `SELECT COUNT(DISTINCT row_no) AS n FROM (${rows}) x`,
    /** Removes every record of the duplicate rows; returns how many records went. */
    remove: `DELETE FROM ${plan.table} WHERE row_no IN (SELECT row_no FROM (${rows}) x)`,
  };
}

export function stageKeyColumns(plan: StagePlan): string[] {
  return stageKey(plan);
}

/** A staged value as the target column wants it. */
function staged(plan: StagePlan, column: TargetColumn, alias: string): string {
  const ref = `${alias}.${column.name}`;
  return column.type === 'json' && plan.dialect === 'postgresql' ? `CAST(${ref} AS jsonb)` : ref;
}

function keyJoin(plan: StagePlan, target: string, stage: string): string {
  return plan.spec.key.map((c) => `${target}.${c.name} = ${stage}.${c.name}`).join(' AND ');
}

const isPresent = (plan: StagePlan, alias: string, column: string) =>
  `(${alias}.present & ${plan.bit[column]}) <> 0`;

export interface MergeSql {
  resolveAccounts?: string;
  unresolvedAccounts?: string;
  markInserts: string;
  markUpdates: string;
  /** Parameter: the import time (observed_at). */
  factsForUpdates: string[];
  /** Parameter: the import time, once per stamp. */
  update: string;
  insert: string;
  factsForInserts: string[];
  /** Parameter: the import time. */
  touchAccounts: string;
}

export function mergeSql(plan: StagePlan): MergeSql {
  const { spec, table: s } = plan;
  const target = spec.table;
  const valueNames = spec.values.map((c) => c.name);
  const diff = spec.values
    .map((c) => `(${isPresent(plan, s, c.name)} AND t.${c.name} IS DISTINCT FROM ${staged(plan, c, s)})`)
    .join(' OR ');
  const updateStamps = spec.updateStamps ?? [];
  const insertStamps = spec.insertStamps ?? [];
  const sql: MergeSql = {
    markInserts: `UPDATE ${s} SET change = 'i' WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE ${keyJoin(plan, 't', s)})`,
    markUpdates: `UPDATE ${s} SET change = 'u' WHERE change IS NULL AND EXISTS (SELECT 1 FROM ${target} t WHERE ${keyJoin(plan, 't', s)} AND (${diff}))`,
    factsForUpdates: [],
    update:
      `UPDATE ${target} AS t SET ` +
      [
        ...spec.values.map(
          (c) =>
            `${c.name} = CASE WHEN ${isPresent(plan, 's', c.name)} THEN ${staged(plan, c, 's')} ELSE t.${c.name} END`,
        ),
        ...updateStamps.map((name) => `${name} = ?`),
      ].join(', ') +
      ` FROM ${s} AS s WHERE s.change = 'u' AND ${keyJoin(plan, 't', 's')}`,
    insert:
      `INSERT INTO ${target} (${[...spec.key.map((c) => c.name), ...valueNames.filter((n) => !spec.key.some((k) => k.name === n)), ...insertStamps].join(', ')}) ` +
      `SELECT ${[
        ...spec.key.map((c) => `s.${c.name}`),
        ...spec.values
          .filter((c) => !spec.key.some((k) => k.name === c.name))
          .map((c) => `CASE WHEN ${isPresent(plan, 's', c.name)} THEN ${staged(plan, c, 's')} END`),
        ...insertStamps.map(() => '?'),
      ].join(', ')} FROM ${s} AS s WHERE s.change = 'i'` +
      // In the target's key order, new rows append to its primary-key tree instead of
      // landing at random places in it: the difference between seconds and minutes.
      (spec.key.length > 1 ? ` ORDER BY ${spec.key.map((c) => `s.${c.name}`).join(', ')}` : ''),
    factsForInserts: [],
    touchAccounts: spec.referencesAccount
      ? `UPDATE accounts SET signals_changed_at = ? WHERE id IN (SELECT account_id FROM ${s} WHERE change IS NOT NULL)`
      : `UPDATE accounts SET signals_changed_at = ? WHERE external_id IN (SELECT external_id FROM ${s} WHERE change IS NOT NULL)`,
  };
  if (spec.referencesAccount) {
    sql.resolveAccounts = `UPDATE ${s} SET account_id = (SELECT a.id FROM accounts a WHERE a.external_id = ${s}.account_ref) WHERE account_id IS NULL`;
    sql.unresolvedAccounts = `SELECT row_no, account_ref FROM ${s} WHERE account_id IS NULL ORDER BY row_no LIMIT 50`;
  }
  if (spec.kind === 'accounts') {
    for (const field of TRACKED_ACCOUNT_FIELDS) {
      const column = spec.values.find((c) => c.name === field)!;
      const asText = factText(plan.dialect, column, 's');
      sql.factsForUpdates.push(
        `INSERT INTO crm_facts (account_id, field, value, observed_at) SELECT t.id, '${field}', ${asText}, ? FROM ${s} AS s JOIN accounts t ON t.external_id = s.external_id ` +
          `WHERE s.change = 'u' AND ${isPresent(plan, 's', field)} AND t.${field} IS DISTINCT FROM s.${field}` +
          FACT_CONFLICT,
      );
      sql.factsForInserts.push(
        `INSERT INTO crm_facts (account_id, field, value, observed_at) SELECT t.id, '${field}', ${asText}, ? FROM ${s} AS s JOIN accounts t ON t.external_id = s.external_id ` +
          `WHERE s.change = 'i' AND s.${field} IS NOT NULL` +
          FACT_CONFLICT,
      );
    }
  }
  return sql;
}

// Two imports in the same millisecond changing one field: the later value stands.
const FACT_CONFLICT = ' ON CONFLICT (account_id, field, observed_at) DO UPDATE SET value = excluded.value';

/** A CRM fact's value as text: dates as YYYY-MM-DD, numbers as written. */
function factText(dialect: Provider, column: TargetColumn, alias: string): string {
  const ref = `${alias}.${column.name}`;
  if (column.type === 'timestamp') {
    return dialect === 'sqlite'
      ? `strftime('%Y-%m-%d', ${ref} / 1000, 'unixepoch')`
      : `to_char(${ref}, 'YYYY-MM-DD')`;
  }
  if (column.type === 'real' && dialect === 'sqlite') {
    // SQLite prints 1000.0 where PostgreSQL prints 1000; keep facts the same on both.
    return `CASE WHEN ${ref} = CAST(${ref} AS INTEGER) THEN CAST(CAST(${ref} AS INTEGER) AS TEXT) ELSE CAST(${ref} AS TEXT) END`;
  }
  return `CAST(${ref} AS TEXT)`;
}
