// `canary demo`: a realistic sample book in the configured database (the embedded
// SQLite file by default). It writes the CSV files it generated, so a new user sees
// the import formats, and loads them through the same import code as `canary import`.
// With --slack-preview it also writes what Slack would show for the book, a channel's
// digest of it included.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { StoryKind } from '../../demo/book.ts';
import { runScoring } from '../../health/run.ts';
import { portfolio } from '../../storage/portfolio.ts';
import { UserError, databaseLabel, getModel, withBulkSession, withDatabase } from '../context.ts';
import { int, money, seconds } from '../format.ts';
import { casesAfterScoring, getAlertRules } from './cases.ts';
import { runImport } from './import.ts';
import { formatReport } from './report.ts';
import { dayOption, yesterday } from './score.ts';

interface DemoOptions {
  seed: string;
  accounts: string;
  dir: string;
  asOf?: string;
  progress?: boolean;
  slackPreview?: string;
}

const STORY_WORDS: Record<StoryKind, string> = {
  declining: 'usage falling 30-50% over the last two weeks',
  ticket_burst: 'a burst of P1/P2 tickets in the last 10 days',
  promoter: 'promoters with strong usage (referral candidates)',
  churned: 'churned in the last two months',
  renewed: 'renewed recently',
  healthy: 'ordinary, healthy accounts',
};

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'build a realistic sample book (deterministic per --seed), import it through the normal import path, score 120 days and print the portfolio',
    )
    .option('--seed <n>', 'random seed; the same seed and date give the same book', '42')
    .option('--accounts <n>', 'how many accounts (30-2000)', '240')
    .option('--dir <dir>', 'where to write the generated CSV files', 'demo-data')
    .option('--as-of <date>', 'last day of data, YYYY-MM-DD (default: yesterday, UTC)')
    .option('--no-progress', 'no progress bars')
    .option(
      '--slack-preview <dir>',
      "also write Slack's health card (of the declining account with the largest ARR), the alert of its recovery case, the portfolio message, App Home and a channel's digest of the whole book as Block Kit JSON, with their chart PNGs, into this folder",
    )
    .action(async (options: DemoOptions) => {
      const seed = Number(options.seed);
      const accounts = Number(options.accounts);
      if (!Number.isInteger(seed)) throw new UserError('--seed must be a whole number', 2);
      if (!Number.isInteger(accounts) || accounts < 30 || accounts > 2000)
        throw new UserError('--accounts must be a whole number from 30 to 2000', 2);
      // Yesterday by default: the last full day of data, so no event is in the future.
      const asOf = dayOption(options.asOf, '--as-of') ?? yesterday();
      const started = performance.now();

      // Loaded here, not at start-up: every other command would pay for the generator.
      const { generateBook, USAGE_DAYS } = await import('../../demo/book.ts');
      const { writeBookCsv } = await import('../../demo/write-csv.ts');
      const book = generateBook({ seed, asOf, accounts });
      const files = await writeBookCsv(book, options.dir);
      console.log(
        `Generated a book of ${int(book.accounts.length)} accounts (seed ${seed}, data to ${asOf.toISOString().slice(0, 10)}) in ${path.resolve(options.dir)}:`,
      );
      for (const f of files)
        console.log(`  ${path.basename(f.file).padEnd(14)} ${int(f.rows).padStart(7)} rows`);
      console.log(`\nImporting into ${databaseLabel()}:`);
      await withBulkSession(async (session) => {
        for (const f of files) await runImport(session, f.kind, f.file, { progress: options.progress });
      });

      // 120 days of history, so trends, drops and movers have something to stand on.
      const model = getModel();
      const from = new Date(asOf.getTime() - (USAGE_DAYS - 1) * 86_400_000);
      const scoring = performance.now();
      // The account worth looking at first: falling usage, and the most revenue to lose.
      const featured = book.accounts
        .filter((a) =>
          book.stories.some((s) => s.accountExternalId === a.externalId && s.story === 'declining'),
        )
        .sort((a, b) => b.arr - a.arr)[0];
      const { report, preview, digest } = await withDatabase(async (database) => {
        const days = await runScoring(database, { model, from, to: asOf });
        const written = days.reduce((sum, d) => sum + d.scored, 0);
        console.log(
          `\nScored ${days.length} days (${from.toISOString().slice(0, 10)} to ${asOf.toISOString().slice(0, 10)}): ${int(written)} snapshots written in ${seconds(performance.now() - scoring)}.`,
        );
        // Before the preview, which shows the alert of the featured account's case.
        await casesAfterScoring(database, asOf);
        const renewalIndexBelow = model.leading_indicators.renewal_weak.index_below;
        const report = await portfolio(database.db, { day: asOf, renewalIndexBelow });
        if (!options.slackPreview || !featured) return { report, preview: [], digest: [] };
        const { writeSlackPreview } = await import('../../slack/preview.ts');
        await mkdir(options.slackPreview, { recursive: true });
        const account = await database.db.account.findUniqueOrThrow({
          where: { externalId: featured.externalId },
        });
        const preview = await writeSlackPreview(database.db, {
          dir: options.slackPreview,
          models: { model },
          rules: getAlertRules(),
          // The morning after the last day of data, as a CSM would open it.
          now: new Date(asOf.getTime() + 86_400_000 + 9 * 3_600_000),
          accountId: account.id,
          viewer: { slackId: featured.ownerSlackId, email: featured.ownerEmail },
        });
        const { writeDigestPreview } = await import('../../digest/preview.ts');
        const digest = await writeDigestPreview(database, options.slackPreview, model);
        return { report, preview, digest };
      });

      const arr = book.accounts.reduce((sum, a) => sum + a.arr, 0);
      console.log(
        `\nThe book: ${int(book.accounts.length)} accounts, ${money(arr)} ARR, owned by ${book.csms.length} CSMs.`,
      );
      console.log('Built-in stories (what the Health Index should find):');
      const byStory = new Map<StoryKind, string[]>();
      for (const s of book.stories)
        byStory.set(s.story, [...(byStory.get(s.story) ?? []), s.accountExternalId]);
      for (const [story, ids] of byStory) {
        if (story === 'healthy') continue;
        console.log(
          `  ${String(ids.length).padStart(3)} ${STORY_WORDS[story]}: ${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', ...' : ''}`,
        );
      }
      if (report) console.log(`\n${formatReport(report, model.version)}`);
      if (preview.length) {
        console.log(
          `\nSlack preview (${featured!.name}'s health card and the alert of its case, the portfolio, ${featured!.ownerEmail}'s App Home; paste the JSON into https://app.slack.com/block-kit-builder, images are placeholders naming the PNG files):`,
        );
        for (const file of preview) console.log(`  ${file}`);
      }
      if (digest.length) {
        console.log(
          "\nDigest preview (the whole book's digest as a channel gets it the morning after the last day of data; its images name the PNG files):",
        );
        for (const file of digest) console.log(`  ${file}`);
      }
      const declining = book.stories.find((s) => s.story === 'declining')?.accountExternalId ?? '';
      console.log(
        `\nDone in ${seconds(performance.now() - started)}. Try: npx canary explain ${declining}   |   npx canary report --segment enterprise   |   npx canary accounts list`,
      );
    });
}
