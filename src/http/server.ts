// Canary's HTTP server, on node:http: the routing table (exact paths with a handler per
// method, and path prefixes handed whole to another request listener, which is how
// Bolt's Slack receiver is mounted at /slack/), JSON replies, the fallback for
// unexpected errors, and one log line per request. What each endpoint does lives in
// routes/; the API's checks and answer shapes in api.ts.
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { loadRules, type AlertRules } from '../cases/rules.ts';
import type { Logger } from '../lib/log.ts';
import type { Database } from '../storage/db.ts';
import { apiRoute, bulkWriter, HttpError, type Exchange, type Reply, type RouteHandler } from './api.ts';
import { postAccounts } from './routes/accounts.ts';
import { health } from './routes/health.ts';
import { postSegment } from './routes/segment.ts';
import { postSignals } from './routes/signals.ts';

export interface ServerDeps {
  database: Database;
  logger: Logger;
  maxBodyBytes: number;
  /** The alert rules signals open recovery cases by (ALERT_RULES_FILE); the built-in ones when not given. */
  rules?: AlertRules;
  /** The clock; tests pin it. */
  now?: () => Date;
}

export interface HttpServer extends http.Server {
  /** Hands every request whose path starts with prefix (e.g. '/slack/') to listener, untouched. */
  mount(prefix: string, listener: RequestListener): void;
}

/** The server with every route, not listening yet. */
export function createHttpServer(deps: ServerDeps): HttpServer {
  const api = {
    database: deps.database,
    maxBodyBytes: deps.maxBodyBytes,
    now: deps.now ?? (() => new Date()),
    write: bulkWriter(deps.database.target),
  };
  const routes = new Map<string, Record<string, RouteHandler>>([
    ['/healthz', { GET: health(deps.database, deps.logger) }],
    [
      '/api/v1/signals',
      { POST: apiRoute(api, postSignals({ rules: deps.rules ?? loadRules(), logger: deps.logger })) },
    ],
    ['/api/v1/accounts', { POST: apiRoute(api, postAccounts) }],
    ['/api/v1/segment', { POST: apiRoute(api, postSegment) }],
  ]);
  const mounts: { prefix: string; listener: RequestListener }[] = [];

  const server = http.createServer((req, res) => {
    const started = performance.now();
    // The path without its query string, which may carry anything; never logged.
    const path = (req.url ?? '/').split('?')[0]!;
    const exchange: Exchange = { req };
    let failure: unknown;
    res.on('close', () => {
      const line = {
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        tokenName: exchange.tokenName,
      };
      if (failure) deps.logger.error({ ...line, err: failure }, 'request failed');
      else if (!res.writableFinished) deps.logger.info({ ...line, aborted: true }, 'request aborted');
      else deps.logger.info(line, 'request');
    });

    const respond = async (): Promise<Reply | null> => {
      const mount = mounts.find((m) => path.startsWith(m.prefix));
      if (!mount) return route(routes, req.method ?? 'GET', path, exchange);
      await mount.listener(req, res);
      return null;
    };
    void respond()
      .catch((err: unknown): Reply => {
        if (err instanceof HttpError) return err.reply();
        failure = err;
        return {
          status: 500,
          body: {
            error: 'internal',
            message: 'something went wrong on our side; sending the same request again is safe',
          },
        };
      })
      .then((reply) => reply && send(req, res, reply));
  }) as HttpServer;
  server.mount = (prefix, listener) => void mounts.push({ prefix, listener });
  return server;
}

async function route(
  routes: Map<string, Record<string, RouteHandler>>,
  method: string,
  path: string,
  exchange: Exchange,
): Promise<Reply> {
  const methods = routes.get(path);
  if (!methods) throw new HttpError(404, 'not_found', `there is no endpoint at ${path.slice(0, 200)}`);
  if (!Object.hasOwn(methods, method)) {
    const allowed = Object.keys(methods).join(', ');
    throw new HttpError(405, 'method_not_allowed', `${path} accepts ${allowed} only`, {}, { Allow: allowed });
  }
  return methods[method]!(exchange);
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    // A body left unread (refused before or while reading it) is not drained: the
    // connection is closed instead, so a client cannot make us read gigabytes.
    ...(req.complete ? {} : { Connection: 'close' }),
    ...reply.headers,
  });
  res.end(json);
}
