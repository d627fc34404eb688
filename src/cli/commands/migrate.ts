// `canary migrate`: applies pending migrations (every command also does this itself).
import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../storage/db.ts';
import { migrate } from '../../storage/migrate.ts';
import { databaseLabel, getConfig } from '../context.ts';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (other commands do this automatically)')
    .action(async () => {
      const { applied } = await migrate(parseDatabaseUrl(getConfig().DATABASE_URL));
      console.log(
        applied.length
          ? `Applied ${applied.join(', ')} to ${databaseLabel()}`
          : `${databaseLabel()} is up to date.`,
      );
    });
}
