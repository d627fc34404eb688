// `/health portfolio [industry|segment <name>]`: the portfolio's KPIs (average Health
// Index plain and ARR-weighted, share and ARR at risk, Referral-Ready Account Rate),
// the risk distribution and health by industry (by segment when filtered to one
// industry), each with its chart, as `canary report` prints them. The KPI, risk and
// health parts serve the App Home too.
import { int, money, day as isoDay } from '../../cli/format.ts';
import { RISK_TIERS } from '../../health/model.ts';
import type { Portfolio } from '../../storage/portfolio.ts';
import { shareButton } from './actions.ts';
import { COLOUR_EMOJI, colourOf, one, pct, TIER_EMOJI, type ColourBand } from './format.ts';
import { actions, context, fields, header, image, section, type ChartImage } from './kit.ts';
import { escapeText, type KnownBlock, type SlackMessage } from './text.ts';

export interface PortfolioFilter {
  industry?: string;
  segment?: string;
}

export interface PortfolioModel {
  /** null: nothing scored yet. */
  portfolio: Portfolio | null;
  /** The model's colour bands (model.bands.colour). */
  bands: readonly ColourBand[];
  filter: PortfolioFilter;
  charts: { risk: ChartImage | null; health: ChartImage | null };
}

/** One group of health by industry or segment. */
export interface HealthRow {
  label: string;
  accounts: number;
  averageIndex: number | null;
  arrAtRisk: number;
}

/** Health by industry, or by segment when the portfolio is filtered to one industry (by ARR at risk, as stored). */
export function healthGroups(
  p: Portfolio,
  filter: PortfolioFilter,
): { by: 'industry' | 'segment'; rows: HealthRow[] } {
  const none = '(none)';
  return filter.industry
    ? { by: 'segment', rows: p.bySegment.map(({ segment, ...g }) => ({ label: segment ?? none, ...g })) }
    : { by: 'industry', rows: p.byIndustry.map(({ industry, ...g }) => ({ label: industry ?? none, ...g })) };
}

export function kpiFields(p: Portfolio): KnownBlock {
  return fields([
    `*Average Health Index*\n${one(p.averageIndex)} (ARR-weighted ${one(p.arrWeightedIndex)})`,
    `*At risk (high or critical)*\n${pct(p.atRiskShare)} of accounts, ${money(p.arrAtRisk)} ARR`,
    `*Referral-Ready Account Rate*\n${pct(p.referralReadyRate)}`,
    `*Accounts scored*\n${int(p.scored)}, ${money(p.totalArr)} ARR`,
  ]);
}

export function riskSection(p: Portfolio): KnownBlock {
  const lines = [...RISK_TIERS].reverse().map((t) => {
    const d = p.riskDistribution[t];
    return `${TIER_EMOJI[t]} ${t}: ${int(d.accounts)} accounts, ${money(d.arr)} ARR`;
  });
  return section(['*Risk distribution*', ...lines].join('\n'));
}

/** Health by industry or segment, the first `max` groups, then how many more. */
export function healthSection(
  groups: { by: 'industry' | 'segment'; rows: readonly HealthRow[] },
  bands: readonly ColourBand[],
  max: number,
): KnownBlock {
  const lines = groups.rows.slice(0, max).map((g) => {
    const emoji = g.averageIndex === null ? '⚪' : COLOUR_EMOJI[colourOf(bands, g.averageIndex)];
    return `${emoji} ${escapeText(g.label, 60)}: ${one(g.averageIndex)} · ${int(g.accounts)} accounts · ${money(g.arrAtRisk)} ARR at risk`;
  });
  if (groups.rows.length > max) lines.push(`…and ${groups.rows.length - max} more`);
  if (!lines.length) lines.push('no accounts');
  return section([`*Health by ${groups.by}*`, ...lines].join('\n'));
}

export const RISK_CHART_ALT = 'Accounts per risk tier, low to critical, with their ARR';
export const healthChartAlt = (by: 'industry' | 'segment') =>
  `Average Health Index per ${by}, coloured by its band, with account counts`;

const GROUPS_SHOWN = 12;

export function portfolioMessage(m: PortfolioModel): SlackMessage {
  const p = m.portfolio;
  const filter = filterLine(m.filter);
  if (!p) {
    const text = 'No scores yet: Canary has not scored any account.';
    return { text, blocks: [section(text)] };
  }
  const day = isoDay(p.day);
  const blocks: KnownBlock[] = [header('Portfolio'), context([`On ${day}${filter ? ` · ${filter}` : ''}`])];
  if (p.scored === 0) {
    blocks.push(section(`No account has a Health Index on ${day}${filter ? ` (${filter})` : ''}.`));
  } else {
    blocks.push(kpiFields(p), riskSection(p));
    if (m.charts.risk) blocks.push(image(m.charts.risk, RISK_CHART_ALT, 'Risk distribution'));
    const groups = healthGroups(p, m.filter);
    blocks.push(healthSection(groups, m.bands, GROUPS_SHOWN));
    if (m.charts.health)
      blocks.push(image(m.charts.health, healthChartAlt(groups.by), `Health by ${groups.by}`));
  }
  const share = shareButton({ kind: 'portfolio', day, ...m.filter });
  if (share) blocks.push(actions([share]));
  const text =
    `Portfolio on ${day}${filter ? ` (${filter})` : ''}: average Health Index ${one(p.averageIndex)}, ` +
    `${pct(p.atRiskShare)} at risk (${money(p.arrAtRisk)} ARR)`;
  return { text, blocks };
}

function filterLine(f: PortfolioFilter): string {
  return [
    ...(f.industry ? [`industry "${escapeText(f.industry, 100)}"`] : []),
    ...(f.segment ? [`segment "${escapeText(f.segment, 100)}"`] : []),
  ].join(', ');
}
