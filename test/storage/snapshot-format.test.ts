// How a snapshot's breakdown is kept in its row: whatever the engine scored (segment
// weights, missing and stale measures, overrides of a measure and of the index, drops,
// leading indicators, a change since the day before) reads back exactly as it was
// scored, through JSON, from the numbers and the model alone.
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/health/model.ts';
import { scoreAccount, type Override, type Snapshot } from '../../src/health/score.ts';
import { decodeBreakdown, encodeSnapshot, measureOrder } from '../../src/storage/snapshot-format.ts';
import { account, daysAgo, measured, NO_HISTORY } from '../health/fixtures.ts';

const model = loadModel();
const order = measureOrder(model);

/** A deterministic stream of numbers in [0, 1). */
function stream(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

const RANGES: Record<string, [number, number]> = {
  active_users_trend: [-80, 40],
  logins_per_day: [0, 500],
  active_users_per_day: [1, 300],
  login_frequency: [0, 4],
  feature_breadth: [0, 40],
  seats_used: [0, 300],
  seats_purchased: [1, 400],
  seat_utilisation: [0, 1.2],
  open_high_priority_tickets: [0, 4],
  ticket_volume_trend: [-100, 300],
  resolution_time: [1, 400],
  nps_latest: [0, 10],
  csat_latest: [1, 5],
  days_to_renewal: [-10, 400],
  arr_trend: [-50, 50],
  csm_sentiment: [-1, 1],
  survey_responses: [0, 6],
};

describe('a stored breakdown', () => {
  it('reads back every snapshot exactly as the engine scored it', () => {
    const next = stream(11);
    const tables = new Map([['feature_breadth', Float64Array.from([1, 5, 9, 12, 20, 33]).sort()]]);
    let previous: Snapshot | null = null;
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const raw = Object.fromEntries(
        order.map((name) => {
          const [lo, hi] = RANGES[name]!;
          const value = next() < 0.15 ? null : Math.round((lo + next() * (hi - lo)) * 1000) / 1000;
          return [
            name,
            {
              value,
              observedAt: value === null || next() < 0.3 ? null : daysAgo(Math.floor(next() * 9)),
              stale: next() < 0.1,
            },
          ];
        }),
      );
      const subject = measured(raw, {
        account: account({
          id: i + 1,
          segment: next() < 0.3 ? 'enterprise' : 'smb',
          lifecycleStage: next() < 0.2 ? 'onboarding' : 'mature',
          arr: Math.round(next() * 400_000),
          renewalDate: daysAgo(-Math.floor(next() * 200)),
        }),
        findings: {
          usageDrops: next() < 0.2 ? { active_users_drop: 35 } : {},
          usageDeclinePct: next() < 0.3 ? 25 : null,
          ageingTickets: next() < 0.2 ? 2 : 0,
          openBlockingTickets: next() < 0.2 ? 1 : 0,
          recentNps: next() < 0.6 ? { average: Math.round(next() * 100) / 10, answers: 2 } : null,
          negativeSentiment: next() < 0.1 ? 'latest NPS 3' : null,
        },
      });
      const overrides: Override[] = [];
      if (next() < 0.1)
        overrides.push({
          measure: 'nps_latest',
          value: 0,
          reason: 'detractor call',
          author: 'pat',
          expiresAt: null,
        });
      if (next() < 0.05)
        overrides.push({
          measure: null,
          value: 25,
          reason: 'exec escalation',
          author: 'sam',
          expiresAt: null,
        });
      const history =
        previous && next() < 0.7
          ? {
              indexByDay: [{ day: daysAgo(1), healthIndex: previous.healthIndex }],
              previous: { ...previous, day: daysAgo(1) },
            }
          : NO_HISTORY;
      const s = scoreAccount(model, subject, tables, history, overrides);
      const values = order.map((name) => subject.raw[name]?.value ?? null);

      const { breakdown, measureValues } = encodeSnapshot(model, s, values);
      const decoded = decodeBreakdown(
        model,
        JSON.parse(JSON.stringify(breakdown)),
        JSON.parse(JSON.stringify(measureValues)),
      );
      expect(decoded).toEqual({
        components: s.components,
        drivers: s.drivers,
        change: s.change,
        drops: s.drops,
        leadingIndicators: s.leadingIndicators,
        stale: s.stale,
        segmentRule: s.segmentRule,
        overrides: s.overrides,
        referral: { parts: s.referral.parts, blockers: s.referral.blockers },
      });
      if (s.change && s.overrides.length && s.segmentRule) checked++;
      previous = s;
    }
    // The mix covered the rare parts together at least once.
    expect(checked).toBeGreaterThan(0);
  });

  it('is a fraction of the size of the snapshot it stands for', () => {
    const subject = measured(Object.fromEntries(order.map((name) => [name, RANGES[name]![0] + 0.123456789])));
    const s = scoreAccount(model, subject, new Map(), NO_HISTORY, []);
    const { breakdown, measureValues } = encodeSnapshot(
      model,
      s,
      order.map((name) => subject.raw[name]!.value),
    );
    const stored = JSON.stringify(breakdown).length + JSON.stringify(measureValues).length;
    const whole = JSON.stringify({ ...s, explanation: undefined }).length;
    // A row small enough that several share a 4 KB database page.
    expect(stored).toBeLessThan(1000);
    expect(stored).toBeLessThan(whole / 3);
  });
});
