// `/health digest …` as parseCommand reads it: the actions and their arguments, and a
// subscription's words put together into what digest/subscription.ts checks: the
// schedule (a simple form or a cron expression), the zone bare or after `tz`, options
// with values of several words or quoted, lists, Slack's escaped mentions; every
// problem of how it was put together collected; anything else stays "unclear".
import { describe, expect, it } from 'vitest';
import { parseCommand, type DigestQuestion } from '../../src/slack/command.ts';

const digest = (text: string): DigestQuestion => {
  const q = parseCommand(text);
  if (q.kind !== 'digest') throw new Error(`${text}: ${q.kind}`);
  return q.digest;
};
const subscribe = (text: string) => {
  const q = digest(`digest subscribe ${text}`);
  if (q.action !== 'subscribe') throw new Error(q.action);
  return q;
};

describe('/health digest', () => {
  it('reads the actions, in any case', () => {
    expect(digest('digest')).toEqual({ action: 'help' });
    expect(digest('Digest HELP')).toEqual({ action: 'help' });
    expect(digest('digest unsubscribe')).toEqual({ action: 'unsubscribe' });
    expect(digest('digest preview')).toEqual({ action: 'preview' });
    expect(digest('digest list')).toEqual({ action: 'list', all: false });
    expect(digest('digest list ALL')).toEqual({ action: 'list', all: true });
  });

  it.each(['digest frobnicate', 'digest list mine', 'digest preview now', 'digest unsubscribe #general'])(
    '%j is unclear: an account by that name, else help',
    (text) => {
      expect(parseCommand(text)).toEqual({ kind: 'unclear', text });
    },
  );

  it('subscribe: a simple schedule, the zone bare, and options', () => {
    expect(subscribe('weekdays 09:00 Europe/Paris tier high,critical')).toEqual({
      action: 'subscribe',
      request: { schedule: 'weekdays 09:00', timeZone: 'Europe/Paris', tiers: 'high,critical' },
      problems: [],
    });
    expect(
      subscribe(
        'daily 8:30 tz America/New_York industry Financial Services segment "tier one" owner <@U0DANA0001|dana> min-arr 50k tier high, critical sections at-risk cases',
      ).request,
    ).toEqual({
      schedule: 'daily 8:30',
      timeZone: 'America/New_York',
      industry: 'Financial Services',
      segment: 'tier one',
      owner: 'U0DANA0001',
      minArr: '50k',
      tiers: 'high,critical',
      sections: 'at-risk,cases',
    });
  });

  it('subscribe: a cron expression, the zone before or after it, an email as Slack links it', () => {
    expect(subscribe('0 9 * * 1-5 UTC').request).toEqual({ schedule: '0 9 * * 1-5', timeZone: 'UTC' });
    expect(subscribe('Asia/Tokyo 30 8 * * *').request).toEqual({
      schedule: '30 8 * * *',
      timeZone: 'Asia/Tokyo',
    });
    expect(
      subscribe('mondays 09:00 UTC owner <mailto:dana@example.com|dana@example.com>').request.owner,
    ).toBe('dana@example.com');
  });

  it('subscribe: collects every problem of how the words are put together', () => {
    const q = subscribe('weekdays 09:00 Europe/Paris please tz UTC segment tier min-arr 50k now industry');
    expect(q.request).toMatchObject({ schedule: 'weekdays 09:00', timeZone: 'Europe/Paris', minArr: '50k' });
    expect(q.problems).toEqual([
      expect.stringMatching(/^did not understand "please" after the schedule: the options are tz, segment,/),
      'the time zone is given twice',
      'segment needs a value, e.g. "segment enterprise"',
      'tier needs a value, e.g. "tier high,critical"',
      expect.stringMatching(/^did not understand "now" after min-arr 50k/),
      'industry needs a value, e.g. "industry Financial Services"',
    ]);
  });

  it('subscribe: leaves what the words say to the subscription checks (no zone, a bad schedule)', () => {
    expect(subscribe('')).toEqual({
      action: 'subscribe',
      request: { schedule: '', timeZone: '' },
      problems: [],
    });
    expect(subscribe('every day at nine').request).toEqual({ schedule: 'every day at nine', timeZone: '' });
  });
});
