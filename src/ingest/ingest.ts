// Runs an ingestion: validates records as they stream in, stages them in temporary
// tables (which catches duplicates inside one input), and merges every staged kind
// into the real tables in a single transaction. With any invalid record and without
// skipInvalid, nothing is written. Files and API requests both come through here.
import { randomBytes } from 'node:crypto';
import { RecordMapper, type FieldProblem } from './mapping.ts';
import { KINDS, type ImportKind, type KindSpec } from './kinds.ts';
import {
  createStageSql,
  dropStageSql,
  duplicatesSql,
  mergeSql,
  stageKeyColumns,
  stagePlan,
  type StagePlan,
} from './merge.ts';
import type { SourceRecord } from './read.ts';
import type { BulkSession } from './session.ts';

/** One rejected record: where it is and every reason. */
export interface Rejection {
  kind: ImportKind;
  row: number;
  problems: FieldProblem[];
  /** The record as read; for a duplicate, only its key (the source is not kept). */
  fields: Record<string, unknown>;
  duplicate?: boolean;
}

export interface KindCounts {
  kind: ImportKind;
  rowsRead: number;
  /** Records staged (a wide usage row holds several). */
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  ignoredColumns: string[];
}

/** The input had invalid records and nothing was written. */
export class IngestRejected extends Error {
  constructor(
    readonly rejections: Rejection[],
    readonly rejectedCount: number,
  ) {
    super(`${rejectedCount} invalid record${rejectedCount === 1 ? '' : 's'}; nothing was written`);
  }
}

export const MAX_REPORTED_REJECTIONS = 50;
const BATCH = 2_000;

export interface IngestionOptions {
  /** Import the valid records and report the rest, instead of rejecting the whole input. */
  skipInvalid?: boolean;
  /** Called for every rejected record (to write a rejects file, say). */
  onReject?: (rejection: Rejection) => void | Promise<void>;
  /** The import time, stamped on rows; defaults to now. */
  now?: Date;
  /** How many rejections to keep for the error report. */
  keepRejections?: number;
}

interface Staged {
  plan: StagePlan;
  counts: KindCounts;
  mapper: RecordMapper;
}

/**
 * Looks accounts up by external id in batches, remembering what it found, so a file
 * of a million usage rows costs a few hundred queries, not a million, and never
 * loads the accounts table whole.
 */
class AccountIds {
  private readonly known = new Map<string, number | null>();
  constructor(private readonly session: BulkSession) {}

  async load(refs: Iterable<string>): Promise<void> {
    // Bounded: start over before this batch's lookups, never after (its answers must stay).
    if (this.known.size > 200_000) this.known.clear();
    const missing = [...new Set(refs)].filter((r) => !this.known.has(r));
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = await this.session.all<{ id: number; external_id: string }>(
        `SELECT id, external_id FROM accounts WHERE external_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of chunk) this.known.set(r, null);
      for (const r of rows) this.known.set(r.external_id, Number(r.id));
    }
  }

  get(ref: string): number | null | undefined {
    return this.known.get(ref);
  }
}

export class Ingestion {
  private readonly staged = new Map<ImportKind, Staged>();
  private readonly accounts: AccountIds;
  private readonly rejections: Rejection[] = [];
  private rejectedCount = 0;
  private readonly suffix = randomBytes(4).toString('hex');
  private readonly now: Date;

  constructor(
    private readonly session: BulkSession,
    private readonly options: IngestionOptions = {},
  ) {
    this.accounts = new AccountIds(session);
    this.now = options.now ?? new Date();
  }

  get rejected(): number {
    return this.rejectedCount;
  }

  /** The earliest rejections by row (at most keepRejections), for reporting. */
  get firstRejections(): readonly Rejection[] {
    return this.rejections;
  }

  /** Column names of a CSV header that this kind requires but the header lacks. */
  static missingColumns(kind: ImportKind, header: string[]): string[] {
    return new RecordMapper(kind).missingRequired(header);
  }

  private async stageFor(kind: ImportKind): Promise<Staged> {
    let s = this.staged.get(kind);
    if (!s) {
      const plan = stagePlan(KINDS[kind], this.session.dialect, `canary_stage_${kind}_${this.suffix}`);
      await this.session.exec(createStageSql(plan));
      s = {
        plan,
        mapper: new RecordMapper(kind),
        counts: {
          kind,
          rowsRead: 0,
          records: 0,
          inserted: 0,
          updated: 0,
          unchanged: 0,
          rejected: 0,
          ignoredColumns: [],
        },
      };
      this.staged.set(kind, s);
    }
    return s;
  }

  private async reject(
    s: Staged,
    source: SourceRecord,
    problems: FieldProblem[],
    duplicate = false,
  ): Promise<void> {
    s.counts.rejected++;
    this.rejectedCount++;
    const rejection: Rejection = {
      kind: s.plan.spec.kind,
      row: source.row,
      problems,
      fields: source.fields,
      ...(duplicate ? { duplicate } : {}),
    };
    const keep = this.options.keepRejections ?? MAX_REPORTED_REJECTIONS;
    if (this.rejections.length < keep || rejection.row < this.rejections[this.rejections.length - 1]!.row) {
      // Keep the earliest rows: duplicates are found after the other problems.
      this.rejections.push(rejection);
      this.rejections.sort((a, b) => a.row - b.row);
      if (this.rejections.length > keep) this.rejections.pop();
    }
    await this.options.onReject?.(rejection);
  }

  /** Validates and stages every record of a source, given in batches. */
  async stage(
    kind: ImportKind,
    batches: AsyncIterable<SourceRecord[]> | Iterable<SourceRecord[]>,
  ): Promise<void> {
    const s = await this.stageFor(kind);
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += BATCH) {
        const part = batch.length <= BATCH ? batch : batch.slice(i, i + BATCH);
        s.counts.rowsRead += part.length;
        await this.stageBatch(s, part);
      }
    }
    s.counts.ignoredColumns = [...s.mapper.ignoredColumns];
    await this.rejectDuplicates(s);
  }

  /**
   * Rejects every row whose natural key an earlier row of the same input has (a
   * ticket id twice, one account's metric twice on one day), naming that earlier row.
   */
  private async rejectDuplicates(s: Staged): Promise<void> {
    const sql = duplicatesSql(s.plan);
    const [total] = await this.session.all<{ n: number | string }>(sql.count);
    if (!total || Number(total.n) === 0) return;
    const keyColumns = stageKeyColumns(s.plan);
    const page = 5_000;
    for (let offset = 0; ; offset += page) {
      const rows = await this.session.all<Record<string, unknown>>(sql.page, [page, offset]);
      for (const row of rows) {
        const key: Record<string, unknown> = {};
        for (const k of keyColumns)
          key[k === 'account_ref' ? 'account_id' : k] =
            this.session.dialect === 'sqlite' && k === 'day' ? new Date(Number(row[k])) : row[k];
        const keyText = Object.entries(key)
          .map(([k, v]) => `${k} ${formatKey(v)}`)
          .join(', ');
        const duplicateOf = { row: Number(row.first_row), key: keyText };
        await this.reject(
          s,
          { row: Number(row.row_no), fields: key },
          [{ column: null, reason: `duplicate of row ${duplicateOf.row} (same ${keyText})`, duplicateOf }],
          true,
        );
      }
      // Without skipInvalid the input is refused anyway; the count says how many more.
      if (rows.length < page || !this.options.skipInvalid) break;
    }
    if (!this.options.skipInvalid) {
      const counted = Math.min(Number(total.n), page);
      this.rejectedCount += Number(total.n) - counted;
      s.counts.rejected += Number(total.n) - counted;
    }
    s.counts.records -= await this.session.exec(sql.remove);
  }

  private async stageBatch(s: Staged, batch: SourceRecord[]): Promise<void> {
    const { spec } = s.plan;
    // Rejections are reported in row order, whichever check found them.
    const rejected: { source: SourceRecord; problems: FieldProblem[] }[] = [];
    const mapped = [];
    for (const source of batch) {
      const m = s.mapper.map(source);
      if (!m.ok) rejected.push({ source, problems: m.problems });
      else mapped.push({ source, ...m });
    }
    // Which accounts exist: for signals, the accounts they reference; for accounts, whether each is new.
    const refs = mapped.flatMap((m) =>
      m.records.map((r) => (spec.referencesAccount ? r.accountRef! : (r.values.external_id as string))),
    );
    await this.accounts.load(refs);
    const accountsStage = spec.referencesAccount ? this.staged.get('accounts') : undefined;
    const stagedAccounts = accountsStage
      ? await this.stagedExternalIds(accountsStage, refs)
      : new Set<string>();

    const rows: unknown[][] = [];
    for (const m of mapped) {
      const problem = this.relationalProblem(spec, m.records[0]!, m.present, stagedAccounts);
      if (problem) {
        rejected.push({ source: m.source, problems: [problem] });
        continue;
      }
      const present = m.present.reduce((mask, name) => mask | (s.plan.bit[name] ?? 0), 0);
      for (const r of m.records) {
        const values: Record<string, unknown> = {
          ...r.values,
          account_id: spec.referencesAccount ? (this.accounts.get(r.accountRef!) ?? null) : undefined,
        };
        rows.push([
          m.source.row,
          present,
          ...(spec.referencesAccount ? [r.accountRef] : []),
          ...s.plan.columns.map((c) => values[c.name] ?? null),
        ]);
      }
    }
    if (rows.length) {
      await this.session.insertRows(s.plan.table, s.plan.insertColumns, rows);
      s.counts.records += rows.length;
    }
    rejected.sort((a, b) => a.source.row - b.source.row);
    for (const r of rejected) await this.reject(s, r.source, r.problems);
  }

  private async stagedExternalIds(accounts: Staged, refs: string[]): Promise<Set<string>> {
    const unknown = [...new Set(refs)].filter((r) => this.accounts.get(r) === null);
    const found = new Set<string>();
    for (let i = 0; i < unknown.length; i += 500) {
      const chunk = unknown.slice(i, i + 500);
      const rows = await this.session.all<{ external_id: string }>(
        `SELECT external_id FROM ${accounts.plan.table} WHERE external_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) found.add(r.external_id);
    }
    return found;
  }

  private relationalProblem(
    spec: KindSpec,
    record: { accountRef?: string; values: Record<string, unknown> },
    present: string[],
    stagedAccounts: Set<string>,
  ): FieldProblem | null {
    if (spec.referencesAccount) {
      const ref = record.accountRef!;
      if (this.accounts.get(ref) === null && !stagedAccounts.has(ref)) {
        return { column: 'account_id', reason: `unknown account "${ref}"` };
      }
    } else if (spec.requiredOnInsert && this.accounts.get(record.values.external_id as string) === null) {
      const missing = spec.requiredOnInsert.filter((f) => !present.includes(f) || record.values[f] === null);
      if (missing.length)
        return { column: missing[0]!, reason: `a new ${spec.noun} needs ${missing.join(', ')}` };
    }
    return null;
  }

  /**
   * Merges everything staged, in one transaction, accounts first. Throws
   * IngestRejected (writing nothing) if any record was rejected and skipInvalid is off.
   */
  async commit(): Promise<KindCounts[]> {
    try {
      if (this.rejectedCount > 0 && !this.options.skipInvalid)
        throw new IngestRejected(this.rejections, this.rejectedCount);
      const order = [...this.staged.values()].sort(
        (a, b) => Number(b.plan.spec.kind === 'accounts') - Number(a.plan.spec.kind === 'accounts'),
      );
      await this.session.transaction(async () => {
        for (const s of order) await this.merge(s);
      });
      return order.map((s) => s.counts);
    } finally {
      await this.discard();
    }
  }

  private async merge(s: Staged): Promise<void> {
    const sql = mergeSql(s.plan);
    const now = this.now;
    if (sql.resolveAccounts) {
      await this.session.exec(sql.resolveAccounts);
      const unresolved = await this.session.all<{ row_no: number; account_ref: string }>(
        sql.unresolvedAccounts!,
      );
      if (unresolved.length) {
        // Only possible if accounts were deleted while this ingestion ran.
        throw new Error(
          `row ${unresolved[0]!.row_no}: account "${unresolved[0]!.account_ref}" no longer exists`,
        );
      }
    }
    await this.session.exec(sql.markInserts);
    await this.session.exec(sql.markUpdates);
    for (const f of sql.factsForUpdates) await this.session.exec(f, [now]);
    const stamps = (s.plan.spec.updateStamps ?? []).map(() => now);
    s.counts.updated = await this.session.exec(sql.update, stamps);
    s.counts.inserted = await this.session.exec(
      sql.insert,
      (s.plan.spec.insertStamps ?? []).map(() => now),
    );
    for (const f of sql.factsForInserts) await this.session.exec(f, [now]);
    if (s.counts.inserted + s.counts.updated > 0) await this.session.exec(sql.touchAccounts, [now]);
    s.counts.unchanged = s.counts.records - s.counts.inserted - s.counts.updated;
  }

  /** Drops the staging tables; nothing staged is kept. */
  async discard(): Promise<void> {
    for (const s of this.staged.values())
      await this.session.exec(dropStageSql(s.plan)).catch(() => undefined);
    this.staged.clear();
  }
}

function formatKey(v: unknown): string {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return `"${String(v)}"`;
}
