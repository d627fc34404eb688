// `npm run bench -- [--section NAME] [--rows N] [--accounts N] [--strict]`: the
// benchmark runner. Performance targets are checked here, against baselines measured in
// the same run, never by timed unit tests. Runs each section (bench/section.ts), or the
// one named, prints its table with PASS or FAIL per target, and ends with the failed
// targets, loudly. A missed target exits 0 (a slow or busy machine is not a broken
// build) unless --strict; a section that cannot finish exits 1 either way.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { digestSection } from './digest.ts';
import { importSection } from './import.ts';
import { scoringSection } from './scoring.ts';
import { slackSection } from './slack.ts';
import type { Section, SectionResult } from './section.ts';

const USAGE =
  'usage: npm run bench -- [--section import|scoring|slack|digest] [--rows N] [--accounts N] [--strict]';

interface Options {
  sections: Section[];
  rows: number | undefined;
  strict: boolean;
}

function options(): Options {
  try {
    const { values } = parseArgs({
      options: {
        section: { type: 'string' },
        rows: { type: 'string' },
        accounts: { type: 'string' },
        strict: { type: 'boolean' },
      },
    });
    const accounts = positive('--accounts', values.accounts);
    const sections = [
      importSection,
      scoringSection(accounts),
      slackSection(accounts),
      digestSection(accounts),
    ];
    const named = sections.filter((section) => section.name === values.section);
    if (values.section !== undefined && named.length === 0) {
      throw new Error(
        `--section expects one of ${sections.map((s) => s.name).join(', ')}, got "${values.section}"`,
      );
    }
    return {
      sections: values.section === undefined ? sections : named,
      rows: positive('--rows', values.rows),
      strict: values.strict ?? false,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function positive(option: string, text: string | undefined): number | undefined {
  const n = text === undefined ? undefined : Number(text);
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) {
    throw new Error(`${option} expects a positive whole number, got "${text}"`);
  }
  return n;
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

const { sections, rows, strict } = options();
console.log(`${machine()}\n`);

const failed: string[] = [];
const broken: string[] = [];
for (const section of sections) {
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
