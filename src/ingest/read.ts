// Streams records out of an import file (CSV with a header row, a JSON array, or
// NDJSON) without holding the file in memory, checking on the way that it is UTF-8.
// Each record keeps the position a person would look for it at: a CSV row number as a
// spreadsheet shows it (the header is row 1), an NDJSON line, a JSON array item.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import streamArray from 'stream-json/streamers/stream-array.js';
import { isObject } from '../lib/json.ts';

export const INPUT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** One record as it appears in the file: its source column names and raw values. */
export interface SourceRecord {
  row: number;
  fields: Record<string, unknown>;
}

/** The file as a whole cannot be read; nothing of it is imported. */
export class FileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly row?: number,
  ) {
    super(`${file}${row ? `: row ${row}` : ''}: ${reason}`);
  }
}

/** The word for a record's position in each format. */
export const ROW_WORD: Record<InputFormat, string> = { csv: 'row', ndjson: 'line', json: 'item' };

export function formatOf(file: string, explicit?: string): InputFormat {
  if (explicit) {
    if ((INPUT_FORMATS as readonly string[]).includes(explicit)) return explicit as InputFormat;
    throw new FileError(file, `unknown format "${explicit}"; expected one of ${INPUT_FORMATS.join(', ')}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  throw new FileError(
    file,
    `cannot tell the format from "${ext || 'no extension'}"; name it .csv, .json or .ndjson, or pass --format`,
  );
}

/** Largest CSV record accepted; a bigger one is a broken quote or a hostile file. */
const MAX_RECORD_BYTES = 1_000_000;

/**
 * Decodes UTF-8 strictly: a UTF-16 file, or any byte sequence that is not UTF-8,
 * stops the import with the byte offset, instead of importing mojibake.
 */
class Utf8Check extends Transform {
  private decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  private offset = 0;
  constructor(private readonly file: string) {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.offset === 0 && chunk.length >= 2) {
      const [a, b] = [chunk[0], chunk[1]];
      if (
        (a === 0xff && b === 0xfe) ||
        (a === 0xfe && b === 0xff) ||
        (chunk.length >= 4 && chunk.subarray(0, 200).includes(0))
      ) {
        done(
          new FileError(
            this.file,
            'the file is UTF-16 (or binary), not UTF-8; save it as "CSV UTF-8" and import again',
          ),
        );
        return;
      }
    }
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      this.offset += chunk.length;
      done(null, text);
    } catch {
      done(
        new FileError(
          this.file,
          `the file is not valid UTF-8 (an invalid byte within bytes ${this.offset}-${this.offset + chunk.length}); save it as UTF-8 and import again`,
        ),
      );
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(new FileError(this.file, 'the file is not valid UTF-8 (it ends inside a multi-byte character)'));
    }
  }
}

export interface ReadOptions {
  /** Called with the number of bytes read so far. */
  onProgress?: (bytesRead: number) => void;
}

/** Opens a file as a UTF-8-checked text stream, reporting bytes read. */
async function openText(file: string, options: ReadOptions): Promise<{ text: Transform; size: number }> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new FileError(file, 'is not a file');
    size = info.size;
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new FileError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (size === 0) throw new FileError(file, 'the file is empty');
  const bytes = createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  bytes.on('data', (chunk) => {
    read += chunk.length;
    options.onProgress?.(read);
  });
  const text = new Utf8Check(file);
  bytes.on('error', (err) => text.destroy(new FileError(file, `read failed: ${err.message}`)));
  bytes.pipe(text);
  return { text, size };
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** Yields the file's records in order, in batches. Throws FileError for problems with the file as a whole. */
export async function* readRecords(
  file: string,
  format: InputFormat,
  options: ReadOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const { text } = await openText(file, options);
  let yielded = 0;
  try {
    const batches =
      format === 'csv'
        ? readCsv(file, text)
        : format === 'ndjson'
          ? readNdjson(text)
          : readJsonArray(file, text);
    for await (const batch of batches) {
      yielded += batch.length;
      yield batch;
    }
  } finally {
    text.destroy();
  }
  if (yielded === 0)
    throw new FileError(
      file,
      format === 'csv' ? 'the file has a header row but no data rows' : 'the file holds no records',
    );
}

/**
 * Yields what a stream emits in arrays, pausing the stream while a batch waits to be
 * consumed. Iterating a stream record by record costs a promise per record, which
 * dominated the time to read a large CSV.
 */
async function* batchesOf<T>(
  stream: NodeJS.ReadableStream,
  take: (item: unknown) => T | undefined,
  size = 2_000,
): AsyncGenerator<T[]> {
  let batch: T[] = [];
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  stream.on('data', (item: unknown) => {
    try {
      const value = take(item);
      if (value !== undefined) batch.push(value);
    } catch (err) {
      failure = err;
      (stream as unknown as { destroy(e?: unknown): void }).destroy();
    }
    if (batch.length >= size) stream.pause();
    notify();
  });
  stream.on('end', () => {
    ended = true;
    notify();
  });
  stream.on('error', (err: unknown) => {
    failure ??= err;
    notify();
  });
  stream.on('close', () => {
    ended = true;
    notify();
  });
  for (;;) {
    if (failure) throw failure;
    if (batch.length >= size || (ended && batch.length > 0)) {
      const out = batch;
      batch = [];
      yield out;
      stream.resume();
      continue;
    }
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

async function* readCsv(file: string, text: Transform): AsyncGenerator<SourceRecord[]> {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);
  let header: string[] | null = null;
  const take = (item: unknown): SourceRecord | undefined => {
    const record = item as string[];
    // The parser's own counter, read as it emits the record: the line the record ends on.
    const line = parser.info.lines;
    if (!header) {
      header = record.map((h) => h.trim());
      const blank = header.findIndex((h) => h === '');
      if (blank >= 0) throw new FileError(file, `header column ${blank + 1} has no name`, line);
      const seen = new Set<string>();
      for (const h of header) {
        if (seen.has(h.toLowerCase())) throw new FileError(file, `header names column "${h}" twice`, line);
        seen.add(h.toLowerCase());
      }
      return undefined;
    }
    const fields: Record<string, unknown> = {};
    if (record.length !== header.length) {
      // Kept as a record so the row is reported with the others, not as a crash.
      fields[SHAPE_PROBLEM] = `has ${record.length} columns, the header has ${header.length}`;
    }
    for (let i = 0; i < header.length; i++) fields[header[i]!] = record[i] ?? '';
    return { row: line, fields };
  };
  try {
    yield* batchesOf(parser, take);
  } catch (err) {
    if (err instanceof FileError) throw err;
    const e = err as Error & { lines?: number };
    throw new FileError(file, `CSV syntax error: ${e.message.replace(/^.*?: /, '')}`, e.lines);
  }
  if (!header) throw new FileError(file, 'the file is empty');
}

/** Marks a record whose shape is wrong (not an object, wrong column count). */
export const SHAPE_PROBLEM = '\u0000columns';

/** A record's own column names (without the shape marker). */
export const dataColumns = (fields: Record<string, unknown>) =>
  Object.keys(fields).filter((k) => k !== SHAPE_PROBLEM);

async function* readNdjson(text: Transform): AsyncGenerator<SourceRecord[]> {
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let line = 0;
  let batch: SourceRecord[] = [];
  for await (const raw of lines) {
    line++;
    if (batch.length >= 2_000) {
      yield batch;
      batch = [];
    }
    const trimmed = line === 1 ? raw.replace(/^\uFEFF/, '').trim() : raw.trim();
    if (trimmed === '') continue;
    if (trimmed.length > MAX_RECORD_BYTES) {
      batch.push({ row: line, fields: { [SHAPE_PROBLEM]: `is longer than ${MAX_RECORD_BYTES} characters` } });
      continue;
    }
    try {
      batch.push({ row: line, fields: asRecord(JSON.parse(trimmed)) });
    } catch (err) {
      batch.push({ row: line, fields: { [SHAPE_PROBLEM]: `is not valid JSON (${(err as Error).message})` } });
    }
  }
  if (batch.length) yield batch;
}

async function* readJsonArray(file: string, text: Transform): AsyncGenerator<SourceRecord[]> {
  const items = text.pipe(streamArray.withParserAsStream());
  text.on('error', (err) => items.destroy(err));
  try {
    yield* batchesOf(items, (item) => {
      const { key, value } = item as { key: number; value: unknown };
      return { row: key + 1, fields: asRecord(value) };
    });
  } catch (err) {
    if (err instanceof FileError) throw err;
    const message = (err as Error).message;
    if (/top-level|array/i.test(message))
      throw new FileError(file, 'expected a JSON array of records (use .ndjson for one record per line)');
    throw new FileError(file, `JSON syntax error: ${message}`);
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  if (isObject(value)) return value;
  return { [SHAPE_PROBLEM]: 'is not a JSON object' };
}
