// API tokens for the ingestion endpoints. A token is shown once when created; only
// its SHA-256 is stored (tokens are 160 random bits, so a fast hash is enough), with
// a short prefix to tell tokens apart in listings.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

const TOKEN_PREFIX = 'cny_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenError extends Error {}

export interface TokenInfo {
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function createToken(db: Db, name: string): Promise<{ token: string; info: TokenInfo }> {
  const clean = name.trim();
  if (!/^[\w.\- ]{1,80}$/.test(clean))
    throw new TokenError('a token name is 1-80 letters, digits, spaces, dots, dashes or underscores');
  if (await db.apiToken.findUnique({ where: { name: clean } }))
    throw new TokenError(`a token named "${clean}" already exists`);
  const token = TOKEN_PREFIX + randomBytes(20).toString('base64url');
  const row = await db.apiToken.create({
    data: { name: clean, tokenHash: hashToken(token), prefix: token.slice(0, 10) },
  });
  return { token, info: row };
}

export async function revokeToken(db: Db, name: string, now = new Date()): Promise<TokenInfo> {
  const row = await db.apiToken.findUnique({ where: { name: name.trim() } });
  if (!row) throw new TokenError(`no token named "${name}"`);
  if (row.revokedAt) return row;
  return db.apiToken.update({ where: { id: row.id }, data: { revokedAt: now } });
}

export function listTokens(db: Db): Promise<TokenInfo[]> {
  return db.apiToken.findMany({
    orderBy: { createdAt: 'asc' },
    select: { name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

export type TokenCheck =
  | { status: 'valid'; name: string }
  | { status: 'revoked'; name: string; revokedAt: Date }
  | { status: 'unknown' };

/** Checks a presented token; records its use at most once a minute. */
export async function checkToken(db: Db, token: string, now = new Date()): Promise<TokenCheck> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return { status: 'unknown' };
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row) return { status: 'unknown' };
  if (row.revokedAt) return { status: 'revoked', name: row.name, revokedAt: row.revokedAt };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { status: 'valid', name: row.name };
}
