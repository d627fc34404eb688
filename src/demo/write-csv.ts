// Owns writing a demo book as the CSV files Canary imports: one file per kind of
// signal, a header row, RFC 4180 quoting, dates as YYYY-MM-DD and timestamps as ISO 8601
// UTC. Rows are streamed so the usage file is never held in memory as a whole.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { DemoBook } from './book.ts';
import { csvLine } from '../lib/csv.ts';

export type BookFileKind = 'accounts' | 'usage' | 'tickets' | 'surveys' | 'notes' | 'outcomes';

export interface WrittenFile {
  /** Path of the written file. */
  file: string;
  kind: BookFileKind;
  /** Data rows, the header not counted. */
  rows: number;
}

type Cell = string | number | null;

interface Table<Row> {
  kind: BookFileKind;
  header: readonly string[];
  rows: Iterable<Row>;
  cells: (row: Row) => readonly Cell[];
}

// Rows are batched into chunks of about this many characters: one write per row would
// make the usage file thousands of tiny writes.
const CHUNK_CHARS = 64 * 1024;

/** Writes `<kind>.csv` for each kind of data in `dir` (created if missing). */
export async function writeBookCsv(book: DemoBook, dir: string): Promise<WrittenFile[]> {
  await mkdir(dir, { recursive: true });
  return [
    await writeTable(dir, {
      kind: 'accounts',
      header: [
        'external_id',
        'name',
        'domain',
        'industry',
        'segment',
        'lifecycle_stage',
        'plan',
        'arr',
        'seats_purchased',
        'contract_start',
        'renewal_date',
        'owner_email',
        'owner_slack_id',
      ],
      rows: book.accounts,
      cells: (a) => [
        a.externalId,
        a.name,
        a.domain,
        a.industry,
        a.segment,
        a.lifecycleStage,
        a.plan,
        a.arr,
        a.seatsPurchased,
        isoDate(a.contractStart),
        isoDate(a.renewalDate),
        a.ownerEmail,
        a.ownerSlackId,
      ],
    }),
    await writeTable(dir, {
      kind: 'usage',
      header: ['account_id', 'date', 'active_users', 'logins', 'seats_used', 'features_used'],
      rows: book.usage(),
      cells: (u) => [
        u.accountExternalId,
        isoDate(u.date),
        u.activeUsers,
        u.logins,
        u.seatsUsed,
        u.featuresUsed,
      ],
    }),
    await writeTable(dir, {
      kind: 'tickets',
      header: [
        'ticket_id',
        'account_id',
        'subject',
        'status',
        'priority',
        'opened_at',
        'resolved_at',
        'csat',
        'sentiment',
      ],
      rows: book.tickets,
      cells: (t) => [
        t.ticketId,
        t.accountExternalId,
        t.subject,
        t.status,
        t.priority,
        isoTimestamp(t.openedAt),
        t.resolvedAt === null ? null : isoTimestamp(t.resolvedAt),
        t.csat,
        t.sentiment === null ? null : t.sentiment.toFixed(2),
      ],
    }),
    await writeTable(dir, {
      kind: 'surveys',
      header: ['response_id', 'account_id', 'kind', 'score', 'comment', 'respondent', 'responded_at'],
      rows: book.surveys,
      cells: (r) => [
        r.responseId,
        r.accountExternalId,
        r.kind,
        r.score,
        r.comment,
        r.respondent,
        isoTimestamp(r.respondedAt),
      ],
    }),
    await writeTable(dir, {
      kind: 'notes',
      header: ['note_id', 'account_id', 'author', 'sentiment', 'note', 'noted_at'],
      rows: book.notes,
      cells: (n) => [n.noteId, n.accountExternalId, n.author, n.sentiment, n.note, isoTimestamp(n.notedAt)],
    }),
    await writeTable(dir, {
      kind: 'outcomes',
      header: ['account_id', 'outcome', 'date', 'arr_change', 'note'],
      rows: book.outcomes,
      cells: (o) => [o.accountExternalId, o.outcome, isoDate(o.date), o.arrChange, o.note],
    }),
  ];
}

async function writeTable<Row>(dir: string, table: Table<Row>): Promise<WrittenFile> {
  const file = path.join(dir, `${table.kind}.csv`);
  let rows = 0;
  function* chunks(): Generator<string> {
    let chunk = csvRecord(table.header);
    for (const row of table.rows) {
      chunk += csvRecord(table.cells(row));
      rows++;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  // The readable side only pulls the next chunk when the file stream asks for more,
  // which is what keeps memory flat on a slow disk.
  await pipeline(Readable.from(chunks()), createWriteStream(file, { encoding: 'utf8' }));
  return { file, kind: table.kind, rows };
}

function csvRecord(cells: readonly Cell[]): string {
  return csvLine(cells.map((cell) => (cell === null ? '' : String(cell))));
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole seconds, as in `2026-03-04T15:20:00Z`. */
function isoTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
