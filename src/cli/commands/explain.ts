// `canary explain <account>`: the full breakdown of one account's Health Index: every
// component and measure with its raw value, normalised score, weight and points, what
// holds the score where it is, what moved it, drops, warnings and referral readiness.
import type { Command } from 'commander';
import type { Snapshot } from '../../health/score.ts';
import { snapshotFor } from '../../storage/snapshots.ts';
import { oneAccount, UserError, withDatabase } from '../context.ts';
import { day, money, table } from '../format.ts';
import { dayOption } from './score.ts';

const signed = (n: number) => (n > 0 ? `+${n.toFixed(1)}` : n.toFixed(1));
const num = (n: number | null) =>
  n === null ? '-' : Math.abs(n) >= 100 ? n.toFixed(0) : Number.isInteger(n) ? String(n) : n.toFixed(2);

export function formatExplanation(
  name: string,
  externalId: string,
  arr: number | null,
  s: Snapshot & { computedAt?: Date },
): string {
  const out: string[] = [];
  const when = new Date(s.day).toISOString().slice(0, 10);
  out.push(
    `${name} (${externalId}) on ${when}, model ${s.modelVersion}${s.segmentRule ? `, segment rule "${s.segmentRule}"` : ''}`,
  );
  if (s.healthIndex === null) out.push("  No Health Index: none of the model's measures has data.");
  else {
    out.push(
      `  Health Index ${s.healthIndex.toFixed(1)}  grade ${s.grade}  ${s.colour}  risk ${s.riskTier}  value tier ${s.valueTier} (ARR ${money(arr)})`,
    );
  }
  out.push(
    `  Coverage ${Math.round(s.coverage * 100)}% of the model's weight has data${s.stale.length ? `; stale: ${s.stale.join(', ')}` : ''}`,
  );
  out.push(`  ${s.explanation}`);
  out.push('');
  const rows: (string | number)[][] = [];
  for (const c of s.components) {
    rows.push([
      `${c.label} (weight ${c.weight})`,
      '',
      '',
      c.score === null ? 'no data' : c.score.toFixed(1),
      '',
      c.contribution.toFixed(1),
    ]);
    for (const m of c.measures) {
      rows.push([
        `  ${m.label}${m.stale ? ' (stale)' : ''}${m.overridden ? ' (override)' : ''}`,
        num(m.raw),
        m.text ?? 'no data',
        m.normalised === null ? '-' : m.normalised.toFixed(1),
        String(m.weight),
        m.normalised === null ? '-' : m.contribution.toFixed(1),
      ]);
    }
  }
  out.push(table(['component / measure', 'raw', 'reads as', 'score', 'weight', 'points'], rows));
  if (s.drivers.length) {
    out.push('', 'What holds the score where it is (points against a neutral 50):');
    for (const d of s.drivers) out.push(`  ${signed(d.points)}  ${d.text}`);
  }
  if (s.change) {
    out.push(
      '',
      `Change since ${new Date(s.change.since).toISOString().slice(0, 10)}: ${signed(s.change.delta)}`,
    );
    for (const d of s.change.drivers) out.push(`  ${signed(d.points)}  ${d.text}`);
  }
  if (s.drops.length) {
    out.push('', 'Drops:');
    for (const d of s.drops) out.push(`  ${d.label}: ${d.detail}`);
  }
  if (s.leadingIndicators.length) {
    out.push('', 'Leading indicators:');
    for (const l of s.leadingIndicators) out.push(`  ${l}`);
  }
  const r = s.referral;
  out.push(
    '',
    `Referral readiness ${r.score.toFixed(1)}${r.ready ? ' (referral-ready)' : ''}: ${Object.entries(r.parts)
      .map(([k, v]) => `${k} ${Math.round(v)}`)
      .join(', ')}${r.blockers.length ? `; not ready: ${r.blockers.join(', ')}` : ''}`,
  );
  for (const o of s.overrides) {
    out.push(
      `Override by ${o.author}: ${o.applied} (${o.reason})${o.expiresAt ? `, until ${day(new Date(o.expiresAt))}` : ''}`,
    );
  }
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('explain')
    .description("the full breakdown of one account's Health Index")
    .argument('<account>', 'external id, domain, or (part of) the name')
    .option('--date <date>', 'the day (default: the latest snapshot)')
    .action(async (query: string, options: { date?: string }) => {
      const date = dayOption(options.date, '--date');
      await withDatabase(async ({ db }) => {
        const a = await oneAccount(db, query);
        const snapshot = await snapshotFor(db, a.id, date);
        if (!snapshot)
          throw new UserError(
            `${a.name} has no Health Index${date ? ` on or before ${options.date}` : ''} yet: run \`canary score\``,
          );
        console.log(formatExplanation(a.name, a.externalId, a.arr, snapshot));
      });
    });
}
