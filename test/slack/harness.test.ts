// The offline Slack harness behaves like Slack where Canary depends on it: the real
// @slack/web-api WebClient against the fake Web API (messages, views, users, DMs, file
// uploads, Block Kit refusals, rate limits and server errors, response URLs), and signed
// requests that Bolt's own verifier and a real Bolt HTTP app accept, or refuse.
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { ErrorCode, WebClient, type WebAPIHTTPError, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/slack/fake-slack.ts';
import {
  appHomeOpened,
  blockAction,
  eventCallback,
  signedPost,
  slashCommand,
  urlVerification,
  viewSubmission,
  type SlackRequest,
} from '../support/slack/signed-request.ts';
import { WORKSPACE } from '../support/slack/workspace.ts';

const GENERAL = WORKSPACE.channel.id;
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (label: string) => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: 'go', text: { type: 'plain_text', text: label } }],
});

/** The Slack error a call was refused with, with Slack's problem messages. */
async function refusal(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  const error = (await call.then(
    () => expect.fail('Slack accepted the call'),
    (e: unknown) => e,
  )) as WebAPIPlatformError;
  expect(error.code).toBe(ErrorCode.PlatformError);
  const metadata = error.data.response_metadata as { messages?: string[] } | undefined;
  return { error: error.data.error, messages: metadata?.messages ?? [] };
}

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let slack: WebClient;
  beforeAll(async () => {
    fake = await startFakeSlack({
      channels: [
        WORKSPACE.channel,
        { id: 'C0UNJOINED1', name: 'sales', botIsMember: false },
        { id: 'C0ARCHIVED1', name: 'old-alerts', archived: true },
      ],
      users: [
        WORKSPACE.user,
        {
          id: 'U0MANAGER01',
          name: 'robin',
          email: 'Robin@Example.com',
          realName: 'Robin Lee',
          isAdmin: true,
          tz: 'Europe/Paris',
        },
      ],
    });
    slack = fake.client();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  describe('auth', () => {
    it('answers auth.test for the bot token', async () => {
      const answer = await slack.auth.test();
      expect(answer).toMatchObject({
        ok: true,
        team_id: WORKSPACE.teamId,
        user_id: WORKSPACE.botUserId,
        bot_id: WORKSPACE.botId,
      });
    });

    it('refuses an unknown token (invalid_auth) and a missing one (not_authed)', async () => {
      const wrong = slack.chat.postMessage({ channel: GENERAL, text: 'x', token: 'xoxb-wrong' });
      expect((await refusal(wrong)).error).toBe('invalid_auth');
      const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
      expect((await refusal(anonymous.chat.postMessage({ channel: GENERAL, text: 'x' }))).error).toBe(
        'not_authed',
      );
      expect(fake.messages(GENERAL)).toEqual([]);
    });
  });

  describe('messages', () => {
    it('records a posted message with its blocks decoded, stores it, and never records the token', async () => {
      const blocks = [section('*Acme* is at risk')];
      const answer = await slack.chat.postMessage({ channel: GENERAL, text: 'Acme is at risk', blocks });

      expect(answer).toMatchObject({
        ok: true,
        channel: GENERAL,
        message: { text: 'Acme is at risk', blocks },
      });
      expect(answer.ts).toMatch(/^\d{10}\.\d{6}$/);
      const [call] = fake.calls('chat.postMessage');
      expect(call!.args).toEqual({ channel: GENERAL, text: 'Acme is at risk', blocks });
      expect(call!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(JSON.stringify(fake.calls())).not.toContain(fake.token);
      expect(fake.message(GENERAL, answer.ts!)).toMatchObject({
        text: 'Acme is at risk',
        blocks,
        user: WORKSPACE.botUserId,
      });
    });

    it('accepts JSON bodies as well as forms', async () => {
      const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${fake.token}` },
        body: JSON.stringify({ channel: GENERAL, text: 'from JSON', blocks: [section('json')] }),
      });
      const answer = (await res.json()) as { ok: boolean; ts: string };
      expect(answer.ok).toBe(true);
      expect(fake.message(GENERAL, answer.ts)?.blocks).toEqual([section('json')]);
    });

    it('updates a stored message, keeping its blocks when none are sent, and links to it', async () => {
      const { ts } = await slack.chat.postMessage({ channel: GENERAL, text: 'v1', blocks: [section('v1')] });
      await slack.chat.update({ channel: GENERAL, ts: ts!, text: 'v2' });
      expect(fake.message(GENERAL, ts!)).toMatchObject({ text: 'v2', blocks: [section('v1')], edited: {} });
      await slack.chat.update({ channel: GENERAL, ts: ts!, text: 'v3', blocks: [section('v3')] });
      expect(fake.message(GENERAL, ts!)).toMatchObject({ text: 'v3', blocks: [section('v3')] });

      const link = await slack.chat.getPermalink({ channel: GENERAL, message_ts: ts! });
      expect(link.permalink).toBe(
        `https://canary-test.slack.com/archives/${GENERAL}/p${ts!.replace('.', '')}`,
      );
      expect(
        (await refusal(slack.chat.update({ channel: GENERAL, ts: '1700000000.000001', text: 'x' }))).error,
      ).toBe('message_not_found');
    });

    it('does not store ephemeral messages, so they cannot be updated', async () => {
      const { message_ts } = await slack.chat.postEphemeral({
        channel: GENERAL,
        user: WORKSPACE.user.id,
        text: 'only you',
      });
      expect(fake.messages(GENERAL)).toEqual([]);
      expect((await refusal(slack.chat.update({ channel: GENERAL, ts: message_ts!, text: 'x' }))).error).toBe(
        'message_not_found',
      );
      expect(
        (await refusal(slack.chat.postEphemeral({ channel: GENERAL, user: 'U0NOBODY', text: 'x' }))).error,
      ).toBe('user_not_found');
    });

    it('refuses a missing or unknown channel, one the bot is not in, and an archived one', async () => {
      const post = (channel: string) => refusal(slack.chat.postMessage({ channel, text: 'x' }));
      expect((await post('')).error).toBe('channel_not_found');
      expect((await post('C0NOWHERE01')).error).toBe('channel_not_found');
      expect((await post('C0UNJOINED1')).error).toBe('not_in_channel');
      expect((await post('C0ARCHIVED1')).error).toBe('is_archived');
      expect((await refusal(slack.chat.postMessage({ channel: GENERAL } as never))).error).toBe('no_text');
    });

    it('opens one DM per user, and a post to a user id lands in that DM', async () => {
      const opened = await slack.conversations.open({ users: WORKSPACE.user.id });
      const dm = opened.channel!.id!;
      expect(dm).toMatch(/^D/);
      expect(await slack.conversations.open({ users: WORKSPACE.user.id })).toMatchObject({
        already_open: true,
        channel: { id: dm },
      });
      const posted = await slack.chat.postMessage({ channel: WORKSPACE.user.id, text: 'your digest' });
      expect(posted.channel).toBe(dm);
      expect(fake.messages(dm).map((m) => m.text)).toEqual(['your digest']);
      expect((await refusal(slack.conversations.open({ users: 'U0NOBODY' }))).error).toBe('user_not_found');
    });
  });

  describe('Block Kit limits', () => {
    const post = (blocks: unknown) =>
      slack.chat.postMessage({ channel: GENERAL, text: 'fallback', blocks: blocks as never });

    it('accepts blocks exactly at the limits', async () => {
      await post(Array.from({ length: 50 }, (_, i) => section(`row ${i}`)));
      await post([
        section('x'.repeat(3000)),
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
        button('b'.repeat(75)),
      ]);
      expect(fake.calls('chat.postMessage').map((c) => c.status)).toEqual([200, 200]);
    });

    it('refuses a message whose blocks hold more than 12,000 characters of text in all', async () => {
      await post(Array.from({ length: 4 }, () => section('x'.repeat(3000))));
      const { error } = await refusal(post(Array.from({ length: 5 }, () => section('x'.repeat(2500)))));
      expect(error).toBe('msg_blocks_too_long');
    });

    it.each([
      [
        '51 blocks',
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
        'no more than 50 items allowed [json-pointer:/blocks]',
      ],
      ['blocks that are not an array', { type: 'divider' }, 'must be an array [json-pointer:/blocks]'],
      ['a section over 3000 characters', [section('x'.repeat(3001))], '[json-pointer:/blocks/0/text/text]'],
      ['an empty section text', [section('')], 'must be more than 0 characters'],
      [
        'a header over 150',
        [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
        '/blocks/0/text/text',
      ],
      ['a mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'must be plain_text'],
      ['a button label over 75', [button('b'.repeat(76))], '/blocks/0/elements/0/text/text'],
      [
        'a repeated block_id',
        [
          { type: 'divider', block_id: 'a' },
          { type: 'divider', block_id: 'a' },
        ],
        'duplicate block_id',
      ],
      [
        '11 fields',
        [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
        '/blocks/0/fields',
      ],
    ])('refuses %s with invalid_blocks', async (_, blocks, message) => {
      const { error, messages } = await refusal(post(blocks));
      expect(error).toBe('invalid_blocks');
      expect(messages.join('\n')).toContain(message);
    });

    it('holds a home view to 100 blocks (invalid_arguments beyond) and stores it per user', async () => {
      const home = (n: number) => ({
        type: 'home' as const,
        blocks: Array.from({ length: n }, () => ({ type: 'divider' as const })),
      });
      const published = await slack.views.publish({ user_id: WORKSPACE.user.id, view: home(100) });
      expect(fake.homeView(WORKSPACE.user.id)).toMatchObject({ id: published.view!.id, type: 'home' });
      const { error, messages } = await refusal(
        slack.views.publish({ user_id: WORKSPACE.user.id, view: home(101) }),
      );
      expect(error).toBe('invalid_arguments');
      expect(messages).toEqual(['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]']);
      expect(
        (await refusal(slack.views.publish({ user_id: WORKSPACE.user.id, view: home(1), hash: 'stale' })))
          .error,
      ).toBe('hash_conflict');
    });
  });

  describe('modals', () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'settings',
      title: { type: 'plain_text' as const, text: 'Health settings' },
      blocks: [section('pick a threshold')],
    };

    it('opens a modal once per trigger id the fake issued, and updates it by id', async () => {
      const trigger = fake.triggerId();
      const opened = await slack.views.open({ trigger_id: trigger, view: modal });
      expect(fake.view(opened.view!.id!)).toMatchObject({ callback_id: 'settings', type: 'modal' });
      expect((await refusal(slack.views.open({ trigger_id: trigger, view: modal }))).error).toBe(
        'exchanged_trigger_id',
      );
      expect((await refusal(slack.views.open({ trigger_id: '123.456.abc', view: modal }))).error).toBe(
        'invalid_trigger_id',
      );

      await slack.views.update({ view_id: opened.view!.id!, view: { ...modal, blocks: [section('saved')] } });
      expect(fake.view(opened.view!.id!)?.blocks).toEqual([section('saved')]);
      expect((await refusal(slack.views.update({ view_id: 'V0NOPE', view: modal }))).error).toBe('not_found');
    });

    it('refuses a trigger id older than 3 seconds', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const trigger = fake.triggerId();
        vi.setSystemTime(Date.now() + 3001);
        expect((await refusal(slack.views.open({ trigger_id: trigger, view: modal }))).error).toBe(
          'expired_trigger_id',
        );
      } finally {
        vi.useRealTimers();
      }
    });

    it('refuses a modal title over 24 characters', async () => {
      const view = { ...modal, title: { type: 'plain_text' as const, text: 't'.repeat(25) } };
      const { error, messages } = await refusal(slack.views.open({ trigger_id: fake.triggerId(), view }));
      expect(error).toBe('invalid_arguments');
      expect(messages[0]).toContain('/view/title/text');
    });
  });

  describe('users', () => {
    it('finds users by id and by email, in any case, with their profile and time zone', async () => {
      const { user } = await slack.users.lookupByEmail({ email: 'robin@example.COM' });
      expect(user).toMatchObject({
        id: 'U0MANAGER01',
        name: 'robin',
        is_admin: true,
        tz: 'Europe/Paris',
        profile: { email: 'Robin@Example.com', real_name: 'Robin Lee' },
      });
      expect([3600, 7200]).toContain(user!.tz_offset);
      expect((await slack.users.info({ user: WORKSPACE.user.id })).user).toMatchObject({
        tz: 'America/New_York',
      });
      expect((await refusal(slack.users.lookupByEmail({ email: 'nobody@example.com' }))).error).toBe(
        'users_not_found',
      );
      expect((await refusal(slack.users.info({ user: 'U0NOBODY' }))).error).toBe('user_not_found');
    });
  });

  describe('files.uploadV2', () => {
    it('gets an upload URL, POSTs the bytes there, then completes the upload into the thread', async () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
      const { ts } = await slack.chat.postMessage({ channel: GENERAL, text: 'Acme' });
      const answer = await slack.filesUploadV2({
        channel_id: GENERAL,
        thread_ts: ts!,
        file: png,
        filename: 'health.png',
        title: 'Health Index, 90 days',
        alt_text: 'Health Index chart',
      });

      expect(fake.calls().map((c) => c.method)).toEqual([
        'chat.postMessage',
        'files.getUploadURLExternal',
        'upload',
        'files.completeUploadExternal',
      ]);
      expect(fake.calls('files.getUploadURLExternal')[0]!.args).toEqual({
        filename: 'health.png',
        length: String(png.length),
        alt_text: 'Health Index chart',
      });
      const [file] = fake.files();
      expect(file).toMatchObject({
        filename: 'health.png',
        completed: true,
        channelId: GENERAL,
        threadTs: ts,
      });
      expect(file!.bytes!.equals(png)).toBe(true);
      // uploadV2 answers one completion per destination, each with its own files.
      const completion = answer.files[0] as unknown as { files: { id: string; title: string }[] };
      expect(completion.files[0]).toMatchObject({
        id: file!.id,
        title: 'Health Index, 90 days',
        mimetype: 'image/png',
      });
      expect(fake.messages(GENERAL).at(-1)).toMatchObject({ thread_ts: ts, files: [{ id: file!.id }] });
    });

    it('refuses to complete a file whose bytes never arrived', async () => {
      const { file_id } = await slack.files.getUploadURLExternal({ filename: 'x.csv', length: 3 });
      expect((await refusal(slack.files.completeUploadExternal({ files: [{ id: file_id! }] }))).error).toBe(
        'file_not_found',
      );
    });
  });

  describe('failures', () => {
    it('sends 429 with Retry-After, which WebClient waits out before it retries', async () => {
      fake.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfter: 1 });
      const patient = fake.client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
      const started = Date.now();
      const answer = await patient.chat.postMessage({ channel: GENERAL, text: 'digest' });

      expect(answer.ok).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      const calls = fake.calls('chat.postMessage');
      expect(calls.map((c) => c.status)).toEqual([429, 200]);
      expect(calls[1]!.at.getTime() - calls[0]!.at.getTime()).toBeGreaterThanOrEqual(1000);
      expect(fake.messages(GENERAL).map((m) => m.text)).toEqual(['digest']);
    });

    it('with retries 0, WebClient still waits out Retry-After, then fails the call', async () => {
      fake.fail('chat.postMessage', { error: 'ratelimited', retryAfter: 1 });
      const started = Date.now();
      const error = await slack.chat.postMessage({ channel: GENERAL, text: 'x' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.RequestError });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(fake.calls('chat.postMessage')).toHaveLength(1);
    });

    it('surfaces a 500 as an HTTP error when retries are 0, and applies a rule only `times` times', async () => {
      fake.fail('chat.postMessage', { status: 500, times: 2 });
      for (let i = 0; i < 2; i++) {
        const error = (await slack.chat
          .postMessage({ channel: GENERAL, text: 'x' })
          .catch((e: unknown) => e)) as WebAPIHTTPError;
        expect(error.code).toBe(ErrorCode.HTTPError);
        expect(error.statusCode).toBe(500);
      }
      expect((await slack.chat.postMessage({ channel: GENERAL, text: 'x' })).ok).toBe(true);
    });

    it('answers an injected Slack error once, then behaves again', async () => {
      fake.fail('users.info', { error: 'channel_not_found' });
      expect((await refusal(slack.users.info({ user: WORKSPACE.user.id }))).error).toBe('channel_not_found');
      expect((await slack.users.info({ user: WORKSPACE.user.id })).ok).toBe(true);
    });

    it('delays a method by the latency asked for', async () => {
      fake.latency('auth.test', 200);
      const started = Date.now();
      await slack.auth.test();
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    });
  });

  describe('response_url', () => {
    it('records what is POSTed, answers ok five times, then 404 like Slack', async () => {
      const url = fake.responseUrl();
      const statuses: number[] = [];
      for (let i = 1; i <= 6; i++) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: `reply ${i}`, response_type: 'ephemeral' }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
      expect(fake.responses(url).map((r) => r.body.text)).toEqual([
        'reply 1',
        'reply 2',
        'reply 3',
        'reply 4',
        'reply 5',
        undefined,
      ]);
      expect(fake.responses(fake.responseUrl())).toEqual([]);
    });

    it('refuses invalid blocks in a response', async () => {
      const url = fake.responseUrl();
      const res = await fetch(url, {
        method: 'POST',
        body: JSON.stringify({ blocks: [section('x'.repeat(3001))] }),
      });
      expect([res.status, await res.text()]).toEqual([400, 'invalid_blocks']);
    });
  });

  describe('waiting for calls', () => {
    it('waitFor resolves on a call made later, and on one already made', async () => {
      const waiting = fake.waitFor('chat.postMessage', (c) => c.args.text === 'second');
      await slack.chat.postMessage({ channel: GENERAL, text: 'first' });
      setTimeout(() => void slack.chat.postMessage({ channel: GENERAL, text: 'second' }), 50);
      expect((await waiting).args.text).toBe('second');
      expect((await fake.waitFor('chat.postMessage')).args.text).toBe('first');
    });

    it('waitFor times out naming the calls it saw', async () => {
      await slack.chat.postMessage({ channel: GENERAL, text: 'only this' });
      await expect(fake.waitFor('chat.postMessage', (c) => c.args.text === 'never', 100)).rejects.toThrow(
        /saw 1:[\s\S]*only this/,
      );
    });

    it('waitForResponse resolves when the response URL is used', async () => {
      const url = fake.responseUrl();
      setTimeout(() => void fetch(url, { method: 'POST', body: JSON.stringify({ text: 'late' }) }), 50);
      expect((await fake.waitForResponse(url)).body).toEqual({ text: 'late' });
    });
  });
});

describe('signed requests', () => {
  const signingSecret = 'test-signing-secret';
  const verify = (request: SlackRequest, headers: Headers) =>
    verifySlackRequest({
      signingSecret,
      body: request.body,
      headers: {
        'x-slack-signature': headers.get('x-slack-signature')!,
        'x-slack-request-timestamp': Number(headers.get('x-slack-request-timestamp')),
      },
    });

  /** Sends a request to a server that only captures it, to check what was signed. */
  async function captured(request: SlackRequest, options: Parameters<typeof signedPost>[2]) {
    let headers = new Headers();
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      headers = new Headers(req.headers as Record<string, string>);
      req.resume().on('end', () => res.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await signedPost(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, request, options);
    await new Promise((resolve) => server.close(resolve));
    return headers;
  }

  it("verifies with Bolt's own verifier; a wrong secret, a changed body or a stale timestamp does not", async () => {
    const request = slashCommand({
      command: '/health',
      text: 'acme',
      responseUrl: 'http://127.0.0.1:1/response/x',
    });
    const headers = await captured(request, { signingSecret, retryNum: 1, retryReason: 'http_timeout' });
    expect(headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(headers.get('x-slack-retry-num')).toBe('1');
    expect(() => verify(request, headers)).not.toThrow();

    expect(() => verify({ ...request, body: `${request.body}&text=other` }, headers)).toThrow(
      /signature mismatch/,
    );
    const wrong = await captured(request, { signingSecret: 'another-secret' });
    expect(() => verify(request, wrong)).toThrow(/signature mismatch/);
    const stale = await captured(request, { signingSecret, timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(() => verify(request, stale)).toThrow(/stale/);
  });

  describe('into a real Bolt HTTP app', () => {
    let fake: FakeSlack;
    let app: App;
    let endpoint: string;
    const seen: Record<string, unknown> = {};
    const post = (request: SlackRequest, options: Partial<Parameters<typeof signedPost>[2]> = {}) =>
      signedPost(endpoint, request, { signingSecret, ...options });

    beforeAll(async () => {
      fake = await startFakeSlack();
      app = new App({
        token: fake.token,
        botId: WORKSPACE.botId,
        botUserId: WORKSPACE.botUserId,
        signingSecret,
        logLevel: LogLevel.ERROR,
        clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      });
      app.command('/health', async ({ ack, command, respond, client }) => {
        await ack();
        seen.command = command;
        await respond({ response_type: 'ephemeral', text: `Health for ${command.text}` });
        await client.views.open({
          trigger_id: command.trigger_id,
          view: { type: 'modal', title: { type: 'plain_text', text: 'Health' }, blocks: [section('card')] },
        });
      });
      app.action('acknowledge', async ({ ack, body, action, respond }) => {
        await ack();
        seen.action = { body, action };
        await respond({ replace_original: true, text: 'Acknowledged' });
      });
      app.action('pick_tier', async ({ ack, body, action }) => {
        await ack();
        seen.select = { body, action };
      });
      app.view('thresholds', async ({ ack, view }) => {
        await ack({
          response_action: 'errors',
          errors: { threshold: `got ${view.state.values.threshold?.value?.value}` },
        });
      });
      app.event('app_home_opened', async ({ event, client, context }) => {
        seen.retryNum = context.retryNum;
        await client.views.publish({
          user_id: event.user,
          view: { type: 'home', blocks: [section('home')] },
        });
      });
      const server = await app.start({ port: 0, host: '127.0.0.1' });
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    });
    afterAll(async () => {
      await app.stop();
      await fake.close();
    });

    it('runs a slash command: acks, answers on the response_url and opens a modal with the trigger id', async () => {
      const responseUrl = fake.responseUrl();
      const res = await post(
        slashCommand({ command: '/health', text: 'acme corp', responseUrl, triggerId: fake.triggerId() }),
      );
      expect(res.status).toBe(200);
      expect((await fake.waitForResponse(responseUrl)).body).toEqual({
        response_type: 'ephemeral',
        text: 'Health for acme corp',
      });
      const open = await fake.waitFor('views.open');
      expect(open.answer).toMatchObject({ ok: true });
      expect(seen.command).toMatchObject({
        team_id: WORKSPACE.teamId,
        user_id: WORKSPACE.user.id,
        channel_id: WORKSPACE.channel.id,
      });
      // token + botId + botUserId: Bolt never calls auth.test.
      expect(fake.calls('auth.test')).toEqual([]);
    });

    it('routes a button in a message and a select in the home tab', async () => {
      const responseUrl = fake.responseUrl();
      const { ts } = await fake
        .client()
        .chat.postMessage({ channel: WORKSPACE.channel.id, text: 'Acme dropped' });
      await post(
        blockAction({
          actionId: 'acknowledge',
          value: 'case-7',
          messageTs: ts!,
          message: fake.message(WORKSPACE.channel.id, ts!),
          responseUrl,
        }),
      );
      expect((await fake.waitForResponse(responseUrl)).body).toEqual({
        replace_original: true,
        text: 'Acknowledged',
      });
      expect(seen.action).toMatchObject({
        action: { type: 'button', value: 'case-7' },
        body: { container: { type: 'message', message_ts: ts }, message: { text: 'Acme dropped' } },
      });

      const res = await post(
        blockAction({
          actionId: 'pick_tier',
          container: 'view',
          selectedOption: { text: 'High', value: 'high' },
        }),
      );
      expect(res.status).toBe(200);
      expect(seen.select).toMatchObject({
        action: { selected_option: { value: 'high' } },
        body: { view: { type: 'home' } },
      });
      expect((seen.select as { body: object }).body).not.toHaveProperty('response_url');
    });

    it('answers a view submission with what the app acked', async () => {
      const values = { threshold: { value: { type: 'plain_text_input', value: '40' } } };
      const res = await post(viewSubmission({ callbackId: 'thresholds', values }));
      expect(await res.json()).toEqual({ response_action: 'errors', errors: { threshold: 'got 40' } });
    });

    it('delivers an event with its retry headers, and the app publishes the home tab', async () => {
      const res = await post(appHomeOpened({}), { retryNum: 2, retryReason: 'http_timeout' });
      expect(res.status).toBe(200);
      await fake.waitFor('views.publish');
      expect(fake.homeView(WORKSPACE.user.id)?.blocks).toEqual([section('home')]);
      expect(seen.retryNum).toBe(2);
    });

    it('echoes the url_verification challenge', async () => {
      const request = urlVerification('c-123');
      expect(await (await post(request)).json()).toEqual({ challenge: 'c-123' });
    });

    it('refuses with 401 a wrong signature and a timestamp older than 5 minutes', async () => {
      const request = eventCallback({
        event: { type: 'app_home_opened', user: WORKSPACE.user.id, channel: 'D0X', tab: 'home' },
      });
      expect((await post(request, { signature: 'v0=deadbeef' })).status).toBe(401);
      expect((await post(request, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
      expect((await post(request, { signingSecret: 'not-the-secret' })).status).toBe(401);
    });
  });
});
