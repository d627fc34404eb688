// Generates the Prisma client of each provider (run by `npm install`).
// Prisma's CLI wants a native schema engine binary that it downloads; `generate`
// never runs it, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file lets
// generation work on machines that cannot reach Prisma's download host.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROVIDERS, providerSchema, providerSchemaPath } from '../src/storage/schema.ts';

for (const provider of PROVIDERS) {
  const file = providerSchemaPath(provider);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, providerSchema(provider));
  execFileSync(process.execPath, [require_resolve_prisma(), 'generate', '--schema', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
  console.log(`canary: generated the ${provider} Prisma client`);
}

function require_resolve_prisma(): string {
  return path.resolve('node_modules/prisma/build/index.js');
}
