// Owns the "digest" section: how long composing the digests of 50 subscriptions with
// varied filters takes on a scored book of 10,000 accounts (bench/scoring-data.ts,
// scored on two days so that drops have a day to count from), next to a baseline
// measured in the same run: the filtered portfolio query alone for the same 50 filters.
// Composing is the digest's queries, its composition and its Block Kit message (the
// target); before posting, the scheduler also renders the two charts, shown beside it.
// Each step runs in a child process of its own (bench/digest-steps.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { int } from '../src/cli/format.ts';
import { runChild } from './child.ts';
import type { ComposeReport, PrepareReport } from './digest-steps.ts';
import { secs, times } from './format.ts';
import type { Section } from './section.ts';

export const SUBSCRIPTIONS = 50;
const DEFAULT_ACCOUNTS = 10_000;
/** The target: all 50 composed (queries and builders) in under this. */
const MAX_COMPOSE_MS = 5000;

const STEPS = new URL('./digest-steps.ts', import.meta.url);

export function digestSection(accounts: number | undefined): Section {
  const size = accounts ?? DEFAULT_ACCOUNTS;
  return {
    name: 'digest',
    async run({ progress }) {
      const dir = await mkdtemp(path.join(tmpdir(), 'canary-bench-digest-'));
      try {
        const file = path.join(dir, 'book.db');
        progress(
          `generating and scoring (two days) a book of ${int(size)} accounts, ${SUBSCRIPTIONS} subscriptions`,
        );
        const prepared = await runChild<PrepareReport>(STEPS, ['prepare', file, String(size)]);
        if (prepared.subscriptions !== SUBSCRIPTIONS || prepared.scored < size)
          throw new Error(`prepare: ${prepared.subscriptions} subscriptions, ${prepared.scored} snapshots`);
        progress(
          `generated in ${secs(prepared.generateMs)} s, scored in ${secs(prepared.scoreMs)} s; composing`,
        );
        const c = await runChild<ComposeReport>(STEPS, ['compose', file]);
        if (c.listed === 0) throw new Error('compose: the 50 digests listed no account');
        const per = (ms: number) => `${(ms / SUBSCRIPTIONS).toFixed(0)} ms`;
        return {
          title:
            `digest: ${SUBSCRIPTIONS} subscriptions with varied filters on a book of ${int(size)} accounts scored on two days, SQLite` +
            (size === DEFAULT_ACCOUNTS
              ? ''
              : ` [--accounts: the target is set for ${int(DEFAULT_ACCOUNTS)}]`),
          columns: ['digests', 'seconds', 'per digest', 'ratio'],
          rows: [
            {
              label: 'baseline: the filtered portfolio query alone',
              cells: [String(SUBSCRIPTIONS), secs(c.baselineMs), per(c.baselineMs), ''],
            },
            {
              label: `composed: queries, composition, Block Kit (${int(c.listed)} accounts listed, at most ${c.maxBlocks} blocks)`,
              cells: [
                String(SUBSCRIPTIONS),
                secs(c.composeMs),
                per(c.composeMs),
                times(c.composeMs / c.baselineMs),
              ],
              check: {
                target: `all ${SUBSCRIPTIONS} < ${secs(MAX_COMPOSE_MS)} s`,
                pass: c.composeMs < MAX_COMPOSE_MS,
              },
            },
            {
              label: 'composed, and both charts rendered to PNG (as posted, no upload; not a target)',
              cells: [
                String(SUBSCRIPTIONS),
                secs(c.chartsMs),
                per(c.chartsMs),
                times(c.chartsMs / c.baselineMs),
              ],
            },
          ],
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
