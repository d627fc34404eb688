// Schedules and their slots: the simple forms and cron expressions read as people mean
// them (and refused with a reason when they cannot be), time zones checked, and slots in
// Europe/Paris and America/New_York on the right UTC instants through both of 2026's
// daylight-saving changes, one per local day even when the local time happens twice or
// not at all; node-cron's own matcher agrees with every slot.
import { createTask } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { parseSchedule, parseTimeZone, ScheduleError } from '../../src/schedule/cron.ts';
import { localTime, nextSlot, previousSlot, slotsBetween } from '../../src/schedule/slots.ts';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const at = (text: string) => new Date(text);

describe('schedules', () => {
  it('reads the simple forms as cron expressions', () => {
    expect(parseSchedule('weekdays 09:00')).toMatchObject({ text: 'weekdays 09:00', cron: '0 9 * * 1-5' });
    expect(parseSchedule(' Daily  8:30 ')).toMatchObject({ text: 'daily 08:30', cron: '30 8 * * *' });
    expect(parseSchedule('mondays 09:00')).toMatchObject({ text: 'mondays 09:00', cron: '0 9 * * 1' });
    expect(parseSchedule('Friday 17:45')).toMatchObject({ text: 'fridays 17:45', cron: '45 17 * * 5' });
    expect(parseSchedule('weekends 10:00')).toMatchObject({ cron: '0 10 * * 0,6' });
    expect(parseSchedule('sundays 00:00').weekdays).toEqual(new Set([0]));
  });

  it('takes 5-field cron expressions with ranges, lists, steps and names', () => {
    const s = parseSchedule('0 8-18/5 1,15 * MON-FRI');
    expect(s).toMatchObject({ text: '0 8-18/5 1,15 * MON-FRI', minute: 0, hours: [8, 13, 18] });
    expect(s.daysOfMonth).toEqual(new Set([1, 15]));
    expect(s.weekdays).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it.each([
    ['', /no schedule given/],
    ['fortnightly 09:00', /unknown schedule "fortnightly 09:00"/],
    ['weekdays 24:00', /between 00:00 and 23:59/],
    ['weekdays 9am', /is not a schedule Canary reads.*weekdays HH:MM/],
    ['0 9 * *', /5 fields/],
    ['0 0 9 * * 1', /5 fields/],
    ['61 9 * * *', /not a valid cron expression \(minute: 61/],
    ['*/15 9 * * *', /more than once an hour/],
    ['0 9 L * *', /L, W and # are not supported/],
    ['0 9 31 2 *', /not a valid cron expression/],
    ['0 9 30 2 *', /never fires|not a valid cron expression/],
  ])('refuses %j with a reason', (text, reason) => {
    expect(() => parseSchedule(text)).toThrow(ScheduleError);
    expect(() => parseSchedule(text)).toThrow(reason);
  });

  it('checks time zones against the IANA names and gives their canonical spelling', () => {
    expect(parseTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(parseTimeZone('america/new_york')).toBe('America/New_York');
    expect(parseTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '+02:00', 'GMT+2 ', 'Europe/Paris; DROP'])
      expect(() => parseTimeZone(bad)).toThrow(/unknown time zone .*expected an IANA name/);
    expect(() => parseTimeZone(' ')).toThrow(/^no time zone given: expected an IANA name/);
  });
});

describe('slots', () => {
  const daily9 = parseSchedule('daily 09:00');
  const weekdays9 = parseSchedule('weekdays 09:00');

  it('follows Europe/Paris through spring forward (29 March 2026) and fall back (25 October)', () => {
    expect(
      iso(slotsBetween(daily9, 'Europe/Paris', at('2026-03-27T12:00Z'), at('2026-03-30T12:00Z'))),
    ).toEqual([
      '2026-03-28T08:00:00.000Z', // Saturday, CET (+1)
      '2026-03-29T07:00:00.000Z', // Sunday, CEST (+2) from 02:00 that night
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(
      iso(slotsBetween(daily9, 'Europe/Paris', at('2026-10-23T12:00Z'), at('2026-10-26T12:00Z'))),
    ).toEqual([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z', // back to CET at 03:00 that night
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('follows America/New_York (8 March and 1 November 2026), weekdays only', () => {
    expect(
      iso(slotsBetween(weekdays9, 'America/New_York', at('2026-03-05T00:00Z'), at('2026-03-10T00:00Z'))),
    ).toEqual([
      '2026-03-05T14:00:00.000Z', // Thursday, EST (-5)
      '2026-03-06T14:00:00.000Z',
      '2026-03-09T13:00:00.000Z', // Monday, EDT (-4); the weekend has none
    ]);
    expect(
      iso(slotsBetween(weekdays9, 'America/New_York', at('2026-10-30T00:00Z'), at('2026-11-03T00:00Z'))),
    ).toEqual(['2026-10-30T13:00:00.000Z', '2026-11-02T14:00:00.000Z']);
  });

  it('keeps each zone on its own clock in the weeks their changes differ', () => {
    // 16 March 2026: New York is on summer time, Paris not yet: 5 hours apart, not 6.
    const monday = (zone: string) =>
      iso(slotsBetween(weekdays9, zone, at('2026-03-16T00:00Z'), at('2026-03-16T23:59Z')));
    expect(monday('Europe/Paris')).toEqual(['2026-03-16T08:00:00.000Z']);
    expect(monday('America/New_York')).toEqual(['2026-03-16T13:00:00.000Z']);
  });

  it('gives a local time that happens twice its first occurrence, and one that does not happen an hour later', () => {
    const nightly = parseSchedule('daily 02:30');
    expect(
      iso(slotsBetween(nightly, 'Europe/Paris', at('2026-03-28T12:00Z'), at('2026-03-30T12:00Z'))),
    ).toEqual([
      '2026-03-29T01:30:00.000Z', // 02:30 does not exist that night: 03:30 CEST
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(
      iso(slotsBetween(nightly, 'Europe/Paris', at('2026-10-24T12:00Z'), at('2026-10-26T12:00Z'))),
    ).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, not the second 02:30 (CET) an hour later
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(
      iso(
        slotsBetween(
          parseSchedule('daily 02:30'),
          'America/New_York',
          at('2026-03-07T12:00Z'),
          at('2026-03-09T12:00Z'),
        ),
      ),
    ).toEqual([
      '2026-03-08T07:30:00.000Z', // 02:30 EST as 03:30 EDT
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('splits an interval without losing or repeating a slot (after exclusive, until inclusive)', () => {
    const s = parseSchedule('0 7,12,19 * * *');
    const a = at('2026-10-20T00:00Z');
    const b = at('2026-10-25T11:00Z'); // exactly a slot: 12:00 CET, on the day of the change
    const c = at('2026-10-31T00:00Z');
    const whole = iso(slotsBetween(s, 'Europe/Paris', a, c));
    expect(whole).toHaveLength(33);
    expect([
      ...iso(slotsBetween(s, 'Europe/Paris', a, b)),
      ...iso(slotsBetween(s, 'Europe/Paris', b, c)),
    ]).toEqual(whole);
    expect(iso(slotsBetween(s, 'Europe/Paris', a, b)).at(-1)).toBe(b.toISOString());
  });

  it('finds the slot before and after an instant', () => {
    const mondays = parseSchedule('mondays 09:00');
    const slot = at('2026-11-30T08:00Z'); // Monday 09:00 in Paris
    expect(previousSlot(mondays, 'Europe/Paris', slot)?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(previousSlot(mondays, 'Europe/Paris', new Date(slot.getTime() + 1))?.toISOString()).toBe(
      slot.toISOString(),
    );
    expect(nextSlot(mondays, 'Europe/Paris', slot)?.toISOString()).toBe('2026-12-07T08:00:00.000Z');
    expect(nextSlot(parseSchedule('0 9 29 2 *'), 'UTC', slot)?.toISOString()).toBe(
      '2028-02-29T09:00:00.000Z',
    );
  });

  it('agrees with node-cron: every slot matches its matcher, and every minute it matches is a slot', () => {
    const cases: [string, string][] = [
      ['weekdays 09:00', 'Europe/Paris'],
      ['daily 08:30', 'America/New_York'],
      ['0 6,18 * * 0,3', 'Australia/Lord_Howe'], // a half-hour daylight-saving change
      ['45 23 * * *', 'Asia/Kathmandu'], // +05:45
    ];
    for (const [text, zone] of cases) {
      const s = parseSchedule(text);
      const task = createTask(s.cron, () => {}, { timezone: zone });
      // Ten days around Europe's autumn change and Lord Howe's spring one (4 October).
      for (const [from, to] of [
        ['2026-10-21T00:00Z', '2026-10-31T00:00Z'],
        ['2026-09-30T00:00Z', '2026-10-10T00:00Z'],
      ] as const) {
        const slots = slotsBetween(s, zone, at(from), at(to));
        for (const slot of slots)
          expect(task.match(slot), `${text} ${zone} ${slot.toISOString()}`).toBe(true);
        const matched: string[] = [];
        for (let t = at(from).getTime() + 60_000; t <= at(to).getTime(); t += 60_000)
          if (task.match(new Date(t))) matched.push(new Date(t).toISOString());
        expect(matched, `${text} ${zone}`).toEqual(iso(slots));
      }
    }
  });

  it('reads a slot back in its zone', () => {
    expect(localTime(at('2026-03-30T07:00Z'), 'Europe/Paris')).toBe('Mon, 30 Mar 2026, 09:00 (Europe/Paris)');
  });
});
