// Owns the "scoring" section: how fast and in how much memory Canary scores a day of a
// book of 10,000 and of 100,000 accounts (bench/scoring-data.ts), next to a baseline
// measured in the same run on the same database: one SQL query per component of the
// default model, aggregating the same windows over the same tables, every row read in
// Node. The baseline computes no Health Index; it is the cost floor of reading what
// the model reads. Then the re-run with no new signals, against the full run. Each
// step runs in a child process of its own (bench/scoring-steps.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { int } from '../src/cli/format.ts';
import { runChild } from './child.ts';
import { METRICS, USAGE_DAYS } from './scoring-data.ts';
import type { BaselineReport, GenerateReport, ScoringReport } from './scoring-steps.ts';
import type { Row, Section } from './section.ts';
import { mb, rate, secs, times } from './format.ts';

const DEFAULT_SIZES = [10_000, 100_000];
// The targets, set for 100,000 accounts. The time is a ratio to the baseline so that
// it holds on any machine.
const TARGET_ACCOUNTS = 100_000;
const MAX_TIME_VS_BASELINE = 2;
const MAX_PEAK_RSS_MB = 1024;
const MIN_RESCORE_SPEEDUP = 5;

const STEPS = new URL('./scoring-steps.ts', import.meta.url);

/** The section; `accounts` (`--accounts N`) scores one book of that size instead of both. */
export function scoringSection(accounts: number | undefined): Section {
  const sizes = accounts === undefined ? DEFAULT_SIZES : [accounts];
  return {
    name: 'scoring',
    async run({ progress }) {
      const dir = await mkdtemp(path.join(tmpdir(), 'canary-bench-scoring-'));
      try {
        const rows: Row[] = [];
        // One book at a time: the larger is a few GB on disk.
        for (const size of sizes)
          rows.push(...(await measureBook(path.join(dir, `book-${size}.db`), size, progress)));
        return {
          title:
            `scoring: one day of books of ${sizes.map(int).join(' and ')} accounts (${USAGE_DAYS} days of ${METRICS.length} usage metrics, ` +
            `~5 tickets, ~3 survey answers each), the default model, SQLite` +
            (sizes.includes(TARGET_ACCOUNTS)
              ? ''
              : ` [--accounts: the targets are set for ${int(TARGET_ACCOUNTS)}]`),
          columns: ['accounts', 'seconds', 'accounts/s', 'peak RSS MB', 'ratio'],
          rows,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function measureBook(
  file: string,
  accounts: number,
  progress: (message: string) => void,
): Promise<Row[]> {
  try {
    progress(`generating a book of ${int(accounts)} accounts in ${file}`);
    const generated = await runChild<GenerateReport>(STEPS, ['generate', file, String(accounts)]);
    const c = generated.counts;
    progress(
      `generated in ${secs(generated.ms)} s: ${int(c.accounts)} accounts, ${int(c.usage)} usage values, ${int(c.tickets)} tickets, ` +
        `${int(c.surveys)} survey answers, ${int(c.crmFacts)} CRM facts, ${int(c.notes)} notes`,
    );

    progress('baseline: one query per component');
    const baseline = await runChild<BaselineReport>(STEPS, ['baseline', file]);
    for (const [component, read] of Object.entries(baseline.rows)) {
      if (read !== accounts)
        throw new Error(`baseline: ${component} read ${int(read)} rows, expected ${int(accounts)}`);
    }
    progress('Canary: full run');
    const full = await runChild<ScoringReport>(STEPS, ['full', file]);
    if (full.scored !== accounts)
      throw new Error(`full run: scored ${int(full.scored)} of ${int(accounts)} accounts`);
    progress('Canary: re-run with nothing new');
    const rescore = await runChild<ScoringReport>(STEPS, ['rescore', file]);

    const n = int(accounts);
    // The issue sets its targets for 100,000 accounts; a smaller book shows its figures
    // beside them, unjudged (a fixed start-up cost weighs more on a small one).
    const judged = accounts === TARGET_ACCOUNTS;
    const check = (target: string, pass: boolean) => (judged ? { check: { target, pass } } : {});
    const fullMb = full.peakRssKiB / 1024;
    const timeRatio = full.ms / baseline.ms;
    const speedup = full.ms / rescore.ms;
    return [
      {
        label: `${n}: generating the book (raw inserts, not a target)`,
        cells: [n, secs(generated.ms), int(rate(accounts, generated.ms)), '', ''],
      },
      {
        label: `${n}: Canary full run (runScoring, full)`,
        cells: [int(full.scored), secs(full.ms), int(rate(full.scored, full.ms)), mb(fullMb), ''],
      },
      {
        label: `${n}: baseline, one query per component`,
        cells: [n, secs(baseline.ms), int(rate(accounts, baseline.ms)), mb(baseline.peakRssKiB / 1024), ''],
      },
      {
        label: `${n}: Canary / baseline time`,
        cells: ['', '', '', '', times(timeRatio)],
        ...check(`<= ${times(MAX_TIME_VS_BASELINE)}`, timeRatio <= MAX_TIME_VS_BASELINE),
      },
      {
        label: `${n}: Canary peak memory`,
        cells: ['', '', '', mb(fullMb), ''],
        ...check(`< ${MAX_PEAK_RSS_MB} MB`, fullMb < MAX_PEAK_RSS_MB),
      },
      {
        label: `${n}: Canary re-run, nothing new (accounts rescored)`,
        cells: [int(rescore.scored), secs(rescore.ms), '', mb(rescore.peakRssKiB / 1024), ''],
      },
      {
        label: `${n}: re-run speed-up (full / re-run time)`,
        cells: ['', '', '', '', times(speedup)],
        ...check(`>= ${times(MIN_RESCORE_SPEEDUP)}`, speedup >= MIN_RESCORE_SPEEDUP),
      },
    ];
  } finally {
    for (const suffix of ['', '-wal', '-shm']) await rm(`${file}${suffix}`, { force: true });
  }
}
