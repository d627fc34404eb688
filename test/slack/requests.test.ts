// What Canary does with requests that are not Slack's, and when things go wrong after
// the ack: unsigned, wrongly signed and stale requests are refused with 401 and change
// nothing; the Slack endpoint shares the server with the ingestion API and /healthz;
// a database error still acks at once and then tells the user privately, with the
// reference its log line carries; Slack's rate limits are waited out and a chart Slack
// has not processed yet is sent again, so the card arrives; no log line holds a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/log.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import {
  BOOK_DAY,
  seedDemoBook,
  SIGNING_SECRET,
  startCanary,
  type RunningCanary,
} from '../support/slack/canary.ts';
import { startFakeSlack, type FakeSlack, type RecordedResponse } from '../support/slack/fake-slack.ts';
import { slashCommand, urlVerification } from '../support/slack/signed-request.ts';

const ACK_WITHIN_MS = 3000;

// Answers are read loosely; each assertion says what it must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const blocksOf = (r: RecordedResponse) => r.body.blocks as any[];

describe('requests that are not from Slack', () => {
  let database: Database & { url: string };
  let fake: FakeSlack;
  let canary: RunningCanary;
  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    await seedDemoBook(database, { accounts: 30, only: ['accounts'], days: 0 });
    fake = await startFakeSlack();
    canary = await startCanary(database, fake);
  });
  afterAll(async () => {
    await canary?.close();
    await fake?.close();
    await database?.close();
  });

  /** A command that would be answered if it were Slack's; what it sent and where the answer would go. */
  const command = () => {
    const responseUrl = fake.responseUrl();
    return { responseUrl, request: slashCommand({ command: '/health', text: 'help', responseUrl }) };
  };

  it.each([
    ['wrongly signed', { signingSecret: 'someoneElsesSecret' }],
    ['6 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['signed for another body', { signature: 'v0=' + '0'.repeat(64) }],
  ])('refuses a request %s with 401, and nothing happens', async (_, options) => {
    const calls = fake.calls().length;
    const { responseUrl, request } = command();
    const sent = await canary.send(request, options);
    expect(sent.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls()).toHaveLength(calls);
    expect(fake.responses(responseUrl)).toEqual([]);
  });

  it('refuses an unsigned request with 401, and nothing happens', async () => {
    const calls = fake.calls().length;
    const { responseUrl, request } = command();
    const res = await fetch(canary.events, {
      method: 'POST',
      headers: {
        'content-type': request.contentType,
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: request.body,
    });
    expect(res.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls()).toHaveLength(calls);
    expect(fake.responses(responseUrl)).toEqual([]);
  });

  it('answers the same request when it is signed: the refusals above were for the signature alone', async () => {
    const { responseUrl, request } = command();
    expect((await canary.send(request)).status).toBe(200);
    expect((await fake.waitForResponse(responseUrl, 10_000)).body.text).toBe('What `/health` answers:');
  });

  it("answers Slack's URL verification with its challenge (Event Subscriptions' Retry)", async () => {
    const request = urlVerification('a-challenge-from-slack');
    const sent = await canary.send(request);
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body)).toEqual({ challenge: 'a-challenge-from-slack' });
  });

  it('shares the server with the ingestion API and the health check; other /slack/ paths are not found', async () => {
    expect((await fetch(`${canary.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${canary.url}/api/v1/signals`, { method: 'POST', body: '[]' })).status).toBe(401);
    const get = await fetch(canary.events);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${canary.url}/slack/install`)).status).toBe(404);
  });

  it('logs every refusal and request without the body, a token, the signing secret or a response URL', async () => {
    const logged = JSON.stringify(canary.logs);
    expect(canary.logs.some((l) => l.path === '/slack/events' && l.status === 401)).toBe(true);
    expect(logged).not.toContain(fake.token);
    expect(logged).not.toContain(SIGNING_SECRET);
    expect(logged).not.toContain('/response/');
    expect(logged).not.toContain('fakeVerificationToken');
  });
});

describe('log redaction', () => {
  it("redacts Slack's tokens, signing secret, signatures and response URLs wherever a log line carries them", () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const secrets = {
      botToken: 'xoxb-1-secret-bot',
      appToken: 'xapp-1-secret-app',
      signingSecret: 'secretSigningValue',
      response_url: 'https://hooks.slack.com/commands/T1/2/secret-response',
    };
    logger.info({ config: { mode: 'socket', ...secrets } }, 'nested');
    logger.info({ ...secrets, SLACK_BOT_TOKEN: 'xoxb-2-secret-env' }, 'top level');
    logger.info({ req: { headers: { 'x-slack-signature': 'v0=secret-signature' } } }, 'headers');
    const logged = lines.join('');
    for (const secret of [...Object.values(secrets), 'xoxb-2-secret-env', 'v0=secret-signature'])
      expect(logged).not.toContain(secret);
    expect(logged).toContain('"mode":"socket"');
  });
});

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  describe('a database error after the ack', () => {
    let database: Database & { url: string };
    let fake: FakeSlack;
    let canary: RunningCanary;
    beforeAll(async () => {
      database = await freshDatabase(provider);
      await seedDemoBook(database, { accounts: 30, only: ['accounts'], days: 0 });
      fake = await startFakeSlack();
      canary = await startCanary(database, fake);
    });
    afterAll(async () => {
      await canary?.close();
      await fake?.close();
      await database?.close();
    });

    it('still acks at once, then tells the user privately, with the ref of the log line', async () => {
      await database.db.$executeRawUnsafe(
        provider === 'postgresql' ? 'DROP TABLE health_snapshots CASCADE' : 'DROP TABLE health_snapshots',
      );
      const sent = await canary.command('ACC-0001');
      expect(sent.status).toBe(200);
      expect(sent.ackMs).toBeLessThan(ACK_WITHIN_MS);
      const answer = await fake.waitForResponse(sent.responseUrl, 10_000);
      expect(answer.body.response_type).toBe('ephemeral');
      const ref = /\(ref ([0-9a-f]{8})\)$/.exec(answer.body.text as string)?.[1];
      expect(answer.body.text).toMatch(/^Canary could not answer: something went wrong on Canary's side/);
      const line = canary.logs.find((l) => l.msg === 'could not answer');
      expect(line).toMatchObject({ ref, answer: 'command', level: 50 });
      expect(JSON.stringify(line)).toMatch(/health_snapshots/);
    });
  });

  describe("Slack's rate limits and uploads not processed yet", () => {
    let database: Database & { url: string };
    let fake: FakeSlack;
    let canary: RunningCanary;
    /** External ids of accounts scored on the book's last day: each test opens a card not opened before. */
    let scored: string[];
    beforeAll(async () => {
      database = await freshDatabase(provider);
      await seedDemoBook(database, { accounts: 30, days: 8 });
      const rows = await database.db.healthSnapshot.findMany({
        where: { day: BOOK_DAY, healthIndex: { not: null } },
        select: { account: { select: { externalId: true } } },
        orderBy: { accountId: 'asc' },
        take: 5,
      });
      scored = rows.map((r) => r.account.externalId);
      fake = await startFakeSlack();
      canary = await startCanary(database, fake);
    });
    afterAll(async () => {
      await canary?.close();
      await fake?.close();
      await database?.close();
    });

    /** The card for `account` once it arrives (a refused attempt first is allowed). */
    async function card(account: string) {
      const sent = await canary.command(account);
      expect(sent.status).toBe(200);
      expect(sent.ackMs).toBeLessThan(ACK_WITHIN_MS);
      await expect
        .poll(() => fake.responses(sent.responseUrl).find((r) => r.status === 200), { timeout: 10_000 })
        .toBeDefined();
      const delivered = fake.responses(sent.responseUrl).find((r) => r.status === 200)!;
      return { sent, delivered, image: blocksOf(delivered).find((b) => b.type === 'image') };
    }

    it.each([
      { nth: 0, method: 'files.getUploadURLExternal' },
      { nth: 1, method: 'files.completeUploadExternal' },
    ])(
      'waits out a 429 with Retry-After on $method: the card arrives with its chart',
      async ({ nth, method }) => {
        const before = fake.calls(method).length;
        fake.fail(method, { error: 'ratelimited', retryAfter: 1 });
        const started = Date.now();
        const { delivered, image } = await card(scored[nth]!);
        expect(delivered.at.getTime() - started).toBeGreaterThanOrEqual(1000);
        expect(
          fake
            .calls(method)
            .slice(before)
            .map((c) => c.status),
        ).toEqual([429, 200]);
        expect(fake.files().find((f) => f.id === image.slack_file.id)?.completed).toBe(true);
      },
    );

    it('acks before the work: with an upload that takes 4 s, the ack is still at once and the card follows', async () => {
      fake.latency('files.getUploadURLExternal', 4000);
      try {
        const { sent, delivered } = await card(scored[4]!);
        expect(sent.ackMs).toBeLessThan(1000);
        expect(delivered.at.getTime() - (performance.timeOrigin + sent.sentAt)).toBeGreaterThanOrEqual(4000);
      } finally {
        fake.latency('files.getUploadURLExternal', 0);
      }
    });

    it('sends the card again when Slack has not processed its chart yet, then it shows', async () => {
      fake.processing(1000);
      try {
        const { sent, image } = await card(scored[2]!);
        expect(fake.responses(sent.responseUrl).map((r) => r.status)).toEqual([400, 200]);
        expect(image.slack_file.id).toMatch(/^F/);
      } finally {
        fake.processing(0);
      }
    });

    it('gives up on the chart, not on the card, when Slack keeps refusing it', async () => {
      fake.processing(60_000);
      try {
        const { sent, delivered, image } = await card(scored[3]!);
        expect(fake.responses(sent.responseUrl).map((r) => r.status)).toEqual([400, 400, 200]);
        expect(image).toBeUndefined();
        expect(blocksOf(delivered)[0].type).toBe('header');
      } finally {
        fake.processing(0);
      }
    });
  });
});
