// Owns the import benchmark's input files: accounts, and usage in the wide format
// (`account_id,date,<one column per metric>`), generated deterministically and streamed
// to disk so that a million usage rows are never held in memory.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Random } from '../src/lib/random.ts';

export const ACCOUNTS = 10_000;
export const METRICS = ['active_users', 'logins', 'seats_used', 'features_used'] as const;

const FIRST_DAY = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;
// Lines are joined into chunks of about this many characters: a write per line would
// make a million tiny writes.
const CHUNK_CHARS = 64 * 1024;

/** How many accounts and days a usage file of `rows` rows spans. */
export function usageShape(rows: number): { accounts: number; days: number } {
  const accounts = Math.min(ACCOUNTS, rows);
  return { accounts, days: Math.ceil(rows / accounts) };
}

/** `external_id,name,arr`, A0 to A9999. */
export async function writeAccounts(file: string): Promise<void> {
  await write(file, 'external_id,name,arr', function* () {
    for (let a = 0; a < ACCOUNTS; a++) yield `A${a},Account ${a},${1000 + (a % 97) * 500}\n`;
  });
}

/**
 * `rows` rows in date-major order (every account's day 1, then day 2, ...), as usage
 * exports list them; the last day is partial when rows is not a multiple of the
 * accounts.
 */
export async function writeUsage(file: string, rows: number): Promise<void> {
  const { accounts, days } = usageShape(rows);
  const rng = new Random(20250101);
  const random = () => rng.next();
  await write(file, `account_id,date,${METRICS.join(',')}`, function* () {
    let written = 0;
    for (let d = 0; d < days; d++) {
      const date = new Date(FIRST_DAY + d * DAY_MS).toISOString().slice(0, 10);
      for (let a = 0; a < accounts && written < rows; a++, written++) {
        const seats = 5 + ((a * 7919) % 196);
        const activeUsers = Math.floor(seats * (0.2 + 0.8 * random()));
        const logins = activeUsers * (1 + Math.floor(random() * 4)) + Math.floor(random() * 3);
        const seatsUsed = Math.min(seats, activeUsers + Math.floor(random() * 4));
        const featuresUsed = Math.floor(random() * 25);
        yield `A${a},${date},${activeUsers},${logins},${seatsUsed},${featuresUsed}\n`;
      }
    }
  });
}

async function write(file: string, header: string, lines: () => Iterable<string>): Promise<void> {
  function* chunks() {
    let chunk = `${header}\n`;
    for (const line of lines()) {
      chunk += line;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file));
}
