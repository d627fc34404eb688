// The API's front door, on both databases: tokens (bearer, HTTP Basic, unknown,
// revoked), what a request must look like (method, JSON, size, depth, no __proto__
// keys), the health check, and the request log that never holds a token.
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/db.ts';
import { createToken, revokeToken } from '../../src/storage/tokens.ts';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/http.ts';

const account = { external_id: 'acme', name: 'Acme' };

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startServer(provider, { maxBodyBytes: 4096 });
  });
  afterEach(() => t.close());

  const accountCount = () => t.database.db.account.count();

  describe('tokens', () => {
    it('accepts a bearer token', async () => {
      const answer = await t.post('/api/v1/accounts', { accounts: [account] });
      expect(answer.status).toBe(200);
    });

    it('accepts the token as the user name of HTTP Basic, as Segment sends it', async () => {
      const basic = Buffer.from(`${t.token}:`).toString('base64');
      const answer = await t.post(
        '/api/v1/accounts',
        { accounts: [account] },
        { Authorization: `Basic ${basic}` },
      );
      expect(answer.status).toBe(200);
    });

    it('answers 401 with WWW-Authenticate when the token is missing, malformed or unknown', async () => {
      for (const authorization of [
        undefined,
        'Bearer',
        'Token abc',
        'Bearer cny_unknown',
        'Bearer garbage',
        `Basic ${Buffer.from(':x').toString('base64')}`,
      ]) {
        const answer = await t.request('/api/v1/accounts', {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(authorization ? { Authorization: authorization } : {}),
          },
          body: JSON.stringify({ accounts: [account] }),
        });
        expect(answer.status, String(authorization)).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(answer.body).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
      }
      expect(await accountCount()).toBe(0);
    });

    it('answers 403 for a revoked token', async () => {
      const { token } = await createToken(t.database.db, 'old');
      await revokeToken(t.database.db, 'old');
      const answer = await t.post(
        '/api/v1/accounts',
        { accounts: [account] },
        { Authorization: `Bearer ${token}` },
      );
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({
        error: 'token_revoked',
        message: expect.stringContaining('"old" was revoked'),
      });
      expect(await accountCount()).toBe(0);
    });

    it('logs one line per request with the token name, never the token', async () => {
      await t.post('/api/v1/accounts', { accounts: [account] });
      await t.post(
        '/api/v1/accounts',
        { accounts: [account] },
        { Authorization: 'Bearer cny_not_a_real_one' },
      );
      const lines = t.logs.filter((l) => l.msg === 'request');
      expect(lines).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/api/v1/accounts',
          status: 200,
          tokenName: 'test',
          ms: expect.any(Number),
        }),
        expect.objectContaining({ method: 'POST', path: '/api/v1/accounts', status: 401 }),
      ]);
      const logged = JSON.stringify(t.logs);
      expect(logged).not.toContain(t.token);
      expect(logged).not.toContain('cny_not_a_real_one');
    });
  });

  describe('request hygiene', () => {
    it('answers 404 for an unknown path', async () => {
      const answer = await t.post('/api/v1/nothing-here', {});
      expect(answer.status).toBe(404);
      expect(answer.body.error).toBe('not_found');
    });

    it('answers 405 with Allow for a method other than POST', async () => {
      const answer = await t.request('/api/v1/signals', { headers: { Authorization: `Bearer ${t.token}` } });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
      expect(answer.body.error).toBe('method_not_allowed');
    });

    it('answers 415 for a body that is not declared as JSON', async () => {
      const answer = await t.post(
        '/api/v1/accounts',
        { accounts: [account] },
        { 'Content-Type': 'text/plain' },
      );
      expect(answer.status).toBe(415);
      expect(answer.body.error).toBe('unsupported_media_type');
      expect(await accountCount()).toBe(0);
    });

    it('accepts a charset parameter on the content type', async () => {
      const answer = await t.post(
        '/api/v1/accounts',
        { accounts: [account] },
        { 'Content-Type': 'application/json; charset=utf-8' },
      );
      expect(answer.status).toBe(200);
    });

    it('answers 413 for a body declared larger than the limit, without reading it', async () => {
      const names = Array.from({ length: 200 }, (_, i) => ({
        external_id: `a${i}`,
        name: `Account number ${i}`,
      }));
      const answer = await t.post('/api/v1/accounts', { accounts: names });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ error: 'body_too_large', limit: 4096 });
      expect(await accountCount()).toBe(0);
    });

    it('answers 413 for a streamed body that grows past the limit', async () => {
      const { status, body } = await streamedPost(t, '/api/v1/accounts', [
        '{"accounts": [',
        ...Array.from(
          { length: 100 },
          (_, i) => `${i ? ',' : ''}{"id": "a${i}", "name": "Account number ${i}"}`,
        ),
        ']}',
      ]);
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({ error: 'body_too_large' });
      expect(await accountCount()).toBe(0);
    });

    it('answers 400 for invalid JSON, an empty body and the wrong shape', async () => {
      const send = (body: string) =>
        t.request('/api/v1/signals', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.token}` },
          body,
        });
      expect((await send('{"signals": [')).body).toMatchObject({ error: 'invalid_json' });
      expect((await send('')).body).toMatchObject({ error: 'invalid_json' });
      expect((await send('[1, 2]')).body).toMatchObject({
        error: 'invalid_body',
        message: 'expected a JSON object like {"signals": [...]}',
      });
      expect((await send('{"signals": {}}')).status).toBe(400);
    });

    it('refuses JSON nested absurdly deep', async () => {
      const deep =
        '{"signals": [{"type": "event", "properties": ' +
        '{"a":'.repeat(1000) +
        '1' +
        '}'.repeat(1000) +
        '}]}';
      const big = await startServer(provider, { database: t.database, maxBodyBytes: 1024 * 1024 });
      try {
        const answer = await big.request('/api/v1/signals', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.token}` },
          body: deep,
        });
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          error: 'invalid_body',
          message: expect.stringContaining('nested deeper than 64 levels'),
        });
      } finally {
        await big.close();
      }
    });

    it('refuses __proto__ keys, and nothing is polluted or written', async () => {
      const body =
        '{"accounts": [{"id": "acme", "name": "Acme", "attributes": {"__proto__": {"polluted": true}}}]}';
      const answer = await t.request('/api/v1/accounts', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.token}` },
        body,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(
        'the key "__proto__" is not allowed (at accounts.0.attributes.__proto__)',
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await accountCount()).toBe(0);
    });

    it('answers 413 for more than 10,000 items', async () => {
      const big = await startServer(provider, { database: t.database, maxBodyBytes: 1024 * 1024 });
      try {
        const signals = Array.from({ length: 10_001 }, () => ({}));
        const answer = await big.post('/api/v1/signals', { signals }, { Authorization: `Bearer ${t.token}` });
        expect(answer.status).toBe(413);
        expect(answer.body).toMatchObject({
          error: 'too_many_items',
          limit: 10_000,
          message: expect.stringContaining('at most 10,000 signals'),
        });
      } finally {
        await big.close();
      }
    });
  });

  describe('GET /healthz', () => {
    it('answers 200 when the database answers', async () => {
      const answer = await t.request('/healthz');
      expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('answers 503 when it does not', async () => {
      const broken = {
        ...t.database,
        db: { $queryRawUnsafe: () => Promise.reject(new Error('connection refused')) },
      } as unknown as Database;
      const down = await startServer(provider, { database: broken });
      try {
        expect(await down.request('/healthz')).toMatchObject({
          status: 503,
          body: { status: 'unavailable' },
        });
      } finally {
        await down.close();
      }
    });
  });
});

/** POSTs a body in chunks (no Content-Length), as a client streaming a large upload would. */
function streamedPost(
  t: TestServer,
  path: string,
  chunks: string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      t.url + path,
      { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t.token}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    // The server may close the connection while chunks are still going out.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
