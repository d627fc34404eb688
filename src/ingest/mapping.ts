// Turns a source record (its own column names, raw values) into validated records of
// an import kind: resolves column names and aliases, runs each field's schema, and
// says for every problem which column and why.
import type { z } from 'zod';
import { nonNegative } from './fields.ts';
import { KINDS, metricName, type ImportKind, type KindSpec, type StagedRecord } from './kinds.ts';
import { SHAPE_PROBLEM, type SourceRecord } from './read.ts';

export interface FieldProblem {
  column: string | null;
  reason: string;
  /** For a duplicate: the earlier row with the same natural key, and that key in words. */
  duplicateOf?: { row: number; key: string };
}

export type Mapped =
  { ok: true; records: StagedRecord[]; present: string[] } | { ok: false; problems: FieldProblem[] };

type Resolution = { to: 'field'; field: string } | { to: 'extra'; name: string } | { to: 'ignored' };

export function normaliseColumn(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s\-/]+/g, '_');
}

const ATTRIBUTE_PREFIXES = ['attr.', 'attributes.', 'attr_'];
const extraNumber = nonNegative();

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Remembers what each distinct cell text of a column parsed to. Large files repeat
 * the same dates, account ids and small counts millions of times, and running the
 * schema once per distinct text instead of once per cell is most of an import's
 * validation time. Bounded: starts over past MEMO_LIMIT entries.
 */
class ParseMemo {
  private readonly cache = new Map<string, Parsed>();
  constructor(private readonly schema: z.ZodType) {}
  parse(value: unknown): Parsed {
    if (typeof value !== 'string') return toParsed(this.schema.safeParse(value));
    let r = this.cache.get(value);
    if (!r) {
      r = toParsed(this.schema.safeParse(value));
      if (this.cache.size >= MEMO_LIMIT) this.cache.clear();
      this.cache.set(value, r);
    }
    return r;
  }
}

const MEMO_LIMIT = 20_000;

function toParsed(result: z.ZodSafeParseResult<unknown>): Parsed {
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: result.error.issues[0]?.message ?? 'invalid' };
}

export class RecordMapper {
  readonly spec: KindSpec;
  private readonly lookup = new Map<string, string>();
  private readonly cache = new Map<string, Resolution>();
  private readonly memos = new Map<string, ParseMemo>();
  /** Source columns that mean nothing for this kind (reported, not fatal). */
  readonly ignoredColumns = new Set<string>();

  constructor(kind: ImportKind) {
    this.spec = KINDS[kind];
    for (const [field, fieldSpec] of Object.entries(this.spec.fields)) {
      this.lookup.set(field, field);
      for (const alias of fieldSpec.aliases ?? []) if (!this.lookup.has(alias)) this.lookup.set(alias, field);
    }
  }

  private resolve(column: string): Resolution {
    let r = this.cache.get(column);
    if (r) return r;
    const norm = normaliseColumn(column);
    const field = this.lookup.get(norm);
    if (field) r = { to: 'field', field };
    else if (this.spec.kind === 'accounts') {
      const prefix = ATTRIBUTE_PREFIXES.find((p) => norm.startsWith(p) && norm.length > p.length);
      r = prefix ? { to: 'extra', name: column.trim().slice(prefix.length) } : { to: 'ignored' };
    } else if (this.spec.extraColumns === 'metrics') {
      const metric = metricName(column);
      r = metric ? { to: 'extra', name: metric } : { to: 'ignored' };
    } else r = { to: 'ignored' };
    if (r.to === 'ignored') this.ignoredColumns.add(column);
    this.cache.set(column, r);
    return r;
  }

  private memo(name: string, schema: z.ZodType): ParseMemo {
    let m = this.memos.get(name);
    if (!m) {
      m = new ParseMemo(schema);
      this.memos.set(name, m);
    }
    return m;
  }

  /** Required fields that no column of a header provides. */
  missingRequired(columns: string[]): string[] {
    const provided = new Set(
      columns.map((c) => this.resolve(c)).flatMap((r) => (r.to === 'field' ? [r.field] : [])),
    );
    return Object.entries(this.spec.fields)
      .filter(([field, f]) => f.required && !provided.has(field))
      .map(([field, f]) => (f.aliases?.length ? `${field} (or ${f.aliases.join(', ')})` : field));
  }

  map(source: SourceRecord): Mapped {
    const shape = source.fields[SHAPE_PROBLEM];
    if (typeof shape === 'string')
      return { ok: false, problems: [{ column: null, reason: `the record ${shape}` }] };

    const raw: Record<string, { value: unknown; column: string }> = {};
    const extra: Record<string, { value: unknown; column: string }> = {};
    const problems: FieldProblem[] = [];
    for (const [column, value] of Object.entries(source.fields)) {
      const r = this.resolve(column);
      if (r.to === 'field') {
        if (raw[r.field])
          problems.push({
            column,
            reason: `gives ${r.field} a second time (also "${raw[r.field]!.column}")`,
          });
        else raw[r.field] = { value, column };
      } else if (r.to === 'extra') extra[r.name] = { value, column };
    }

    const record: Record<string, unknown> = {};
    const present = new Set<string>();
    for (const [field, fieldSpec] of Object.entries(this.spec.fields)) {
      const given = raw[field];
      if (!given || given.value === undefined) {
        if (fieldSpec.required) problems.push({ column: field, reason: 'required, but missing' });
        continue;
      }
      const parsed = this.memo(field, fieldSpec.schema).parse(given.value);
      if (parsed.ok) {
        record[field] = parsed.value;
        present.add(field);
      } else problems.push({ column: given.column, reason: parsed.reason });
    }

    const extras: Record<string, unknown> = {};
    for (const [name, { value, column }] of Object.entries(extra)) {
      if (this.spec.kind === 'accounts') {
        extras[name] = typeof value === 'string' ? value.trim() : value;
        continue;
      }
      const parsed = this.memo(`\u0000${name}`, extraNumber).parse(value);
      if (!parsed.ok) problems.push({ column, reason: parsed.reason });
      else extras[name] = parsed.value;
    }

    if (problems.length === 0 && this.spec.check) {
      for (const [field, reason] of this.spec.check(record, present))
        problems.push({ column: raw[field]?.column ?? field, reason });
    }
    if (problems.length > 0) return { ok: false, problems };

    const out = this.spec.toRecords(record, present, extras);
    if (out.records.length === 0) {
      return {
        ok: false,
        problems: [{ column: null, reason: `holds no ${this.spec.noun} (every value is empty)` }],
      };
    }
    return { ok: true, records: out.records, present: out.present };
  }
}
