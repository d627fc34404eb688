// `canary token create|revoke|list`: bearer tokens for the ingestion API.
import type { Command } from 'commander';
import { createToken, listTokens, revokeToken, TokenError } from '../../storage/tokens.ts';
import { UserError, withDatabase } from '../context.ts';
import { table } from '../format.ts';

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '-');

export function register(program: Command): void {
  const token = program.command('token').description('manage API tokens for POST /api/v1/*');
  token
    .command('create')
    .description('create a token; it is printed once and only its hash is stored')
    .requiredOption('--name <name>', 'what the token is for, e.g. "segment" or "warehouse-sync"')
    .action(async ({ name }: { name: string }) => {
      await withDatabase(async ({ db }) => {
        try {
          const { token: secret } = await createToken(db, name);
          console.log(secret);
          console.error(
            `Token "${name.trim()}" created. Copy it now: it is not shown again. Send it as "Authorization: Bearer <token>".`,
          );
        } catch (err) {
          throw err instanceof TokenError ? new UserError(err.message) : err;
        }
      });
    });
  token
    .command('revoke')
    .description('revoke a token by name; requests with it get 403 from then on')
    .argument('<name>')
    .action(async (name: string) => {
      await withDatabase(async ({ db }) => {
        try {
          const info = await revokeToken(db, name);
          console.log(`Token "${info.name}" revoked at ${when(info.revokedAt)} UTC.`);
        } catch (err) {
          throw err instanceof TokenError ? new UserError(err.message) : err;
        }
      });
    });
  token
    .command('list')
    .description('list tokens (names and prefixes, never the secrets)')
    .action(async () => {
      await withDatabase(async ({ db }) => {
        const rows = await listTokens(db);
        if (!rows.length) return console.log('No tokens. Create one with: canary token create --name NAME');
        console.log(
          table(
            ['name', 'prefix', 'created (UTC)', 'last used', 'revoked'],
            rows.map((t) => [
              t.name,
              `${t.prefix}...`,
              when(t.createdAt),
              when(t.lastUsedAt),
              when(t.revokedAt),
            ]),
          ),
        );
      });
    });
}
