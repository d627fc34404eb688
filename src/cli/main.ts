// The `canary` command line: parses arguments and hands each command to its module.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { DatabaseUrlError } from '../storage/db.ts';
import { MigrationError } from '../storage/migrate.ts';
import { UserError } from './context.ts';
import * as accounts from './commands/accounts.ts';
import * as cases from './commands/cases.ts';
import * as demo from './commands/demo.ts';
import * as digest from './commands/digest.ts';
import * as importCommand from './commands/import.ts';
import * as migrate from './commands/migrate.ts';
import * as explain from './commands/explain.ts';
import * as model from './commands/model.ts';
import * as override from './commands/override.ts';
import * as report from './commands/report.ts';
import * as score from './commands/score.ts';
import * as serve from './commands/serve.ts';
import * as token from './commands/token.ts';

const program = new Command('canary')
  .description(
    'Canary: customer health for customer-success teams, in Slack.\nConfiguration comes from the environment (and ./.env); see README.',
  )
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const command of [
  migrate,
  importCommand,
  accounts,
  score,
  cases,
  report,
  explain,
  override,
  model,
  token,
  digest,
  demo,
  serve,
]) {
  command.register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof UserError) {
    console.error(`canary: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof ConfigError || err instanceof DatabaseUrlError || err instanceof MigrationError) {
    console.error(`canary: ${err.message}`);
    process.exit(1);
  }
  console.error('canary: unexpected error:', err);
  process.exit(1);
}
