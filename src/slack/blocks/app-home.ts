// The App Home tab: the portfolio at a glance (KPIs, risk distribution, health by
// industry, with their charts), the viewer's own accounts most at risk and most
// valuable first, each with its one-line explanation and a button to open its card,
// and the viewer's open recovery cases with their buttons. Always within a view's 100
// blocks.
import type { types } from '@slack/bolt';
import { int, day as isoDay, money } from '../../cli/format.ts';
import { RISK_TIERS } from '../../health/model.ts';
import type { CaseListItem } from '../../storage/cases.ts';
import type { Portfolio } from '../../storage/portfolio.ts';
import { caseButtons } from './alert.ts';
import { caseRow } from './case-messages.ts';
import { COMMAND } from './help.ts';
import { COLOUR_EMOJI, one, type ColourBand } from './format.ts';
import { accountRow, moreLine } from './lists.ts';
import { actions, context, divider, header, image, section, type ChartImage } from './kit.ts';
import {
  healthChartAlt,
  healthGroups,
  healthSection,
  kpiFields,
  RISK_CHART_ALT,
  riskSection,
} from './portfolio.ts';
import { escapeEntities, fitList, LIMITS, type KnownBlock } from './text.ts';
import type { OwnedAccount } from '../../storage/account-search.ts';

/** An account the viewer owns, with its latest snapshot's figures: storage's own shape. */
export type { OwnedAccount };

export interface AppHomeModel {
  portfolio: Portfolio | null;
  /** The model's colour bands (model.bands.colour). */
  bands: readonly ColourBand[];
  charts: { risk: ChartImage | null; health: ChartImage | null };
  myAccounts: readonly OwnedAccount[];
  /** The viewer's open cases (on accounts they own, or assigned to them); left out: no section. */
  openCases?: readonly CaseListItem[];
}

const GROUPS_SHOWN = 8;
const CASES_SHOWN = 10;

/** Most at risk first (critical … low, then never scored), then by ARR, then by name. */
function byRiskAndArr(a: OwnedAccount, b: OwnedAccount): number {
  const rank = (x: OwnedAccount) => (x.riskTier === null ? -1 : RISK_TIERS.indexOf(x.riskTier));
  return rank(b) - rank(a) || (b.arr ?? 0) - (a.arr ?? 0) || a.name.localeCompare(b.name);
}

export function appHome(m: AppHomeModel): types.HomeView {
  const top = glance(m);
  const cases = m.openCases === undefined ? [] : caseBlocks(m.openCases);
  const mineHead: KnownBlock[] = [divider(), header('Your accounts')];
  const mine = [...m.myAccounts].sort(byRiskAndArr);
  const room = LIMITS.homeBlocks - top.length - mineHead.length - cases.length - 1;
  const rows = mine.length
    ? fitList(
        mine,
        (a) => [ownedRow(a)],
        { blocks: room, chars: Number.POSITIVE_INFINITY },
        moreLine(`of yours: open any with \`${escapeEntities(`${COMMAND} <account>`)}\``),
      )
    : [
        section(
          'You own no accounts in Canary: accounts are matched to you by their owner Slack id or email.',
        ),
      ];
  const intro = mine.length
    ? [context([`${int(mine.length)} accounts you own, most at risk and most valuable first`])]
    : [];
  return { type: 'home', blocks: [...top, ...mineHead, ...intro, ...rows, ...cases] };
}

function glance(m: AppHomeModel): KnownBlock[] {
  const p = m.portfolio;
  const blocks: KnownBlock[] = [header('Portfolio at a glance')];
  if (!p) return [...blocks, section('No scores yet: Canary has not scored any account.')];
  blocks.push(context([`On ${isoDay(p.day)}: ${int(p.scored)} accounts scored, ${money(p.totalArr)} ARR`]));
  blocks.push(kpiFields(p), riskSection(p));
  if (m.charts.risk) blocks.push(image(m.charts.risk, RISK_CHART_ALT, 'Risk distribution'));
  const groups = healthGroups(p, {});
  blocks.push(healthSection(groups, m.bands, GROUPS_SHOWN));
  if (m.charts.health)
    blocks.push(image(m.charts.health, healthChartAlt(groups.by), `Health by ${groups.by}`));
  return blocks;
}

function ownedRow(a: OwnedAccount): KnownBlock {
  if (a.healthIndex === null) return accountRow(a, `⚪ no Health Index · ${money(a.arr)} ARR`);
  const colour = a.colour ? `${COLOUR_EMOJI[a.colour]} ` : '';
  return accountRow(
    a,
    `${colour}${one(a.healthIndex)} (${a.grade}) ${a.riskTier} · value tier ${a.valueTier} · ${money(a.arr)} ARR`,
    a.explanation ?? undefined,
  );
}

/** Each case as in `/health cases`, with the buttons its state allows right under it. */
function caseBlocks(cases: readonly CaseListItem[]): KnownBlock[] {
  const head: KnownBlock[] = [divider(), header('Your open recovery cases')];
  if (!cases.length) return [...head, section('No open recovery cases.')];
  const rows = fitList(
    cases,
    (item) => [caseRow(item), actions(caseButtons(item.case))],
    { blocks: 2 * CASES_SHOWN + 1, chars: Number.POSITIVE_INFINITY },
    moreLine('open cases: `/health cases` lists them'),
  );
  return [...head, ...rows];
}
