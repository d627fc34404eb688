// What a schedule is: the simple forms people write (`weekdays 09:00`, `daily 08:30`,
// `mondays 09:00`) or a 5-field cron expression, read and checked by node-cron and
// turned into the sets of minutes, hours, days, months and weekdays a slot may fall
// on; and the IANA time zone a schedule is read in. Pure: text in, a schedule or a
// ScheduleError naming what is wrong out.
import { parse, validateDetailed } from 'node-cron';

export class ScheduleError extends Error {}

/** A schedule as written and as the cron expression it reads as, with that expression's fields. */
export interface Schedule {
  /** As the person wrote it, tidied: `weekdays 09:00`, or the cron expression. */
  text: string;
  /** The 5-field cron expression: minute hour day-of-month month day-of-week. */
  cron: string;
  /** The one minute of the hour a slot falls on. */
  minute: number;
  hours: readonly number[];
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  weekdays: ReadonlySet<number>;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const FORMS: Record<string, string> = {
  daily: '*',
  weekdays: '1-5',
  weekends: '0,6',
  ...Object.fromEntries(DAYS.flatMap((day, i) => [[`${day}s`, String(i)]])),
};

const SCHEDULE_HELP =
  'expected `daily HH:MM`, `weekdays HH:MM`, `weekends HH:MM`, `mondays HH:MM` (any day of the week), ' +
  'or a cron expression of 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"';

/** A schedule from its text; a ScheduleError says what is wrong and what is expected. */
export function parseSchedule(raw: string): Schedule {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text) throw new ScheduleError(`no schedule given: ${SCHEDULE_HELP}`);
  const form = /^([a-z]+) (\d{1,2}):(\d{2})$/i.exec(text);
  if (form) {
    const name = form[1]!.toLowerCase();
    const days = FORMS[name] ?? FORMS[`${name}s`];
    if (days === undefined) throw new ScheduleError(`unknown schedule "${raw}": ${SCHEDULE_HELP}`);
    const hour = Number(form[2]);
    const minute = Number(form[3]);
    if (hour > 23 || minute > 59)
      throw new ScheduleError(`"${raw}": the time must be between 00:00 and 23:59`);
    const named = name.endsWith('s') || name === 'daily' ? name : `${name}s`;
    return compile(`${named} ${String(hour).padStart(2, '0')}:${form[3]}`, `${minute} ${hour} * * ${days}`);
  }
  return compile(text, text);
}

function compile(text: string, cron: string): Schedule {
  const fields = cron.split(' ');
  if (fields.length !== 5)
    throw new ScheduleError(`"${text}" is not a schedule Canary reads: ${SCHEDULE_HELP}`);
  const check = validateDetailed(cron);
  if (!check.valid) {
    const problems = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new ScheduleError(`"${text}" is not a valid cron expression (${problems}): ${SCHEDULE_HELP}`);
  }
  const parsed = parse(cron);
  // L (last day), W (nearest weekday) and # (nth weekday) are node-cron's own extensions.
  if ([...parsed.dayOfMonth, ...parsed.dayOfWeek].some((v) => typeof v !== 'number'))
    throw new ScheduleError(`"${text}": L, W and # are not supported; use numbers, ranges, lists and steps`);
  // A digest or a scoring run more often than hourly is a mistake, not a schedule.
  if (parsed.minute.length !== 1)
    throw new ScheduleError(`"${text}" fires more than once an hour: give one minute, e.g. "0 9 * * 1-5"`);
  const schedule: Schedule = {
    text,
    cron,
    minute: parsed.minute[0]!,
    hours: [...parsed.hour].sort((a, b) => a - b),
    daysOfMonth: new Set(parsed.dayOfMonth as number[]),
    months: new Set(parsed.month),
    weekdays: new Set(parsed.dayOfWeek as number[]),
  };
  if (!firesWithinYears(schedule, 8))
    throw new ScheduleError(`"${text}" never fires: no day matches both its day of month and its weekday`);
  return schedule;
}

/**
 * Whether a day is one of the schedule's: its month, day of month and weekday must all
 * match, as node-cron reads an expression (crontab(5) would take either of the two day
 * fields when both are restricted).
 */
export function onDay(s: Schedule, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return s.months.has(month) && s.daysOfMonth.has(day) && s.weekdays.has(weekday);
}

function firesWithinYears(s: Schedule, years: number): boolean {
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < years * 366; i++) {
    const d = new Date(start + i * 86_400_000);
    if (onDay(s, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())) return true;
  }
  return false;
}

/** An IANA time zone (any case), as its canonical name; a ScheduleError otherwise. */
export function parseTimeZone(raw: string): string {
  const text = raw.trim();
  const expected = 'an IANA name such as Europe/Paris, America/New_York or UTC';
  if (!text) throw new ScheduleError(`no time zone given: expected ${expected}`);
  const problem = `unknown time zone "${raw}": expected ${expected}`;
  // Offsets ("+02:00") are not zones: they know nothing of daylight saving.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(text)) throw new ScheduleError(problem);
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    throw new ScheduleError(problem);
  }
}

const compiled = new Map<string, Schedule>();

/** The schedule of a stored cron expression (checked when it was stored), compiled once per process. */
export function scheduleOf(cron: string): Schedule {
  let s = compiled.get(cron);
  if (!s) {
    s = parseSchedule(cron);
    compiled.set(cron, s);
  }
  return s;
}
