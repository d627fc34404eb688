// Pass one of scoring: each aggregation's raw value over its window, staleness, and the
// findings drops and leading indicators are built from. Every expectation is worked
// out by hand in the comment next to it. TODAY is Wednesday 4 March 2026; scoring it
// covers through END_OF_TODAY, and a window of n days is (END_OF_TODAY - n days, END_OF_TODAY].
import { describe, expect, it } from 'vitest';

import { measureAccount, type RawMeasure } from '../../src/health/measures.ts';
import { loadModel } from '../../src/health/model.ts';
import type { AccountFacts, AccountSignals, EventSignal } from '../../src/health/signals.ts';
import {
  account,
  daily,
  DAY_MS,
  daysAgo,
  END_OF_TODAY,
  HOUR_MS,
  isWeekend,
  nps,
  signals,
  smallModel,
  ticket,
  TODAY,
} from './fixtures.ts';

/** Measures one measure `m`, given as YAML flow fields (signal, aggregate, window...), for TODAY. */
function measure(fields: string, sigs: AccountSignals, facts: AccountFacts = account()): RawMeasure {
  const model = smallModel(`
    measures:
      m: { label: measured, normalise: { linear: [0, 100] }, ${fields} }
    components:
      all: { weight: 1, measures: { m: 1 } }
  `);
  return measureAccount(model, facts, sigs, TODAY).raw.m!;
}
const valueOf = (fields: string, sigs: AccountSignals, facts?: AccountFacts) =>
  measure(fields, sigs, facts).value;

describe('latest, sum, average and count over a window', () => {
  // Active users for the last eight days, oldest first: 8 days ago 100, then 5, 4, 6, 3, 2, 8, and 7 today.
  const usage = signals({
    usage: { active_users: [100, 5, 4, 6, 3, 2, 8, 7].map((value, i) => ({ day: daysAgo(7 - i), value })) },
  });
  const over7Days = 'signal: usage.active_users, window: 7';

  it('sees the last 7 days (today and the 6 before), not the 100 of 7 days ago', () => {
    expect(valueOf(`${over7Days}, aggregate: latest`, usage)).toBe(7); // today's value
    expect(valueOf(`${over7Days}, aggregate: sum`, usage)).toBe(35); // 5+4+6+3+2+8+7
    expect(valueOf(`${over7Days}, aggregate: average`, usage)).toBe(5); // 35 / 7
    expect(valueOf(`${over7Days}, aggregate: count`, usage)).toBe(7);
  });

  it('leaves out an observation exactly at the window start and keeps one at the last moment of the day', () => {
    const windowStart = END_OF_TODAY - 7 * DAY_MS;
    const answers = signals({
      surveys: [
        nps(1, windowStart), // out: the window excludes its start
        nps(2, windowStart + 1), // in
        nps(4, END_OF_TODAY), // in: scoring covers the whole day
        nps(8, END_OF_TODAY + 1), // out: tomorrow
      ],
    });
    const nps7Days = 'signal: surveys.nps, window: 7';
    expect(valueOf(`${nps7Days}, aggregate: sum`, answers)).toBe(6); // 2 + 4
    expect(valueOf(`${nps7Days}, aggregate: count`, answers)).toBe(2);
    expect(valueOf(`${nps7Days}, aggregate: latest`, answers)).toBe(4);
  });

  it('has no value without data (never 0), except a count, which counts nothing as 0', () => {
    const none = signals();
    expect(valueOf('signal: usage.active_users, window: 7, aggregate: latest', none)).toBeNull();
    expect(valueOf('signal: usage.active_users, window: 7, aggregate: sum', none)).toBeNull();
    expect(valueOf('signal: usage.active_users, window: 7, aggregate: average', none)).toBeNull();
    expect(valueOf('signal: usage.active_users, window: 7, aggregate: count', none)).toBe(0);
    // Data only before the window is no data for it.
    const old = signals({ usage: { active_users: daily(20, 8, 50) } });
    expect(valueOf('signal: usage.active_users, window: 7, aggregate: average', old)).toBeNull();
  });
});

describe('distinct and counts of events', () => {
  const events: EventSignal[] = [
    { at: daysAgo(1, 9), event: 'login', user: 'ann' },
    { at: daysAgo(2, 9), event: 'export', user: 'bob' },
    { at: daysAgo(3, 9), event: 'login', user: 'ann' },
    { at: daysAgo(4, 9), event: 'login', user: null }, // an event without a user
    { at: daysAgo(10, 9), event: 'share', user: 'cy' }, // before the 7-day window
  ];
  const sigs = signals({ events });

  it('counts distinct users (ignoring events without one) and distinct event names', () => {
    expect(valueOf('signal: events, aggregate: distinct, field: user, window: 7', sigs)).toBe(2); // ann, bob
    expect(valueOf('signal: events, aggregate: distinct, window: 7', sigs)).toBe(2); // login, export
  });

  it('counts all events or one named event', () => {
    expect(valueOf('signal: events, aggregate: count, window: 7', sigs)).toBe(4);
    expect(valueOf('signal: events.login, aggregate: count, window: 7', sigs)).toBe(3);
  });
});

describe('tickets', () => {
  const tickets = signals({
    tickets: [
      ticket('P1', daysAgo(100)), // open for 100 days
      ticket('P2', daysAgo(2), { status: 'pending' }), // pending is open
      ticket('P1', daysAgo(10), { resolvedAt: END_OF_TODAY + 1 }), // resolved only tomorrow: open today
      ticket('P1', daysAgo(5), { resolvedAt: daysAgo(1) }), // resolved yesterday
      ticket('P2', daysAgo(3), { status: 'closed' }), // closed without a resolution time
      ticket('P3', daysAgo(20)), // open, but P3
      ticket('P1', daysAgo(-1)), // opened tomorrow
    ],
  });

  it('where {priority, open}: the P1/P2 tickets open at the end of the day, however old', () => {
    // P1 100 days old + P2 pending + P1 resolved tomorrow = 3.
    expect(
      valueOf('signal: tickets, aggregate: count, where: { priority: [P1, P2], open: true }', tickets),
    ).toBe(3);
  });

  it('where {priority} with a window: the P1 tickets opened in the last 30 days, open or not', () => {
    // P1 opened 10 days ago + P1 opened 5 days ago = 2 (100 days ago is outside, tomorrow is after).
    expect(valueOf('signal: tickets, aggregate: count, where: { priority: [P1] }, window: 30', tickets)).toBe(
      2,
    );
  });

  it('value: resolution_hours averages and sums the hours of tickets opened in the window and resolved by its end', () => {
    const resolved = signals({
      tickets: [
        ticket('P3', daysAgo(10), { resolvedAt: daysAgo(10, 12) }), // 12 h
        ticket('P2', daysAgo(5), { resolvedAt: daysAgo(3) }), // 48 h
        ticket('P1', daysAgo(2)), // still open: no resolution time yet
        ticket('P4', daysAgo(40), { resolvedAt: daysAgo(35) }), // opened before the 30 days
        ticket('P2', daysAgo(1), { resolvedAt: END_OF_TODAY + HOUR_MS }), // resolved only tomorrow
      ],
    });
    const hours = 'signal: tickets, value: resolution_hours, window: 30';
    expect(valueOf(`${hours}, aggregate: average`, resolved)).toBe(30); // (12 + 48) / 2
    expect(valueOf(`${hours}, aggregate: sum`, resolved)).toBe(60);
  });
});

describe('trend', () => {
  const trend = 'signal: usage.active_users, aggregate: trend, window: 7, baseline: 14';

  it('compares the last 7 days average with the 14 days before', () => {
    // Baseline: days 20..7 ago at 10 (day 21 ago, at 1000, is before it). Now: days 6..0 at 12.
    const usage = [...daily(21, 21, 1000), ...daily(20, 7, 10), ...daily(6, 0, 12)];
    expect(valueOf(trend, signals({ usage: { active_users: usage } }))).toBeCloseTo(20); // 12 vs 10: +20%
    const falling = [...daily(20, 7, 10), ...daily(6, 0, 8)];
    expect(valueOf(trend, signals({ usage: { active_users: falling } }))).toBeCloseTo(-20); // 8 vs 10
  });

  it('from zero to something is +100%, zero to zero is 0%, and no baseline at all is no data', () => {
    const fromZero = [...daily(20, 7, 0), ...daily(6, 0, 5)];
    expect(valueOf(trend, signals({ usage: { active_users: fromZero } }))).toBe(100);
    expect(valueOf(trend, signals({ usage: { active_users: daily(20, 0, 0) } }))).toBe(0);
    expect(valueOf(trend, signals({ usage: { active_users: daily(6, 0, 5) } }))).toBeNull();
  });

  it('of tickets compares tickets opened per day, zero when there were none', () => {
    const volume = 'signal: tickets, aggregate: trend, window: 30, baseline: 60';
    const opened = (...days: number[]) => signals({ tickets: days.map((d) => ticket('P3', daysAgo(d))) });
    // 3 in the last 30 days (0.1 a day) against 2 in the 60 before (1/30 a day): +200%.
    expect(valueOf(volume, opened(1, 10, 20, 40, 80))).toBeCloseTo(200);
    // 1 in 30 days (1/30 a day) against 4 in 60 days (2/30 a day): -50%.
    expect(valueOf(volume, opened(5, 31, 50, 70, 89))).toBeCloseTo(-50);
    // 2 against none: from zero, +100%.
    expect(valueOf(volume, opened(1, 2))).toBe(100);
    // No tickets at all is a steady volume, not missing data.
    expect(valueOf(volume, opened())).toBe(0);
  });

  it('of events compares events per day, like tickets', () => {
    const events = (...days: number[]) =>
      signals({ events: days.map((d) => ({ at: daysAgo(d, 9), event: 'export', user: 'ann' })) });
    // 6 exports in the last 7 days (6/7 a day) against 4 in the 14 before (2/7 a day): +200%.
    expect(
      valueOf(
        'signal: events.export, aggregate: trend, window: 7, baseline: 14',
        events(0, 1, 2, 3, 4, 5, 8, 9, 12, 15),
      ),
    ).toBeCloseTo(200);
  });

  it('of a CRM field compares the value in force now with the one in force at the split, a year ago', () => {
    const split = END_OF_TODAY - 365 * DAY_MS;
    const arr = (...points: [number, number][]) =>
      signals({ crm: { arr: points.map(([at, value]) => ({ at, value })) } });
    const arrTrend = 'signal: crm.arr, aggregate: trend, window: 365, baseline: 365';

    // 100k set 500 days ago was in force at the split; 120k (200 days ago) came later; 90k now: -10%.
    const history = arr([daysAgo(500), 100_000], [daysAgo(200), 120_000], [daysAgo(10), 90_000]);
    expect(measure(arrTrend, history)).toEqual({ value: -10, observedAt: daysAgo(10), stale: false });
    expect(valueOf('signal: crm.arr, aggregate: latest', history)).toBe(90_000);

    // A value set exactly at the split is the one in force then: 80k -> 90k is +12.5%.
    expect(valueOf(arrTrend, arr([daysAgo(500), 100_000], [split, 80_000], [daysAgo(10), 90_000]))).toBe(
      12.5,
    );
    // Unchanged for a year: 0%. Only known since after the split: nothing to compare with.
    expect(valueOf(arrTrend, arr([daysAgo(500), 100_000]))).toBe(0);
    expect(valueOf(arrTrend, arr([split + 1, 80_000], [daysAgo(10), 90_000]))).toBeNull();
  });
});

describe('ratio', () => {
  const seats = smallModel(`
    measures:
      seats_used: { label: seats used, signal: usage.seats_used, aggregate: latest, window: 7 }
      seats_purchased: { label: seats purchased, signal: account.seats_purchased, aggregate: latest }
      seat_utilisation:
        label: seat utilisation
        aggregate: ratio
        of: [seats_used, seats_purchased]
        normalise: { linear: [0.3, 0.9] }
    components:
      adoption: { weight: 1, measures: { seat_utilisation: 1 } }
  `);
  const used45 = signals({ usage: { seats_used: [{ day: daysAgo(1), value: 45 }] } });
  const ratio = (sigs: AccountSignals, facts: AccountFacts) =>
    measureAccount(seats, facts, sigs, TODAY).raw.seat_utilisation;

  it('divides one measure by another, observed when its timed part was', () => {
    // 45 seats used yesterday of 60 purchased: 0.75; the purchased seats are a fact without a time.
    expect(ratio(used45, account({ seatsPurchased: 60 }))).toEqual({
      value: 0.75,
      observedAt: daysAgo(1),
      stale: false,
    });
  });

  it('has no value when either part is missing or the denominator is 0', () => {
    expect(ratio(used45, account({ seatsPurchased: null }))!.value).toBeNull();
    expect(ratio(used45, account({ seatsPurchased: 0 }))!.value).toBeNull();
    expect(ratio(signals(), account({ seatsPurchased: 60 }))!.value).toBeNull();
  });
});

describe('days_since and days_until', () => {
  it('days since the contract started, from the account fact', () => {
    expect(
      valueOf(
        'signal: account.contract_start, aggregate: days_since',
        signals(),
        account({ contractStart: daysAgo(400) }),
      ),
    ).toBe(400);
    expect(valueOf('signal: account.contract_start, aggregate: days_since', signals(), account())).toBeNull();
  });

  it('days since the last event counts calendar days: earlier today is 0, late yesterday is 1', () => {
    const since = 'signal: events, aggregate: days_since';
    const at = (...times: number[]) =>
      signals({ events: times.map((t) => ({ at: t, event: 'login', user: 'ann' })) });
    expect(valueOf(since, at(daysAgo(9), daysAgo(1, 23)))).toBe(1); // yesterday 23:00
    expect(valueOf(since, at(daysAgo(9), daysAgo(0, 10)))).toBe(0); // today 10:00
    expect(valueOf(since, at(daysAgo(9, 12)))).toBe(9);
    expect(valueOf(since, at())).toBeNull();
  });

  it('days until the renewal, negative once it has passed', () => {
    const until = 'signal: account.renewal_date, aggregate: days_until';
    expect(valueOf(until, signals(), account({ renewalDate: daysAgo(-45) }))).toBe(45);
    expect(valueOf(until, signals(), account({ renewalDate: daysAgo(10) }))).toBe(-10);
    expect(valueOf(until, signals(), account())).toBeNull();
  });
});

describe('staleness', () => {
  const averaged = 'signal: usage.active_users, aggregate: average, window: 14, stale_after: 3';

  it('flags a measure whose newest observation is older than stale_after days', () => {
    // Stale when observed before END_OF_TODAY - 3 days = 2 days ago minus 1 ms.
    expect(measure(averaged, signals({ usage: { active_users: daily(13, 2, 40) } }))).toEqual({
      value: 40,
      observedAt: daysAgo(2),
      stale: false,
    });
    expect(measure(averaged, signals({ usage: { active_users: daily(13, 3, 40) } }))).toEqual({
      value: 40,
      observedAt: daysAgo(3),
      stale: true,
    });
  });

  it('at the exact limit an observation is still fresh; a millisecond older it is stale', () => {
    const latestNps = 'signal: surveys.nps, aggregate: latest, window: 365, stale_after: 180';
    const limit = END_OF_TODAY - 180 * DAY_MS;
    expect(measure(latestNps, signals({ surveys: [nps(8, limit)] })).stale).toBe(false);
    expect(measure(latestNps, signals({ surveys: [nps(8, limit - 1)] })).stale).toBe(true);
  });

  it('never flags a measure without data, and flags a ratio when a part is stale', () => {
    expect(measure(averaged, signals())).toEqual({ value: null, observedAt: null, stale: false });
    const model = smallModel(`
      measures:
        logins: { label: logins, signal: usage.logins, aggregate: average, window: 14, stale_after: 3 }
        users: { label: users, signal: usage.active_users, aggregate: average, window: 14, stale_after: 3 }
        per_user: { label: logins per user, aggregate: ratio, of: [logins, users], normalise: { linear: [0, 3] } }
      components:
        usage: { weight: 1, measures: { per_user: 1 } }
    `);
    // Logins stopped arriving 5 days ago; active users are current. 60 / 40 = 1.5, observed at the older part.
    const raw = measureAccount(
      model,
      account(),
      signals({ usage: { logins: daily(13, 5, 60), active_users: daily(13, 0, 40) } }),
      TODAY,
    ).raw;
    expect(raw.per_user).toEqual({ value: 1.5, observedAt: daysAgo(5), stale: true });
  });
});

describe('findings for drops and leading indicators (default model)', () => {
  const model = loadModel();
  const findings = (sigs: AccountSignals) => measureAccount(model, account(), sigs, TODAY).findings;
  /** Active users: the 28 days before the last 14 at `before`, the last 14 days at `now`. */
  const activeUsers = (before: number, now: number) =>
    signals({ usage: { active_users: [...daily(41, 14, before), ...daily(13, 0, now)] } });

  it('a 30% fall over 14 days against the 28 before is a drop; 29% and 10% are not', () => {
    // 70 against 100: -30%, and the rule fires at 30% or more.
    expect(findings(activeUsers(100, 70))).toMatchObject({
      usageDrops: { active_users_drop: 30 },
      usageDeclinePct: 30,
    });
    // 71 against 100: -29%, a decline (>= 15%) but no drop.
    const fell29 = findings(activeUsers(100, 71));
    expect(fell29.usageDrops).toEqual({});
    expect(fell29.usageDeclinePct).toBeCloseTo(29);
    // 90 against 100: -10%, neither.
    expect(findings(activeUsers(100, 90))).toMatchObject({ usageDrops: {}, usageDeclinePct: 10 });
  });

  it('a weekly rhythm (weekends at 40% of weekdays) is no drop; the same rhythm 35% lower is', () => {
    // 14 and 28 days both hold whole weeks, so each window averages (5 x 100 + 2 x 40) / 7 = 82.86.
    const rhythm = (scale: (daysAgo: number) => number) =>
      signals({ usage: { active_users: daily(41, 0, (day, n) => (isWeekend(day) ? 40 : 100) * scale(n)) } });
    const steady = findings(rhythm(() => 1));
    expect(steady.usageDrops).toEqual({});
    expect(steady.usageDeclinePct).toBeCloseTo(0);

    // The last 14 days at 65% of the rhythm: a 35% fall.
    const fallen = findings(rhythm((n) => (n <= 13 ? 0.65 : 1)));
    expect(Object.keys(fallen.usageDrops)).toEqual(['active_users_drop']);
    expect(fallen.usageDrops.active_users_drop).toBeCloseTo(35);
  });

  it('needs a baseline to call anything a fall', () => {
    expect(findings(signals({ usage: { active_users: daily(13, 0, 10) } }))).toMatchObject({
      usageDrops: {},
      usageDeclinePct: null,
    });
  });

  it('counts P1/P2 tickets open more than 72 hours at the end of the day, and all open P1/P2 tickets', () => {
    const limit = END_OF_TODAY - 72 * HOUR_MS;
    const result = findings(
      signals({
        tickets: [
          ticket('P1', limit - 1), // open 72 h and a millisecond: ageing
          ticket('P2', limit), // open exactly 72 h: not yet
          ticket('P3', daysAgo(10)), // old, but P3
          ticket('P1', daysAgo(10), { resolvedAt: daysAgo(1) }), // old, but resolved
        ],
      }),
    );
    expect(result.ageingTickets).toBe(1);
    expect(result.openBlockingTickets).toBe(2); // the two open P1/P2 tickets
  });

  it('averages the NPS answers of the referral window (180 days), the limit excluded', () => {
    const limit = END_OF_TODAY - 180 * DAY_MS;
    expect(findings(signals({ surveys: [nps(10, limit + 1), nps(8, daysAgo(3))] })).recentNps).toEqual({
      average: 9,
      answers: 2,
    });
    expect(findings(signals({ surveys: [nps(10, limit)] })).recentNps).toBeNull();
  });

  it('sentiment turns negative with an NPS of 6 or less in the last 90 days, or else a negative latest note', () => {
    expect(findings(signals({ surveys: [nps(9, daysAgo(40)), nps(6, daysAgo(10))] }))).toMatchObject({
      negativeSentiment: 'latest NPS 6',
      // Both answers are within the referral's 180 days: (9 + 6) / 2.
      recentNps: { average: 7.5, answers: 2 },
    });
    expect(findings(signals({ surveys: [nps(7, daysAgo(10))] })).negativeSentiment).toBeNull();
    // An NPS of 6 from 95 days ago is too old to say sentiment is turning now.
    expect(findings(signals({ surveys: [nps(6, daysAgo(95))] })).negativeSentiment).toBeNull();
    // ... but a negative CSM note 5 days ago does.
    expect(
      findings(signals({ surveys: [nps(6, daysAgo(95))], notes: [{ sentiment: -1, at: daysAgo(5) }] }))
        .negativeSentiment,
    ).toBe('latest CSM note negative');
    // A positive note after the negative one: the latest note is what counts.
    const notes = [
      { sentiment: -1, at: daysAgo(20) },
      { sentiment: 1, at: daysAgo(3) },
    ];
    expect(findings(signals({ notes })).negativeSentiment).toBeNull();
  });
});

describe('determinism', () => {
  const model = loadModel();
  const facts = account({ seatsPurchased: 50, renewalDate: daysAgo(-120), arr: 48_000 });
  const parts = {
    usage: {
      active_users: daily(60, 0, (_, n) => 30 + (n % 7)),
      logins: daily(60, 0, (_, n) => 55 + (n % 5)),
      seats_used: daily(10, 0, 33),
    },
    tickets: [ticket('P2', daysAgo(4)), ticket('P3', daysAgo(20), { resolvedAt: daysAgo(18) })],
    surveys: [
      nps(9, daysAgo(100)),
      nps(7, daysAgo(30)),
      { kind: 'csat' as const, score: 4, at: daysAgo(12) },
    ],
    notes: [
      { sentiment: 1, at: daysAgo(40) },
      { sentiment: 0, at: daysAgo(9) },
    ],
    crm: {
      arr: [
        { at: daysAgo(500), value: 40_000 },
        { at: daysAgo(30), value: 48_000 },
      ],
    },
  };

  it('gives deeply equal results for the same inputs, whatever order the signals come in', () => {
    const first = measureAccount(model, facts, signals(parts), TODAY);
    expect(measureAccount(model, facts, signals(parts), TODAY)).toEqual(first);

    const reversed = signals({
      usage: Object.fromEntries(Object.entries(parts.usage).map(([k, v]) => [k, [...v].reverse()])),
      tickets: [...parts.tickets].reverse(),
      surveys: [...parts.surveys].reverse(),
      notes: [...parts.notes].reverse(),
      crm: { arr: [...parts.crm.arr].reverse() },
    });
    expect(measureAccount(model, facts, reversed, TODAY)).toEqual(first);
  });
});
