// `canary serve` as an operator runs it (a real process on the embedded database):
// without the Slack settings, or with a token Slack refuses (the bot token; in Socket
// Mode the app-level token), it stops at once and says what is wrong without printing a
// secret; with them it serves /slack/events on the same
// port as /healthz, answers /health through the offline Slack, runs the scheduler, and
// on SIGTERM finishes and exits 0.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankDatabase } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';
import { startFakeSlack, type FakeSlack } from '../support/slack/fake-slack.ts';
import { signedPost, slashCommand } from '../support/slack/signed-request.ts';

const CANARY = path.resolve('bin/canary.js');
const SECRET = 'serveTestSigningSecret01';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('canary serve', () => {
  let blank: ReturnType<typeof blankDatabase>;
  let files: Scratch;
  let fake: FakeSlack;
  beforeEach(async () => {
    blank = blankDatabase('sqlite');
    files = scratch();
    fake = await startFakeSlack();
  });
  afterEach(async () => {
    await fake.close();
    await blank.remove();
    files.remove();
  });

  // Run from a folder without a .env, so that only these variables count.
  const env = (vars: Record<string, string>) => {
    const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('SLACK_'));
    return { ...Object.fromEntries(inherited), DATABASE_URL: blank.url, ...vars };
  };
  const serve = (vars: Record<string, string>, args: string[] = []) =>
    promisify(execFile)(process.execPath, [CANARY, 'serve', ...args], {
      cwd: files.dir,
      env: env(vars),
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('without the Slack settings: names each missing variable and exits 1', async () => {
    const { code, stderr } = await serve({});
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_BOT_TOKEN: missing');
    expect(stderr).toContain('SLACK_SIGNING_SECRET: missing');
  });

  it('with schedule settings it cannot read: names each variable and exits 1 before starting', async () => {
    const { code, stderr } = await serve({
      SLACK_BOT_TOKEN: fake.token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      SCORING_SCHEDULE: 'nightly',
      SCORING_TZ: 'Mars/Olympus',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('SCORING_SCHEDULE: "nightly" is not a schedule Canary reads');
    expect(stderr).toContain('SCORING_TZ: unknown time zone "Mars/Olympus"');
    expect(fake.calls('auth.test')).toEqual([]);
  });

  it('with a bot token Slack refuses: says so at start, without printing it', async () => {
    const token = 'xoxb-0000000000-not-the-right-one';
    const { code, stderr } = await serve({
      SLACK_BOT_TOKEN: token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(stderr).not.toContain(token);
  });

  it('in Socket Mode (SLACK_APP_TOKEN set): connects through SLACK_API_URL, and names an app token Slack refuses', async () => {
    const appToken = 'xapp-1-A0CANARY01-0000-not-accepted';
    const { code, stderr } = await serve({
      SLACK_BOT_TOKEN: fake.token,
      SLACK_APP_TOKEN: appToken,
      SLACK_API_URL: fake.apiUrl,
    });
    expect(code).toBe(1);
    expect(fake.calls('apps.connections.open').length).toBeGreaterThan(0);
    expect(stderr).toContain('Slack refused SLACK_APP_TOKEN (invalid_auth)');
    expect(stderr).not.toContain(appToken);
  });

  it('serves Slack and the health check on one port, answers /health, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CANARY, 'serve', '--port', String(port)], {
      cwd: files.dir,
      env: env({ SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl }),
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await expect.poll(() => stdout, { timeout: 30_000 }).toContain('Canary is listening');
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const responseUrl = fake.responseUrl();
      const res = await signedPost(
        `${url}/slack/events`,
        slashCommand({ command: '/health', text: 'help', responseUrl }),
        { signingSecret: SECRET },
      );
      expect(res.status).toBe(200);
      expect((await fake.waitForResponse(responseUrl, 10_000)).body.text).toBe('What `/health` answers:');
      // Bolt asked Slack who the bot is once, at start.
      expect(fake.calls('auth.test')).toHaveLength(1);
      // The scheduler runs beside it: its first tick scored yesterday (an empty book here).
      await expect.poll(() => stdout, { timeout: 30_000 }).toContain('nightly scoring run completed');
      expect(stdout).toContain('scheduler started');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"stopped"');
    expect(stdout).not.toContain(fake.token);
    expect(stdout).not.toContain(SECRET);
  });
});
