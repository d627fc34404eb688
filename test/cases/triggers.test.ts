// The alert rules applied to a scored day and to signals: what fires, what does not,
// the words a CSM reads, and keys that make the same firing seen twice one firing.
import { describe, expect, it } from 'vitest';
import { signalTrigger, snapshotTriggers, type ScoredDay, type Signal } from '../../src/cases/triggers.ts';
import { at, HOUR, NOW, rules } from './fixtures.ts';

const r = rules();
const DAY0 = new Date('2026-11-20T00:00:00Z');
const day = (over: Partial<ScoredDay> = {}): ScoredDay => ({
  accountId: 7,
  day: DAY0,
  healthIndex: 62,
  riskTier: 'medium',
  drops: [],
  renewalDate: null,
  previousRiskTier: 'medium',
  ...over,
});
const DROP = { rule: 'usage_drop', label: 'Usage drop', detail: 'active users -35% over 14 days' };

describe('after scoring', () => {
  it('fires nothing for an ordinary day', () => {
    expect(snapshotTriggers(r, day())).toEqual([]);
  });

  it('fires a drop with the engine words, keyed by the day', () => {
    expect(
      snapshotTriggers(
        r,
        day({ drops: [DROP, { ...DROP, label: 'Health Index drop', detail: '-12 in 5 days' }] }),
      ),
    ).toEqual([
      {
        accountId: 7,
        reason: 'drop',
        key: 'drop:2026-11-20',
        summary: 'Usage drop: active users -35% over 14 days; Health Index drop: -12 in 5 days',
      },
    ]);
  });

  it('fires on entry into a watched tier, or into a worse one, not while it stays', () => {
    const fired = (previousRiskTier: ScoredDay['previousRiskTier'], riskTier: ScoredDay['riskTier']) =>
      snapshotTriggers(r, day({ healthIndex: 30, riskTier, previousRiskTier })).map((t) => t.summary);
    expect(fired('medium', 'high')).toEqual(['Entered high risk from medium, Health Index 30']);
    expect(fired(null, 'critical')).toEqual(['Entered critical risk, Health Index 30']);
    expect(fired('high', 'critical')).toEqual(['Entered critical risk from high, Health Index 30']);
    expect(fired('high', 'high')).toEqual([]);
    expect(fired('critical', 'high')).toEqual([]);
    expect(fired('low', 'medium')).toEqual([]);
  });

  it('fires a renewal within the window with a weak score, once per renewal date', () => {
    const renewing = (days: number, healthIndex: number) =>
      snapshotTriggers(r, day({ healthIndex, renewalDate: new Date(DAY0.getTime() + days * 24 * HOUR) }));
    expect(renewing(45, 42)).toEqual([
      {
        accountId: 7,
        reason: 'renewal',
        key: 'renewal:2027-01-04',
        summary: 'Renewal in 45 days (2027-01-04) with a Health Index of 42, below 50',
      },
    ]);
    expect(renewing(61, 42)).toEqual([]);
    expect(renewing(45, 50)).toEqual([]);
    expect(renewing(-1, 42)).toEqual([]);
  });

  it('fires only the rules the file has', () => {
    const onlyDrops = rules({ rules: { drop: {} } });
    expect(
      snapshotTriggers(onlyDrops, day({ riskTier: 'critical', previousRiskTier: 'low', drops: [DROP] })).map(
        (t) => t.reason,
      ),
    ).toEqual(['drop']);
  });
});

describe('signals', () => {
  const nps = (score: number, comment: string | null = null): Signal => ({
    kind: 'survey',
    id: 31,
    accountId: 7,
    survey: 'nps',
    score,
    respondent: 'cto@acme.example',
    comment,
  });
  const ticket = (over: Partial<Extract<Signal, { kind: 'ticket' }>> = {}): Signal => ({
    kind: 'ticket',
    id: 9,
    accountId: 7,
    priority: 'P1',
    status: 'open',
    subject: 'Exports failing',
    openedAt: at(-30),
    resolvedAt: null,
    ...over,
  });

  it('fires a detractor answer at once, with the respondent and comment', () => {
    expect(signalTrigger(r, nps(3, '  Support never answers  '), NOW)).toEqual({
      accountId: 7,
      reason: 'detractor',
      key: 'detractor:survey-31',
      summary: 'NPS 3 from cto@acme.example: "Support never answers"',
    });
    expect(signalTrigger(r, nps(6), NOW)?.summary).toBe('NPS 6 from cto@acme.example');
    expect(signalTrigger(r, nps(7), NOW)).toBeNull();
    expect(signalTrigger(r, { ...nps(1), survey: 'csat' } as Signal, NOW)).toBeNull();
  });

  it('fires a ticket of a watched priority unresolved for the rule hours', () => {
    expect(signalTrigger(r, ticket(), NOW)).toEqual({
      accountId: 7,
      reason: 'ticket',
      key: 'ticket:ticket-9',
      summary: 'P1 ticket unresolved for 30 h: Exports failing',
    });
    expect(signalTrigger(r, ticket({ openedAt: at(-23) }), NOW)).toBeNull();
    expect(signalTrigger(r, ticket({ priority: 'P2' }), NOW)).toBeNull();
    expect(signalTrigger(r, ticket({ status: 'closed', resolvedAt: at(-1) }), NOW)).toBeNull();
    // Resolved after now (a backfill looking at an earlier moment) still counts as open.
    expect(signalTrigger(r, ticket({ status: 'closed', resolvedAt: at(5) }), NOW)).not.toBeNull();
    expect(signalTrigger(r, ticket({ status: 'closed' }), NOW)).toBeNull();
  });
});
