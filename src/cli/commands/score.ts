// `canary score`: compute Health Index snapshots for a day or a range of days
// (backfill), incrementally: accounts with nothing new since their snapshot are skipped.
import type { Command } from 'commander';
import { parseDay, runScoring } from '../../health/run.ts';
import { getModel, UserError, withDatabase } from '../context.ts';
import { int, seconds } from '../format.ts';
import { casesAfterScoring } from './cases.ts';

interface ScoreOptions {
  date?: string;
  from?: string;
  to?: string;
  full?: boolean;
}

/** Yesterday, UTC: the last complete day of signals. */
export function yesterday(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
}

export function dayOption(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDay(text);
  } catch {
    throw new UserError(`${name} expects a date like 2026-11-21, got "${text}"`, 2);
  }
}

export function register(program: Command): void {
  program
    .command('score')
    .description('compute Health Index snapshots (default: yesterday); safe to re-run')
    .option('--date <date>', 'one day, YYYY-MM-DD')
    .option('--from <date>', 'first day of a backfill')
    .option('--to <date>', 'last day of a backfill (default: yesterday)')
    .option('--full', 'rescore every account, not only those with new signals, overrides or model')
    .action(async (options: ScoreOptions) => {
      if (options.date && (options.from || options.to))
        throw new UserError('use --date, or --from/--to, not both', 2);
      const to = dayOption(options.date ?? options.to, options.date ? '--date' : '--to') ?? yesterday();
      const from = dayOption(options.from, '--from') ?? to;
      if (from > to) throw new UserError('--from is after --to', 2);
      const model = getModel();
      await withDatabase(async (database) => {
        const started = performance.now();
        const results = await runScoring(database, { model, from, to, full: options.full });
        for (const r of results) {
          console.log(
            `${r.day.toISOString().slice(0, 10)}: ${int(r.scored)} scored, ${int(r.skipped)} unchanged, ${seconds(r.ms)}`,
          );
        }
        if (results.length > 1) {
          const scored = results.reduce((s, r) => s + r.scored, 0);
          console.log(
            `${results.length} days, ${int(scored)} snapshots written in ${seconds(performance.now() - started)} (model ${model.version})`,
          );
        }
        await casesAfterScoring(database, to);
      });
    });
}
