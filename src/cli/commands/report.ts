// `canary report`: the portfolio in the terminal, from the latest (or a given day's)
// snapshots: KPIs, risk distribution, health by industry, accounts at risk with their
// explanations, referral-ready accounts, movers and renewals at risk.
import type { Command } from 'commander';
import { portfolio, type Portfolio } from '../../storage/portfolio.ts';
import { getModel, UserError, withDatabase } from '../context.ts';
import { int, money, table } from '../format.ts';
import { dayOption } from './score.ts';

const pct = (share: number) => `${Math.round(share * 100)}%`;
const one = (n: number | null) => (n === null ? '-' : n.toFixed(1));
const bar = (n: number, max: number, width = 30) => '█'.repeat(max > 0 ? Math.round((n / max) * width) : 0);
const who = (a: { name: string; externalId: string }) => `${a.name} (${a.externalId})`;

export function formatReport(p: Portfolio, modelVersion: string): string {
  const out: string[] = [];
  const heading = (text: string) => out.push('', text);
  out.push(
    `Portfolio on ${p.day.toISOString().slice(0, 10)} (model ${modelVersion}): ${int(p.scored)} accounts scored, ${money(p.totalArr)} ARR`,
  );
  out.push('');
  out.push(
    table(
      ['', ''],
      [
        ['Average Health Index', `${one(p.averageIndex)} (ARR-weighted ${one(p.arrWeightedIndex)})`],
        ['At risk (high or critical)', `${pct(p.atRiskShare)} of accounts, ${money(p.arrAtRisk)} ARR`],
        ['Referral-Ready Account Rate', pct(p.referralReadyRate)],
      ],
    ).replace(/^\s*\n/, ''),
  );
  heading('Risk distribution');
  const tiers = ['low', 'medium', 'high', 'critical'] as const;
  const most = Math.max(...tiers.map((t) => p.riskDistribution[t].accounts));
  for (const t of tiers) {
    const d = p.riskDistribution[t];
    out.push(
      `  ${t.padEnd(9)}${String(d.accounts).padStart(5)}  ${money(d.arr).padStart(6)}  ${bar(d.accounts, most)}`,
    );
  }
  heading('Health by industry');
  out.push(
    table(
      ['industry', 'accounts', 'average', 'ARR at risk'],
      p.byIndustry.map((i) => [i.industry ?? '(none)', i.accounts, one(i.averageIndex), money(i.arrAtRisk)]),
    ),
  );
  heading('At risk, most valuable first');
  if (!p.atRisk.length) out.push('  none');
  for (const a of p.atRisk) {
    out.push(`  [tier ${a.valueTier}] ${who(a)}: ${one(a.healthIndex)} ${a.riskTier}, ${money(a.arr)} ARR`);
    out.push(`      ${a.explanation}`);
  }
  heading('Referral-ready');
  if (!p.referralReady.length) out.push('  none');
  for (const a of p.referralReady)
    out.push(`  ${who(a)}: readiness ${one(a.referralScore)}, Health Index ${one(a.healthIndex)}`);
  heading('Biggest drops in 7 days');
  if (!p.movers.drops.length) out.push('  none');
  for (const m of p.movers.drops)
    out.push(`  ${who(m)}: ${one(m.from)} -> ${one(m.to)} (${m.delta.toFixed(1)})  ${m.explanation}`);
  heading('Biggest gains in 7 days');
  if (!p.movers.gains.length) out.push('  none');
  for (const m of p.movers.gains)
    out.push(`  ${who(m)}: ${one(m.from)} -> ${one(m.to)} (+${m.delta.toFixed(1)})`);
  heading('Renewals at risk in the next 90 days');
  if (!p.renewalsAtRisk.length) out.push('  none');
  for (const r of p.renewalsAtRisk)
    out.push(
      `  ${who(r)}: renews ${r.renewalDate.toISOString().slice(0, 10)} (${r.daysToRenewal} days), ${one(r.healthIndex)} ${r.riskTier}, ${money(r.arr)} ARR`,
    );
  return out.join('\n');
}

interface ReportOptions {
  date?: string;
  industry?: string;
  segment?: string;
  owner?: string;
  top: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'the portfolio: KPIs, risk distribution, health by industry, at-risk and referral-ready accounts',
    )
    .option('--date <date>', 'the day (default: the latest scored day)')
    .option('--industry <industry>')
    .option('--segment <segment>')
    .option('--owner <email or Slack id>')
    .option('--top <n>', 'how many accounts per list', '10')
    .action(async (options: ReportOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1 || top > 1000) throw new UserError('--top must be 1-1000', 2);
      const model = getModel();
      await withDatabase(async ({ db }) => {
        const p = await portfolio(db, {
          day: dayOption(options.date, '--date'),
          industry: options.industry,
          segment: options.segment,
          owner: options.owner,
          top,
          renewalIndexBelow: model.leading_indicators.renewal_weak.index_below,
        });
        if (!p) throw new UserError('no scores yet: run `canary score` first (or `canary demo`)');
        console.log(formatReport(p, model.version));
      });
    });
}
