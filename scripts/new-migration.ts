// Creates a migration for both providers from the models: `npm run db:migration -- NAME`.
// Prisma's schema engine diffs each provider's migration history against its schema
// (src/storage/migrate.ts) and the SQL lands in
// prisma/<provider>/migrations/<UTC timestamp>_<name>/migration.sql. Replaying the
// PostgreSQL history needs a server for a scratch schema: DATABASE_URL, by default the
// local test database.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/storage/db.ts';
import { diffMigrationsToSchema, migrationLock } from '../src/storage/migrate.ts';
import { migrationsDir, PROVIDERS, type Provider } from '../src/storage/schema.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- NAME   (NAME in snake_case, e.g. add_account_region)');
  process.exit(2);
}

const postgres = parseDatabaseUrl(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
if (postgres.provider !== 'postgresql') {
  console.error(
    'DATABASE_URL must name a PostgreSQL server (for a scratch schema), e.g. postgresql://postgres@127.0.0.1:5432/test',
  );
  process.exit(2);
}
const targets: Record<Provider, DatabaseTarget> = {
  sqlite: parseDatabaseUrl('file::memory:'),
  postgresql: postgres,
};

// Both diffs first, so a failure leaves no half-written migration behind; one after
// the other, so a failure still lets the other clean up its scratch database.
const diffs: [Provider, string][] = [];
try {
  for (const provider of PROVIDERS) diffs.push([provider, await diffMigrationsToSchema(targets[provider])]);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const folder = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${name}`;
for (const [provider, sql] of diffs) {
  if (!sql) {
    console.log(`${provider}: the migrations already match the schema; nothing written`);
    continue;
  }
  const dir = migrationsDir(provider);
  mkdirSync(path.join(dir, folder), { recursive: true });
  writeFileSync(path.join(dir, 'migration_lock.toml'), migrationLock(provider));
  writeFileSync(path.join(dir, folder, 'migration.sql'), sql);
  console.log(`${provider}: wrote ${path.relative(process.cwd(), path.join(dir, folder, 'migration.sql'))}`);
}
