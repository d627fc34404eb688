// Imports one file of one kind: reads it as a stream, validates and stages every
// record, merges, and (with skipInvalid) writes the rejected records, with their
// reasons, to a rejects file a person can fix and import again.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { Ingestion, type KindCounts, type Rejection } from './ingest.ts';
import type { ImportKind } from './kinds.ts';
import {
  dataColumns,
  FileError,
  formatOf,
  readRecords,
  ROW_WORD,
  type InputFormat,
  type SourceRecord,
} from './read.ts';
import type { BulkSession } from './session.ts';
import { csvLine } from '../lib/csv.ts';

export interface ImportFileOptions {
  format?: string;
  skipInvalid?: boolean;
  /** Where rejected records go with skipInvalid; defaults beside the input. */
  rejectsFile?: string;
  onBytes?: (bytesRead: number) => void;
  now?: Date;
}

export interface ImportResult {
  file: string;
  format: InputFormat;
  counts: KindCounts;
  rejectsFile?: string;
}

export function defaultRejectsFile(file: string, format: InputFormat): string {
  const ext = format === 'csv' ? '.csv' : '.ndjson';
  return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.rejects${ext}`);
}

/**
 * Writes rejected records in the input's own shape plus their row and reasons.
 * Duplicates are only known once the whole file is staged, when their text is gone;
 * their rows are copied from a second read of the file at the end.
 */
class RejectsWriter {
  private out: WriteStream | null = null;
  private header: string[] | null = null;
  private readonly duplicates = new Map<number, Rejection>();
  constructor(
    readonly file: string,
    private readonly format: InputFormat,
  ) {}

  async write(r: Rejection): Promise<void> {
    if (r.duplicate) {
      this.duplicates.set(r.row, r);
      return;
    }
    if (!this.out) this.out = createWriteStream(this.file);
    const reasons = r.problems.map((p) => (p.column ? `${p.column}: ${p.reason}` : p.reason)).join('; ');
    let line: string;
    if (this.format === 'csv') {
      if (!this.header) {
        this.header = dataColumns(r.fields);
        this.out.write(csvLine(['row', 'errors', ...this.header]));
      }
      line = csvLine([String(r.row), reasons, ...this.header.map((h) => String(r.fields[h] ?? ''))]);
    } else {
      line = JSON.stringify({ [ROW_WORD[this.format]]: r.row, errors: r.problems, record: r.fields }) + '\n';
    }
    if (!this.out.write(line)) await once(this.out, 'drain');
  }

  async copyDuplicates(input: string): Promise<void> {
    if (this.duplicates.size === 0) return;
    for await (const batch of readRecords(input, this.format)) {
      for (const record of batch) {
        const r = this.duplicates.get(record.row);
        if (r) await this.write({ ...r, fields: record.fields, duplicate: false });
      }
    }
  }

  async close(): Promise<boolean> {
    if (!this.out) return false;
    this.out.end();
    await once(this.out, 'finish');
    return true;
  }
}

export async function importFile(
  session: BulkSession,
  kind: ImportKind,
  file: string,
  options: ImportFileOptions = {},
): Promise<ImportResult> {
  const format = formatOf(file, options.format);
  const rejects = options.skipInvalid
    ? new RejectsWriter(options.rejectsFile ?? defaultRejectsFile(file, format), format)
    : null;
  const ingestion = new Ingestion(session, {
    skipInvalid: options.skipInvalid,
    now: options.now,
    onReject: rejects ? (r) => rejects.write(r) : undefined,
  });
  try {
    await ingestion.stage(
      kind,
      checkedHeader(kind, file, format, readRecords(file, format, { onProgress: options.onBytes })),
    );
    const [counts] = await ingestion.commit();
    await rejects?.copyDuplicates(file);
    const wroteRejects = rejects ? await rejects.close() : false;
    return { file, format, counts: counts!, rejectsFile: wroteRejects ? rejects!.file : undefined };
  } catch (err) {
    await ingestion.discard();
    await rejects?.close();
    throw err;
  }
}

/** A CSV header that lacks a required column is a problem of the file, reported once. */
async function* checkedHeader(
  kind: ImportKind,
  file: string,
  format: InputFormat,
  batches: AsyncGenerator<SourceRecord[]>,
) {
  let first = true;
  for await (const batch of batches) {
    if (first && format === 'csv' && batch[0]) {
      const missing = Ingestion.missingColumns(kind, dataColumns(batch[0].fields));
      if (missing.length) {
        throw new FileError(file, `no column for ${missing.join('; ')} (a ${kind} file needs them)`, 1);
      }
    }
    first = false;
    yield batch;
  }
}
