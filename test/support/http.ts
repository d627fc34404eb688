// Canary's HTTP server for tests: a real server on a free port over a fresh database
// (see databases.ts), an API token, the lines it logged, and a way to call it.
import type { AddressInfo } from 'node:net';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/log.ts';
import type { Database } from '../../src/storage/db.ts';
import type { Provider } from '../../src/storage/schema.ts';
import { createToken } from '../../src/storage/tokens.ts';
import { freshDatabase } from './databases.ts';

export interface Answer {
  status: number;
  headers: Headers;
  // Tests read answers loosely; the assertions say what each one must hold.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface TestServer {
  url: string;
  database: Database;
  /** A valid token, named "test". */
  token: string;
  server: HttpServer;
  /** Every line the server logged, parsed. */
  logs: Record<string, unknown>[];
  /** POSTs body as JSON with the test token (override with headers). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  request(path: string, init?: RequestInit): Promise<Answer>;
  close(): Promise<void>;
}

/** When the test server's clock starts; it moves on by a millisecond per request. */
export const TEST_NOW = new Date('2026-03-10T12:00:00.000Z');

export async function startServer(
  provider: Provider,
  options: { maxBodyBytes?: number; database?: Database } = {},
): Promise<TestServer> {
  const fresh = options.database ? null : await freshDatabase(provider);
  const database = options.database ?? fresh!;
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  // A clock that moves, as a real one does between requests: changes of an account's
  // CRM fields are recorded under the time of the request (crm_facts), once per instant.
  let ticks = 0;
  const now = () => new Date(TEST_NOW.getTime() + ticks++);
  const server = createHttpServer({
    database,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    now,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = fresh ? (await createToken(database.db, 'test')).token : '';

  const request = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await fetch(url + path, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  return {
    url,
    database,
    token,
    server,
    logs,
    request,
    post: (path, body, headers = {}) =>
      request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify(body),
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fresh?.close();
    },
  };
}
