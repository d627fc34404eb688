// The ingestion API's contract (/api/v1/*) and the JSON every endpoint answers with:
// who may call it (an API token as a bearer token, or as the user name of HTTP Basic,
// which is what Segment's webhook sends), what a request must look like (POST, JSON,
// within the body limit, at most MAX_ITEMS items), how a request's items become one
// all-or-nothing ingestion, and the shapes of its answers and errors.
import type { IncomingMessage } from 'node:http';
import { Ingestion, type KindCounts, type Rejection } from '../ingest/ingest.ts';
import type { ImportKind } from '../ingest/kinds.ts';
import type { FieldProblem } from '../ingest/mapping.ts';
import type { SourceRecord } from '../ingest/read.ts';
import { openBulkSession, type BulkSession } from '../ingest/session.ts';
import type { Database, DatabaseTarget } from '../storage/db.ts';
import { checkToken } from '../storage/tokens.ts';
import { isObject } from '../lib/json.ts';
import { isUniqueViolation } from '../storage/sql.ts';

/** What an endpoint answers: a status and a JSON body. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** An answer other than success; its body is `{ error: code, message, ...details }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  reply(): Reply {
    return {
      status: this.status,
      headers: this.headers,
      body: { error: this.code, message: this.message, ...this.details },
    };
  }
}

/** One request as a route sees it; tokenName is set once the caller is known (for the log). */
export interface Exchange {
  req: IncomingMessage;
  tokenName?: string;
}

export type RouteHandler = (exchange: Exchange) => Promise<Reply>;

const MAX_ITEMS = 10_000;
const MAX_REPORTED_ERRORS = 100;
// Deeper JSON than any real payload; bounds the recursion of everything that walks it later.
const MAX_DEPTH = 64;

/** Runs work on a bulk session of its own; see bulkWriter. */
export type Writer = <T>(work: (session: BulkSession) => Promise<T>) => Promise<T>;

/** What an API endpoint gets: the parsed body and what it needs to write it. */
export interface ApiRequest {
  body: unknown;
  database: Database;
  now: Date;
  write: Writer;
}

export interface ApiDeps {
  database: Database;
  maxBodyBytes: number;
  now: () => Date;
  write: Writer;
}

/** Wraps an endpoint in the API's checks: the caller's token, a JSON body within the limit. */
export function apiRoute(deps: ApiDeps, endpoint: (request: ApiRequest) => Promise<Reply>): RouteHandler {
  return async (exchange) => {
    const now = deps.now();
    exchange.tokenName = await authenticate(deps.database, exchange.req.headers.authorization, now);
    requireJson(exchange.req);
    const body = await readJsonBody(exchange.req, deps.maxBodyBytes);
    return endpoint({ body, database: deps.database, now, write: deps.write });
  };
}

/**
 * One bulk session per request, closed afterwards. better-sqlite3 is synchronous: a
 * connection waiting for SQLite's write lock sleeps inside the driver and freezes the
 * event loop for every other request. So on SQLite, this process's writers take turns
 * here, and only one of them ever asks for the lock. (A `canary import` in another
 * process can still hold it; the session's busy timeout covers that.)
 *
 * On PostgreSQL, requests write side by side: two of them (here or on another
 * replica) may both insert the same new account or contact, and the later one fails
 * on the unique key, having written nothing. Work is idempotent, so it runs again and
 * finds the row there. (Its counts then call that row unchanged.)
 */
export function bulkWriter(target: DatabaseTarget): Writer {
  const run = async <T>(work: (session: BulkSession) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const session = await openBulkSession(target);
      try {
        return await work(session);
      } catch (err) {
        if (attempt >= WRITE_ATTEMPTS || !isUniqueViolation(err)) throw err;
      } finally {
        await session.close();
      }
    }
  };
  if (target.provider !== 'sqlite') return run;
  let last: Promise<unknown> = Promise.resolve();
  return <T>(work: (session: BulkSession) => Promise<T>): Promise<T> => {
    const turn = last.then(() => run(work));
    last = turn.catch(() => undefined);
    return turn;
  };
}

const WRITE_ATTEMPTS = 3;

const unauthorized = (message: string) =>
  new HttpError(401, 'unauthorized', message, {}, { 'WWW-Authenticate': 'Bearer realm="canary"' });

/** The token a request presents: `Bearer <token>`, or HTTP Basic with the token as user name. */
function presentedToken(header: string | undefined): string | null {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!match) return null;
  const [, scheme, credentials] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return credentials;
  if (scheme.toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const user = decoded.split(':')[0]!;
  return user === '' ? null : user;
}

/** The calling token's name; 401 for a missing or unknown token, 403 for a revoked one. */
async function authenticate(database: Database, header: string | undefined, now: Date): Promise<string> {
  const token = presentedToken(header);
  if (!token) {
    throw unauthorized(
      'send an API token as "Authorization: Bearer <token>" (create one with `canary token create`)',
    );
  }
  const check = await checkToken(database.db, token, now);
  if (check.status === 'unknown') throw unauthorized('the API token is not valid');
  if (check.status === 'revoked') {
    throw new HttpError(
      403,
      'token_revoked',
      `the API token "${check.name}" was revoked on ${check.revokedAt.toISOString().slice(0, 10)}`,
    );
  }
  return check.name;
}

function requireJson(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `send the body as JSON with "Content-Type: application/json"${type ? `, not ${type.slice(0, 100)}` : ''}`,
    );
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity')
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Content-Encoding ${encoding.slice(0, 40)} is not supported; send the body uncompressed`,
    );
}

const tooLarge = (maxBytes: number) =>
  new HttpError(
    413,
    'body_too_large',
    `the body is larger than ${maxBytes.toLocaleString('en-US')} bytes; send the items in several requests`,
    { limit: maxBytes },
  );

/** Reads and parses a JSON body, refusing more than maxBytes before and while reading it. */
async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        req.pause();
        reject(tooLarge(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new HttpError(400, 'incomplete_body', 'the connection closed before the whole body arrived'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not UTF-8 text');
  }
  if (text.trim() === '')
    throw new HttpError(400, 'invalid_json', 'the body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  checkJsonShape(value);
  return value;
}

/**
 * Refuses JSON nested deeper than MAX_DEPTH (later code recurses into it) and keys
 * named `__proto__`: JSON.parse keeps them as plain keys, but much code that copies
 * objects would set a prototype from them, or drop them without a word.
 */
function checkJsonShape(root: unknown): void {
  // Paths are only spelled out for the error: a 16 MiB body can hold millions of values.
  type Node = { value: unknown; depth: number; key: string; parent: Node | null };
  const pathOf = (node: Node) => {
    const keys: string[] = [];
    for (let n: Node | null = node; n?.parent; n = n.parent) keys.unshift(n.key);
    return keys.join('.');
  };
  const stack: Node[] = [{ value: root, depth: 0, key: '', parent: null }];
  while (stack.length) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) {
      throw new HttpError(
        400,
        'invalid_body',
        `the body is nested deeper than ${MAX_DEPTH} levels (at ${pathOf(node)})`,
      );
    }
    for (const key of Object.keys(value)) {
      const child: Node = {
        value: (value as Record<string, unknown>)[key],
        depth: depth + 1,
        key,
        parent: node,
      };
      if (key === '__proto__')
        throw new HttpError(400, 'invalid_body', `the key "__proto__" is not allowed (at ${pathOf(child)})`);
      stack.push(child);
    }
  }
}

const plural = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** Refuses more than MAX_ITEMS items in one request. */
export function checkItemCount(count: number, noun: string): void {
  if (count > MAX_ITEMS) {
    throw new HttpError(
      413,
      'too_many_items',
      `a request holds at most ${plural(MAX_ITEMS, noun)}; this one has ${count.toLocaleString('en-US')}. Send them in several requests.`,
      {
        limit: MAX_ITEMS,
      },
    );
  }
}

/** The array under `key` of a `{ key: [...] }` body. */
export function itemsOf(body: unknown, key: string, noun: string): unknown[] {
  const items = isObject(body) ? body[key] : undefined;
  if (!Array.isArray(items))
    throw new HttpError(400, 'invalid_body', `expected a JSON object like {"${key}": [...]}`);
  checkItemCount(items.length, noun);
  return items;
}

/** A problem with one item of a request: its 0-based index, its type, the field, why. */
export interface ItemError {
  index: number;
  type: string | null;
  field: string | null;
  reason: string;
}

/** 400 with the problems of the first items (in order) and how many items were invalid. */
export function invalidItems(
  received: number,
  noun: string,
  invalid: number,
  errors: ItemError[],
): HttpError {
  const sorted = [...errors].sort((a, b) => a.index - b.index).slice(0, MAX_REPORTED_ERRORS);
  return new HttpError(
    400,
    'invalid_items',
    `${invalid.toLocaleString('en-US')} of ${plural(received, noun)} ${invalid === 1 ? 'is' : 'are'} invalid; nothing was written`,
    {
      errorCount: invalid,
      errors: sorted,
    },
  );
}

/**
 * A rejection's reason in the API's words. Ingestion numbers records as rows, and API
 * requests stage item i as row i + 1; the API points at items by 0-based index.
 */
export function apiReason(problem: FieldProblem): string {
  return problem.duplicateOf
    ? `duplicate of index ${problem.duplicateOf.row - 1} (same ${problem.duplicateOf.key})`
    : problem.reason;
}

export type IngestOutcome =
  { ok: true; counts: KindCounts[] } | { ok: false; rejections: Rejection[]; rejected: number };

/**
 * Stages each kind's records and, when none is invalid here and `invalidElsewhere`
 * is 0, merges them all in one transaction. Otherwise nothing is written and the
 * first rejections come back.
 */
export async function ingestAll(
  session: BulkSession,
  staged: { kind: ImportKind; records: SourceRecord[] }[],
  now: Date,
  invalidElsewhere = 0,
): Promise<IngestOutcome> {
  const ingestion = new Ingestion(session, { now, keepRejections: MAX_REPORTED_ERRORS });
  try {
    for (const { kind, records } of staged) await ingestion.stage(kind, [records]);
    if (ingestion.rejected > 0 || invalidElsewhere > 0)
      return { ok: false, rejections: [...ingestion.firstRejections], rejected: ingestion.rejected };
    return { ok: true, counts: await ingestion.commit() };
  } finally {
    await ingestion.discard();
  }
}

/** What happened to the records of one type. */
export interface TypeCounts {
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Fields of the items that mean nothing for their type (a typo, say). */
  ignoredFields?: string[];
}

export function typeCounts(c: KindCounts): TypeCounts {
  return { records: c.records, inserted: c.inserted, updated: c.updated, unchanged: c.unchanged };
}

/** 200: totals over all types, then each type's counts. */
export function ingested(
  received: number,
  types: Record<string, TypeCounts>,
  extra: Record<string, unknown> = {},
): Reply {
  const sum = (key: 'inserted' | 'updated' | 'unchanged') =>
    Object.values(types).reduce((n, t) => n + t[key], 0);
  return {
    status: 200,
    body: {
      ok: true,
      received,
      inserted: sum('inserted'),
      updated: sum('updated'),
      unchanged: sum('unchanged'),
      types,
      ...extra,
    },
  };
}

/**
 * How a route stages one item: under which kind and type word, or why it cannot be
 * staged at all.
 */
export type ItemPlan =
  { kind: ImportKind; type: string; fields: Record<string, unknown> } | { problem: Omit<ItemError, 'index'> };

/**
 * The whole flow of an items endpoint (signals, accounts): plan each item, stage
 * every kind, write all or nothing, answer with counts per type or every problem.
 */
export async function ingestItems(
  request: ApiRequest,
  items: unknown[],
  noun: string,
  plan: (item: Record<string, unknown>) => ItemPlan,
): Promise<Reply> {
  const byKind = new Map<ImportKind, SourceRecord[]>();
  const typeOf = new Map<ImportKind, string>();
  const errors: ItemError[] = [];
  items.forEach((item, index) => {
    const planned: ItemPlan = isObject(item)
      ? plan(item)
      : { problem: { type: null, field: null, reason: 'expected a JSON object' } };
    if ('problem' in planned) return void errors.push({ index, ...planned.problem });
    typeOf.set(planned.kind, planned.type);
    const records = byKind.get(planned.kind) ?? [];
    byKind.set(planned.kind, records);
    records.push({ row: index + 1, fields: planned.fields });
  });
  const invalidHere = errors.length;
  return request.write(async (session) => {
    const staged = [...byKind].map(([kind, records]) => ({ kind, records }));
    const outcome = await ingestAll(session, staged, request.now, invalidHere);
    if (!outcome.ok) {
      for (const r of outcome.rejections) {
        for (const p of r.problems)
          errors.push({
            index: r.row - 1,
            type: typeOf.get(r.kind)!,
            field: p.column,
            reason: apiReason(p),
          });
      }
      throw invalidItems(items.length, noun, invalidHere + outcome.rejected, errors);
    }
    return ingested(
      items.length,
      Object.fromEntries(
        outcome.counts.map((c) => [
          typeOf.get(c.kind)!,
          { ...typeCounts(c), ignoredFields: c.ignoredColumns },
        ]),
      ),
    );
  });
}
