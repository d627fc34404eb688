// Owns the Prisma schema of each provider: the shared models (prisma/models.prisma)
// under a provider's datasource and generator blocks. One source of models, two
// providers, so SQLite and PostgreSQL can never drift apart by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: readonly Provider[] = ['sqlite', 'postgresql'];

export const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma');

export function providerSchema(provider: Provider): string {
  const models = readFileSync(path.join(PRISMA_DIR, 'models.prisma'), 'utf8');
  return `// Generated from prisma/models.prisma by src/storage/schema.ts; do not edit.
generator client {
  provider     = "prisma-client"
  output       = "../../src/generated/${provider}"
  moduleFormat = "esm"
  runtime      = "nodejs"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

/** Where a provider's assembled schema is written for `prisma generate`. */
export function providerSchemaPath(provider: Provider): string {
  return path.join(PRISMA_DIR, provider, 'schema.prisma');
}

export function migrationsDir(provider: Provider): string {
  return path.join(PRISMA_DIR, provider, 'migrations');
}
