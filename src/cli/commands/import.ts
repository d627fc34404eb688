// `canary import <kind> FILE`: one file of one kind into the database, all or nothing
// unless --skip-invalid.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { IngestRejected, MAX_REPORTED_REJECTIONS, type KindCounts } from '../../ingest/ingest.ts';
import { importFile, type ImportResult } from '../../ingest/import-file.ts';
import { IMPORT_KINDS, type ImportKind } from '../../ingest/kinds.ts';
import { FileError, fileSize, ROW_WORD, formatOf } from '../../ingest/read.ts';
import type { BulkSession } from '../../ingest/session.ts';
import { UserError, withBulkSession } from '../context.ts';
import { int, seconds } from '../format.ts';

export interface ImportCommandOptions {
  format?: string;
  skipInvalid?: boolean;
  rejects?: string;
  progress?: boolean;
}

/** Imports a file and prints its summary; shared by `import` and `demo`. */
export async function runImport(
  session: BulkSession,
  kind: ImportKind,
  file: string,
  options: ImportCommandOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const bar = options.progress !== false && process.stderr.isTTY ? await progressBar(file) : null;
  try {
    const result = await importFile(session, kind, file, {
      format: options.format,
      skipInvalid: options.skipInvalid,
      rejectsFile: options.rejects,
      onBytes: bar ? (n) => bar.update(n) : undefined,
    });
    bar?.stop();
    console.log(summaryLine(file, result.counts, performance.now() - started));
    if (result.counts.ignoredColumns.length)
      console.log(`  ignored columns: ${result.counts.ignoredColumns.join(', ')}`);
    if (result.rejectsFile)
      console.log(
        `  ${int(result.counts.rejected)} rejected ${ROW_WORD[result.format]}s written to ${result.rejectsFile}`,
      );
    return result;
  } catch (err) {
    bar?.stop();
    throw explain(file, options, err);
  }
}

/** A progress bar over the file's bytes, on a terminal only. */
async function progressBar(file: string): Promise<{ update(bytes: number): void; stop(): void }> {
  const total = await fileSize(file).catch(() => 0);
  const bar = new SingleBar({
    format: `  ${file} [{bar}] {percentage}% | {mb} of ${(total / 1e6).toFixed(1)} MB | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { mb: '0.0' });
  return { update: (bytes) => bar.update(bytes, { mb: (bytes / 1e6).toFixed(1) }), stop: () => bar.stop() };
}

export function summaryLine(file: string, c: KindCounts, ms: number): string {
  const perRow =
    c.kind === 'usage' && c.records !== c.rowsRead - c.rejected ? ` (${int(c.records)} metric values)` : '';
  return (
    `${file}: ${int(c.rowsRead)} read${perRow}, ${int(c.inserted)} inserted, ${int(c.updated)} updated, ` +
    `${int(c.unchanged)} unchanged, ${int(c.rejected)} rejected in ${seconds(ms)}`
  );
}

function explain(file: string, options: ImportCommandOptions, err: unknown): unknown {
  if (err instanceof FileError) return new UserError(`${err.message}\nNothing was imported.`);
  if (err instanceof IngestRejected) {
    let word = 'row';
    try {
      word = ROW_WORD[formatOf(file, options.format)];
    } catch {
      /* the format was already validated by the import */
    }
    const lines = err.rejections.map(
      (r) =>
        `  ${file}: ${word} ${r.row}: ${r.problems.map((p) => (p.column ? `column ${p.column}: ${p.reason}` : p.reason)).join('; ')}`,
    );
    const more = err.rejectedCount - err.rejections.length;
    if (more > 0) lines.push(`  ... and ${int(more)} more invalid ${word}s`);
    if (err.rejections.some((r) => r.problems.some((p) => p.reason.startsWith('unknown account')))) {
      lines.push(
        'Signals can only reference accounts Canary knows: import the accounts first (canary import accounts FILE).',
      );
    }
    return new UserError(
      `${file} was not imported: ${int(err.rejectedCount)} invalid ${word}${err.rejectedCount === 1 ? '' : 's'} (nothing was written)\n` +
        lines.join('\n') +
        `\nFix ${err.rejectedCount === 1 ? 'it' : 'them'} and import again, or use --skip-invalid to import the valid ${word}s and write the invalid ones to a rejects file.`,
    );
  }
  return err;
}

export function register(program: Command): void {
  program
    .command('import')
    .description(
      'import a CSV, JSON or NDJSON file of accounts or signals (all or nothing unless --skip-invalid)',
    )
    .argument('<kind>', `what the file holds: ${IMPORT_KINDS.join(', ')}`)
    .argument('<file>', 'the file (.csv with a header row, .json array, .ndjson)')
    .option('--format <format>', 'csv, json or ndjson (default: from the file extension)')
    .option('--skip-invalid', 'import the valid records; write invalid ones, with reasons, to a rejects file')
    .option(
      '--rejects <file>',
      'where --skip-invalid writes rejected records (default: <file>.rejects.csv beside the input)',
    )
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      `\nAt most ${MAX_REPORTED_REJECTIONS} problems are listed, then a count. Column names and aliases: see README "Data import formats".`,
    )
    .action(async (kind: string, file: string, options: ImportCommandOptions) => {
      if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
        throw new UserError(`unknown import kind "${kind}"; expected one of ${IMPORT_KINDS.join(', ')}`, 2);
      }
      await withBulkSession((session) => runImport(session, kind as ImportKind, file, options));
    });
}
