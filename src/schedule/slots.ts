// The instants a schedule fires at in a time zone: its slots. A slot is a local day
// and time of the schedule, read in the zone as it stood that day, so `weekdays 09:00`
// in Europe/Paris is 08:00 UTC in winter and 07:00 UTC in summer. Across a
// daylight-saving change every local day still has its slot, once: a time that
// happens twice (clocks going back) is its first occurrence, and a time that does not
// happen (clocks going forward) is taken as the same time in the offset before the
// change, an hour later on the clock. Pure and deterministic: the same schedule, zone
// and interval always give the same instants, so every process agrees on a slot.
import { onDay, type Schedule } from './cron.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** How far previousSlot and nextSlot search: longer than any schedule's gap (a 29 February). */
const SEARCH_DAYS = 8 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time in the zone at `t`, as if it were UTC (epoch milliseconds). */
function wallClock(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The zone's offset from UTC at `t`, in milliseconds. */
const offsetAt = (t: number, timeZone: string) => wallClock(t, timeZone) - Math.floor(t / 1000) * 1000;

/** The instant of a local wall-clock time (given as if UTC), by the rule in the header. */
function localToInstant(local: number, timeZone: string): number {
  // No zone changes its offset twice within two days.
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const candidates = [local - before, local - after].filter((t) => wallClock(t, timeZone) === local);
  return candidates.length ? Math.min(...candidates) : local - before;
}

/** The local day (UTC midnight of its date) at `t`. */
function localDay(t: number, timeZone: string): number {
  return Math.floor(wallClock(t, timeZone) / DAY_MS) * DAY_MS;
}

/** The slots of one local day, in order (empty on a day the schedule skips). */
function slotsOfDay(s: Schedule, timeZone: string, day: number): number[] {
  const d = new Date(day);
  if (!onDay(s, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())) return [];
  const slots = s.hours.map((h) => localToInstant(day + h * 3_600_000 + s.minute * MINUTE_MS, timeZone));
  // Two local times can meet at one instant on the day clocks go forward (02:00 and 03:00).
  return [...new Set(slots)].sort((a, b) => a - b);
}

/** The slots after `after` (exclusive) up to `until` (inclusive), oldest first. */
export function slotsBetween(s: Schedule, timeZone: string, after: Date, until: Date): Date[] {
  const out: Date[] = [];
  // A day either side: the zone's dates straddle the interval's ends.
  const last = localDay(until.getTime(), timeZone) + DAY_MS;
  for (let day = localDay(after.getTime(), timeZone) - DAY_MS; day <= last; day += DAY_MS) {
    for (const t of slotsOfDay(s, timeZone, day))
      if (t > after.getTime() && t <= until.getTime()) out.push(new Date(t));
  }
  return out;
}

/** The latest slot strictly before `before`, or null when none within eight years. */
export function previousSlot(s: Schedule, timeZone: string, before: Date): Date | null {
  const from = localDay(before.getTime(), timeZone) + DAY_MS;
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const slots = slotsOfDay(s, timeZone, from - i * DAY_MS).filter((t) => t < before.getTime());
    if (slots.length) return new Date(slots.at(-1)!);
  }
  return null;
}

/** The earliest slot strictly after `after`, or null when none within eight years. */
export function nextSlot(s: Schedule, timeZone: string, after: Date): Date | null {
  const from = localDay(after.getTime(), timeZone) - DAY_MS;
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const slots = slotsOfDay(s, timeZone, from + i * DAY_MS).filter((t) => t > after.getTime());
    if (slots.length) return new Date(slots[0]!);
  }
  return null;
}

/** A slot as people in its zone read it: `Mon, 30 Mar 2026, 09:00 (Europe/Paris)`. */
export function localTime(slot: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(slot);
  return `${text} (${timeZone})`;
}
