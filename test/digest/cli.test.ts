// `canary digest` as a user runs it (a real process on an embedded SQLite file):
// subscribe a channel, change it, list it with its next slot, pause and resume it,
// preview it as text and as Block Kit JSON, unsubscribe it; bad input refused with
// every problem and exit code 2.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankDatabase } from '../support/databases.ts';

const run = promisify(execFile);
const CANARY = path.resolve('bin/canary.js');

describe('canary digest', () => {
  let blank: ReturnType<typeof blankDatabase>;
  beforeEach(() => {
    blank = blankDatabase('sqlite');
  });
  afterEach(() => blank.remove());

  async function canary(...args: string[]) {
    try {
      const { stdout, stderr } = await run(process.execPath, [CANARY, 'digest', ...args], {
        env: { ...process.env, DATABASE_URL: blank.url },
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('subscribes, changes, lists, pauses, resumes, previews and unsubscribes a channel', async () => {
    const sub = await canary(
      'subscribe',
      'C0GENERAL01',
      '--schedule',
      'weekdays 09:00',
      '--tz',
      'Europe/Paris',
      '--segment',
      'enterprise',
      '--min-arr',
      '50k',
      '--tier',
      'high,critical',
    );
    expect(sub).toMatchObject({ code: 0, stderr: '' });
    expect(sub.stdout).toMatch(
      /^Subscribed C0GENERAL01: weekdays 09:00 \(Europe\/Paris\), segment enterprise · ARR ≥ \$50\.0k · high or critical risk; sections at-risk, dropped, referrals, renewals, cases, charts\. Next: \w{3}, \d+ \w{3} \d{4}, 09:00 \(Europe\/Paris\)\./,
    );
    const again = await canary(
      'subscribe',
      'C0GENERAL01',
      '--schedule',
      'mondays 8:30',
      '--tz',
      'UTC',
      '--sections',
      'at-risk',
    );
    expect(again.stdout).toMatch(
      /^Updated C0GENERAL01: mondays 08:30 \(UTC\), the whole book; sections at-risk\. Next: Mon,/,
    );

    const list = await canary('list');
    expect(list.stdout).toMatch(
      /C0GENERAL01 +mondays 08:30 \(UTC\) +whole book +at-risk +Mon, .* 08:30 \(UTC\) +-/,
    );

    expect((await canary('pause', 'C0GENERAL01')).stdout).toBe('Paused C0GENERAL01.\n');
    expect((await canary('resume', 'C0GENERAL01')).stdout).toMatch(/^Resumed C0GENERAL01\. Next: Mon,/);

    const preview = await canary('preview', 'C0GENERAL01');
    expect(preview).toMatchObject({ code: 0 });
    expect(preview.stdout).toBe('Canary digest\nNo scores yet: Canary has not completed a scoring run.\n');
    const blocks = JSON.parse((await canary('preview', 'C0GENERAL01', '--json')).stdout);
    expect(blocks).toMatchObject({ text: 'No scores yet: Canary has not completed a scoring run.' });

    expect((await canary('unsubscribe', 'C0GENERAL01')).stdout).toBe('Unsubscribed C0GENERAL01.\n');
    expect(await canary('unsubscribe', 'C0GENERAL01')).toMatchObject({
      code: 1,
      stderr: 'canary: C0GENERAL01 has no digest\n',
    });
    expect((await canary('list')).stdout).toMatch(/^No digests\./);
  });

  it('refuses bad input with every problem, exit code 2', async () => {
    const bad = await canary(
      'subscribe',
      'C0GENERAL01',
      '--schedule',
      'hourly',
      '--tz',
      'Mars/Base',
      '--tier',
      'severe',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^canary: "hourly" is not a schedule Canary reads.*\nunknown time zone "Mars\/Base".*\nunknown risk tier "severe"/,
    );
    const channel = await canary('subscribe', '#general', '--schedule', 'daily 09:00', '--tz', 'UTC');
    expect(channel).toMatchObject({ code: 2 });
    expect(channel.stderr).toMatch(/"#general" is not a Slack channel id/);
  });
});
