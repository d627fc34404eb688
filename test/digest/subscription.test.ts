// A subscription request as people type it: read into a schedule, a zone, filters and
// sections, or refused with every problem named at once.
import { describe, expect, it } from 'vitest';
import {
  describeFilters,
  DigestInputError,
  parseChannelId,
  readSubscription,
  SECTIONS,
} from '../../src/digest/subscription.ts';

describe('subscription requests', () => {
  it('reads a full request', () => {
    const s = readSubscription({
      schedule: 'weekdays 09:00',
      timeZone: 'europe/paris',
      segment: ' enterprise ',
      industry: 'Retail',
      owner: 'ana@example.com',
      minArr: '$1.5M',
      tiers: 'Critical, high',
      sections: ['renewals', 'at-risk'],
    });
    expect(s.schedule.cron).toBe('0 9 * * 1-5');
    expect(s.timeZone).toBe('Europe/Paris');
    expect(s.filters).toEqual({
      segment: 'enterprise',
      industry: 'Retail',
      owner: 'ana@example.com',
      minArr: 1_500_000,
      riskTiers: ['high', 'critical'],
    });
    expect(s.sections).toEqual(['at-risk', 'renewals']);
    expect(describeFilters(s.filters)).toBe(
      'segment enterprise · industry Retail · owner ana@example.com · ARR ≥ $1.5M · high or critical risk',
    );
  });

  it('defaults to the whole book and every section', () => {
    const s = readSubscription({ schedule: '30 8 * * *', timeZone: 'UTC', minArr: 0, segment: '' });
    expect(s.filters).toEqual({});
    expect(s.sections).toEqual([...SECTIONS]);
    expect(describeFilters(s.filters)).toBeNull();
    expect(readSubscription({ schedule: 'daily 8:00', timeZone: 'UTC', minArr: '250,000' }).filters).toEqual({
      minArr: 250_000,
    });
  });

  it('names every problem at once', () => {
    let error: DigestInputError | undefined;
    try {
      readSubscription({
        schedule: 'hourly',
        timeZone: 'Mars/Olympus',
        minArr: 'lots',
        tiers: 'high,severe',
        sections: 'at-risk,gossip',
        segment: 'x'.repeat(201),
      });
    } catch (err) {
      error = err as DigestInputError;
    }
    expect(error).toBeInstanceOf(DigestInputError);
    expect(error!.problems).toEqual([
      expect.stringMatching(/^"hourly" is not a schedule Canary reads/),
      expect.stringMatching(/^unknown time zone "Mars\/Olympus"/),
      'segment: at most 200 characters',
      'minimum ARR "lots": expected an amount such as 50000, 50k or $1.5M',
      'unknown risk tier "severe": expected low, medium, high, critical',
      'unknown section "gossip": expected at-risk, dropped, referrals, renewals, cases, charts',
    ]);
    expect(() => readSubscription({ schedule: 'daily 09:00', timeZone: 'UTC', sections: ' , ' })).toThrow(
      /no sections given/,
    );
  });

  it('takes channel ids, not names', () => {
    expect(parseChannelId(' C0GENERAL01 ')).toBe('C0GENERAL01');
    expect(parseChannelId('G0PRIVATE01')).toBe('G0PRIVATE01');
    for (const bad of ['#general', 'general', 'c0general01', 'U0CSM00001', '<#C0GENERAL01>'])
      expect(() => parseChannelId(bad)).toThrow(/is not a Slack channel id: expected one like C0123456789/);
  });
});
