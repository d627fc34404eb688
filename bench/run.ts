// `npm run bench -- [--rows N] [--strict]`: the benchmark runner. Performance
// targets are checked here, against baselines measured in the same run, never by timed
// unit tests. Runs each section (bench/section.ts), prints its table with PASS or FAIL
// per target, and ends with the failed targets, loudly. A missed target exits 0 (a
// slow or busy machine is not a broken build) unless --strict; a section that cannot
// finish exits 1 either way.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { importSection } from './import.ts';
import type { Section, SectionResult } from './section.ts';

const SECTIONS: Section[] = [importSection];

const USAGE = 'usage: npm run bench -- [--rows N] [--strict]';

function options(): { rows: number | undefined; strict: boolean } {
  try {
    const { values } = parseArgs({ options: { rows: { type: 'string' }, strict: { type: 'boolean' } } });
    const rows = values.rows === undefined ? undefined : Number(values.rows);
    if (rows !== undefined && !(Number.isInteger(rows) && rows > 0)) {
      throw new Error(`--rows expects a positive whole number, got "${values.rows}"`);
    }
    return { rows, strict: values.strict ?? false };
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function machine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return [
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, load average ${load} (1, 5, 15 min)`,
    `Node ${process.version} (${process.platform} ${process.arch})`,
  ].join('\n');
}

/** The label column left, measured values right, target and result left. */
function render(result: SectionResult): string {
  const header = ['', ...result.columns, 'target', 'result'];
  const lines = result.rows.map((row) => [
    row.label,
    ...row.cells,
    row.check?.target ?? '',
    row.check ? (row.check.pass ? 'PASS' : 'FAIL') : '',
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => line[i]!.length)));
  const valueColumn = (i: number) => i > 0 && i <= result.columns.length;
  const format = (line: string[]) =>
    line
      .map((cell, i) => (valueColumn(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `== ${result.title}`,
    format(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.map(format),
  ].join('\n');
}

const { rows, strict } = options();
console.log(`${machine()}\n`);

const failed: string[] = [];
const broken: string[] = [];
for (const section of SECTIONS) {
  const started = performance.now();
  const progress = (message: string) =>
    process.stderr.write(
      `[${section.name} ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`,
    );
  try {
    const result = await section.run({ rows, progress });
    progress('done');
    console.log(`${render(result)}\n`);
    for (const row of result.rows) {
      if (row.check && !row.check.pass) {
        const measured = row.cells.filter((cell) => cell !== '').join(' ');
        failed.push(`${section.name}: ${row.label} ${measured}, target ${row.check.target}`);
      }
    }
  } catch (error) {
    console.error(`\n!! ${section.name} did not finish:`, error);
    broken.push(section.name);
  }
}

if (failed.length > 0) {
  const rule = '!'.repeat(78);
  console.log(rule);
  console.log(`FAIL: ${failed.length} performance target${failed.length === 1 ? '' : 's'} missed`);
  for (const line of failed) console.log(`  FAIL  ${line}`);
  console.log(
    strict
      ? 'Exit code 1 (--strict).'
      : 'Exit code 0 all the same; --strict makes a missed target fail the run.',
  );
  console.log(rule);
} else if (broken.length === 0) {
  console.log('All targets PASS.');
}
if (broken.length > 0) console.error(`Sections that did not finish: ${broken.join(', ')}`);
process.exitCode = broken.length > 0 || (strict && failed.length > 0) ? 1 : 0;
