// `canary override set|clear|list`: manual overrides of a measure or of the whole
// Health Index, each with a reason, an author and (usually) an expiry.
import type { Command } from 'commander';
import { clearOverride, listOverrides, OverrideError, setOverride } from '../../storage/overrides.ts';
import { getModel, oneAccount, UserError, withDatabase } from '../context.ts';
import { day as d, table } from '../format.ts';
import { dayOption } from './score.ts';

/** `30d`, `2w` or a date: when the override stops applying. */
export function expiryOption(text: string | undefined, now = new Date()): Date | null {
  if (!text) return null;
  const m = /^(\d+)\s*([dw])$/.exec(text.trim());
  if (m) return new Date(now.getTime() + Number(m[1]) * (m[2] === 'w' ? 7 : 1) * 86_400_000);
  return dayOption(text, '--expires') ?? null;
}

export function register(program: Command): void {
  const override = program
    .command('override')
    .description('manual overrides of a measure or of the whole Health Index');
  override
    .command('set')
    .description("override a measure's score (0-100) or, without --measure, the whole Health Index")
    .argument('<account>')
    .requiredOption('--value <0-100>', 'the score to use')
    .requiredOption('--reason <text>', 'why; shown in every explanation while it applies')
    .requiredOption('--author <name>', 'who decided')
    .option('--measure <name>', 'a measure of the model (default: the whole index)')
    .option(
      '--expires <when>',
      'a date (YYYY-MM-DD) or a duration such as 30d or 2w; without it the override applies until cleared',
    )
    .action(
      async (
        query: string,
        options: { value: string; reason: string; author: string; measure?: string; expires?: string },
      ) => {
        const value = Number(options.value);
        if (!Number.isFinite(value) || value < 0 || value > 100)
          throw new UserError('--value must be a number from 0 to 100', 2);
        const model = getModel();
        if (options.measure && !model.measures[options.measure]) {
          throw new UserError(
            `the model has no measure "${options.measure}"; measures: ${Object.keys(model.measures).join(', ')}`,
            2,
          );
        }
        const expiresAt = expiryOption(options.expires);
        await withDatabase(async ({ db }) => {
          const a = await oneAccount(db, query);
          try {
            await setOverride(
              db,
              {
                accountId: a.id,
                measure: options.measure ?? null,
                value,
                reason: options.reason,
                author: options.author,
                expiresAt,
              },
              model,
            );
          } catch (err) {
            throw err instanceof OverrideError ? new UserError(err.message, 2) : err;
          }
          console.log(
            `${a.name}: ${options.measure ?? 'Health Index'} overridden to ${value}${expiresAt ? ` until ${expiresAt.toISOString().slice(0, 10)}` : ''}. It applies to today's and later snapshots (see it now: npx canary score --date ${new Date().toISOString().slice(0, 10)}; npx canary explain ${a.externalId}).`,
          );
        });
      },
    );
  override
    .command('clear')
    .description('stop an override')
    .argument('<account>')
    .option('--measure <name>', 'the measure (default: the whole-index override)')
    .action(async (query: string, options: { measure?: string }) => {
      await withDatabase(async ({ db }) => {
        const a = await oneAccount(db, query);
        const cleared = await clearOverride(db, { accountId: a.id, measure: options.measure ?? null });
        if (!cleared)
          throw new UserError(`${a.name} has no active override of ${options.measure ?? 'the Health Index'}`);
        console.log(`${a.name}: override of ${options.measure ?? 'the Health Index'} cleared.`);
      });
    });
  override
    .command('list')
    .description('overrides in force (with --all, also expired and cleared ones)')
    .option('--account <account>')
    .option('--all')
    .action(async (options: { account?: string; all?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const accountId = options.account ? (await oneAccount(db, options.account)).id : undefined;
        const rows = await listOverrides(db, {
          accountId,
          activeAt: options.all ? undefined : new Date(),
          includeCleared: options.all,
        });
        if (!rows.length) return console.log('No overrides.');
        console.log(
          table(
            ['account', 'measure', 'value', 'reason', 'author', 'since', 'expires', 'cleared'],
            rows.map((o) => [
              o.account.externalId,
              o.measure ?? '(Health Index)',
              o.value,
              o.reason,
              o.author,
              d(o.createdAt),
              d(o.expiresAt),
              d(o.clearedAt),
            ]),
          ),
        );
      });
    });
}
