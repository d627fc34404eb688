// Field parsers shared by every import kind: how a cell of text (CSV) or a JSON value
// becomes a typed value, and the plain-words reason when it cannot. Empty cells and
// nulls mean "no value", never zero.
import { z } from 'zod';

/** '' and whitespace-only cells are missing values. */
function blankToNull(value: unknown): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  return value === undefined ? null : value;
}

const MAX_TEXT = 10_000;

export const text = (max = MAX_TEXT) =>
  z.preprocess(
    (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : blankToNull(v)),
    z
      .string({ error: 'expected text' })
      .max(max, { error: `longer than ${max} characters` })
      .nullable(),
  );

export const requiredText = (max = 500) =>
  text(max).refine((v): v is string => v !== null, { error: 'required, but empty' });

function toNumber(v: unknown): unknown {
  const value = blankToNull(v);
  if (typeof value !== 'string') return value;
  // Accept thousands separators and a currency sign, as exported by spreadsheets and CRMs.
  const cleaned = value.replace(/^[$€£]/, '').replace(/,(?=\d{3}(\D|$))/g, '');
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned) ? Number(cleaned) : value;
}

const numberLike = z
  .number({
    error: (iss) =>
      iss.input === null ? 'required, but empty' : `expected a number, got "${String(iss.input)}"`,
  })
  .finite();

export const number = () => z.preprocess(toNumber, numberLike.nullable());
export const count = () =>
  z.preprocess(
    toNumber,
    numberLike.int({ error: 'expected a whole number' }).min(0, { error: 'must not be negative' }).nullable(),
  );
export const nonNegative = () =>
  z.preprocess(toNumber, numberLike.min(0, { error: 'must not be negative' }).nullable());
const wholeIn = (min: number, max: number) =>
  numberLike
    .int({ error: 'expected a whole number' })
    .min(min, { error: `must be between ${min} and ${max}` })
    .max(max, { error: `must be between ${min} and ${max}` });
export const integerIn = (min: number, max: number) => z.preprocess(toNumber, wholeIn(min, max));
export const optionalIntegerIn = (min: number, max: number) =>
  z.preprocess(toNumber, wholeIn(min, max).nullable());

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses `2026-03-31`, `2026-03-31T14:05:00Z`, `2026-03-31 14:05:00+02:00`; a time
 * without a zone is read as UTC. Rejects impossible dates such as 2026-02-30.
 */
export function parseTimestamp(value: string): Date | null {
  let m = DATE_ONLY.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
      ? date
      : null;
  }
  m = DATE_TIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const s = Number(m[6] ?? 0);
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000);
}

const dateError = (v: unknown) =>
  `expected a date like 2026-03-31 or 2026-03-31T14:05:00Z, got "${String(v)}"`;

// Plausible range guards against typos such as year 20026 or 1970-from-zero.
const MIN_TIME = Date.UTC(1990, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

function toDate(v: unknown, dayOnly: boolean): unknown {
  const value = blankToNull(v);
  if (value === null || value instanceof Date) return value;
  if (typeof value !== 'string') return value;
  const parsed = parseTimestamp(value);
  if (!parsed) return { invalid: value };
  return dayOnly
    ? new Date(Date.UTC(parsed.getUTCFullYear(), parsed.getUTCMonth(), parsed.getUTCDate()))
    : parsed;
}

const dateSchema = z
  .custom<Date | null>((v) => v === null || (v instanceof Date && !Number.isNaN(v.getTime())), {
    error: (iss) => dateError((iss.input as { invalid?: unknown })?.invalid ?? iss.input),
  })
  .refine((v) => v === null || (v.getTime() >= MIN_TIME && v.getTime() < MAX_TIME), {
    error: 'date outside 1990-2099',
  });

/** A point in time. */
export const timestamp = () => z.preprocess((v) => toDate(v, false), dateSchema);
/** A calendar day (UTC midnight); a time part is dropped. */
export const day = () => z.preprocess((v) => toDate(v, true), dateSchema);
export const requiredTimestamp = () =>
  timestamp().refine((v): v is Date => v !== null, { error: 'required, but empty' });
export const requiredDay = () => day().refine((v): v is Date => v !== null, { error: 'required, but empty' });

/** A value from a closed vocabulary, with synonyms folded onto the canonical word. */
export function oneOf<const T extends string>(canonical: readonly T[], synonyms: Record<string, T> = {}) {
  const lookup = new Map<string, T>();
  for (const c of canonical) lookup.set(c.toLowerCase(), c);
  for (const [k, c] of Object.entries(synonyms)) lookup.set(k.toLowerCase(), c);
  return z.preprocess(
    (v) => {
      const value = blankToNull(typeof v === 'number' ? String(v) : v);
      if (typeof value !== 'string') return value;
      return lookup.get(value.toLowerCase().replace(/[\s-]+/g, '_')) ?? { invalid: value };
    },
    z.custom<T | null>((v) => v === null || (typeof v === 'string' && lookup.has(v.toLowerCase())), {
      error: (iss) =>
        `expected one of ${canonical.join(', ')}, got "${String((iss.input as { invalid?: unknown })?.invalid ?? iss.input)}"`,
    }),
  );
}

/** A JSON object, given as an object (JSON input) or as JSON text (a CSV cell). */
export const jsonObject = () =>
  z.preprocess(
    (v) => {
      const value = blankToNull(v);
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        return { invalidJson: value };
      }
    },
    z
      .record(z.string(), z.unknown(), { error: 'expected a JSON object' })
      .refine((o) => !('invalidJson' in o && Object.keys(o).length === 1), { error: 'not valid JSON' })
      .nullable(),
  );

/** Serialises a JSON object with sorted keys, so equal objects compare equal as text. */
export function canonicalJson(value: Record<string, unknown> | null): string | null {
  if (value === null) return null;
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
