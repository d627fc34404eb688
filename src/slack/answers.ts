// The answers Canary gives in Slack, from the database to Block Kit: what a `/health`
// command asks for (a health card, a pick list, suggestions, the portfolio, the lists,
// help), the App Home, and a shared answer rendered again for the channel. Each reads
// storage, renders and places its charts, and calls a pure builder; none knows how
// the answer is delivered, so the listeners, `canary demo --slack-preview` and the
// tests all get the same blocks.
import type { types } from '@slack/bolt';
import { day as isoDay } from '../cli/format.ts';
import type { HealthModel } from '../health/model.ts';
import { round1 } from '../health/score.ts';
import { DAY_MS } from '../health/signals.ts';
import { accountsOwnedBy, findAccount, type Viewer } from '../storage/account-search.ts';
import { casesFor, type CaseFilter } from '../storage/cases.ts';
import type { Db } from '../storage/db.ts';
import { portfolio, type Portfolio } from '../storage/portfolio.ts';
import { indexSeries, snapshotFor } from '../storage/snapshots.ts';
import type { Answer } from './blocks/actions.ts';
import { appHome } from './blocks/app-home.ts';
import { casesListMessage, type CasesListModel } from './blocks/case-list.ts';
import { nameOf } from './blocks/format.ts';
import { healthCard, type CardAccount } from './blocks/health-card.ts';
import { COMMAND, helpMessage } from './blocks/help.ts';
import { context, section, type ChartImage } from './blocks/kit.ts';
import { atRiskMessage, moversMessage, referralsMessage } from './blocks/lists.ts';
import { pickList } from './blocks/pick-list.ts';
import { healthGroups, portfolioMessage, type PortfolioFilter } from './blocks/portfolio.ts';
import { escapeEntities, escapeText, type SlackMessage } from './blocks/text.ts';
import type { ChartFiles } from './chart-files.ts';
import { healthChart, riskChart, TREND_DAYS, trendChart } from './charts.ts';
import type { Question } from './command.ts';

export interface AnswerDeps {
  db: Db;
  /** The health model in use (a ModelSource): its colour bands shade the charts. */
  models: { readonly model: HealthModel };
  charts: ChartFiles;
  now: () => Date;
}

export interface Answers {
  /** What `/health <text>` answers (parsed: command.ts); `viewer` is asked for only when the answer depends on who asks. */
  command(q: Asked, viewer: () => Promise<Viewer>): Promise<SlackMessage>;
  /** An account's health card (as of a scored day, default its latest). */
  card(accountId: number, day?: Date): Promise<SlackMessage>;
  /** A shared answer, rendered again from its share button's value. */
  render(answer: Answer): Promise<SlackMessage>;
  home(viewer: Viewer): Promise<types.HomeView>;
}

/** The questions answered here: every one but `digest …`, which is a channel's to change (listeners/commands/digest.ts). */
export type Asked = Exclude<Question, { kind: 'digest' }>;

const NO_CHARTS: { risk: ChartImage | null; health: ChartImage | null } = { risk: null, health: null };

/** A viewer's accounts the App Home is given; the view itself shows what fits in 100 blocks. */
const HOME_ACCOUNTS = 500;
/** Cases a list is given: more than a message or the App Home shows; the rest are counted. */
const LISTED_CASES = 50;

export function answers(deps: AnswerDeps): Answers {
  const { db } = deps;
  const bands = () => deps.models.model.bands.colour;
  const portfolioOf = (filter: PortfolioFilter & { day?: Date; top?: number }) =>
    portfolio(db, {
      ...filter,
      renewalIndexBelow: deps.models.model.leading_indicators.renewal_weak.index_below,
    });

  async function cardOf(account: CardAccount, day?: Date): Promise<SlackMessage> {
    const snapshot = await snapshotFor(db, account.id, day);
    let chart: ChartImage | null = null;
    let change = { days7: null as number | null, days30: null as number | null };
    if (snapshot) {
      const to = new Date(snapshot.day);
      const series = await indexSeries(
        db,
        account.id,
        new Date(to.getTime() - (TREND_DAYS - 1) * DAY_MS),
        to,
      );
      change = { days7: changeOver(series, to, 7), days30: changeOver(series, to, 30) };
      const png = await trendChart({ title: nameOf(account), to, series, bands: bands() });
      chart = await deps.charts.upload(
        png,
        `health-${fileSafe(account.externalId)}-${isoDay(to)}.png`,
        `Health Index of ${nameOf(account)}, last ${TREND_DAYS} days`,
      );
    }
    const open = await casesFor(db, { kind: 'account', accountId: account.id }, { limit: 1 });
    const openCase = open.cases[0]?.case ?? null;
    return healthCard({ account, snapshot, change, openCase, now: deps.now(), chart });
  }

  async function card(accountId: number, day?: Date): Promise<SlackMessage> {
    const account = await db.account.findUnique({ where: { id: accountId } });
    if (!account) {
      const text = `That account is no longer in Canary. Try \`${escapeEntities(`${COMMAND} <account>`)}\` again.`;
      return { text, blocks: [section(text)] };
    }
    return cardOf(account, day);
  }

  async function search(text: string, unclear: boolean): Promise<SlackMessage> {
    const found = await findAccount(db, text);
    switch (found.kind) {
      case 'one':
        return cardOf(found.account);
      case 'several':
        return pickList({ query: text, matches: found.accounts, suggestions: [] });
      case 'none':
        return unclear
          ? helpMessage(text)
          : pickList({ query: text, matches: [], suggestions: found.suggestions });
      case 'invalid':
        return helpMessage(text);
    }
  }

  async function charts(p: Portfolio, filter: PortfolioFilter) {
    if (!p.scored) return NO_CHARTS;
    const groups = healthGroups(p, filter);
    const name = (what: string) =>
      [what, filter.industry, filter.segment, isoDay(p.day)]
        .flatMap((part) => (part ? [fileSafe(part)] : []))
        .join('-') + '.png';
    const [riskPng, healthPng] = await Promise.all([
      riskChart(p.riskDistribution),
      healthChart(groups.rows, bands(), groups.by),
    ]);
    const [risk, health] = await Promise.all([
      deps.charts.upload(riskPng, name('risk'), 'Accounts per risk tier'),
      deps.charts.upload(healthPng, name(`health-by-${groups.by}`), `Health by ${groups.by}`),
    ]);
    return { risk, health };
  }

  async function portfolioAnswer(asked: PortfolioFilter, day?: Date): Promise<SlackMessage> {
    let filter = asked;
    let p = await portfolioOf({ ...filter, day });
    if (p && p.accounts === 0 && (asked.industry || asked.segment)) {
      // Names are stored as imported ("Software"); people type them in any case.
      const all = (await portfolioOf({ day }))!;
      const named = storedNames(all, asked);
      if (!named) {
        const message = portfolioMessage({ portfolio: p, bands: bands(), filter, charts: NO_CHARTS });
        const known = (
          asked.industry ? all.byIndustry.map((g) => g.industry) : all.bySegment.map((g) => g.segment)
        )
          .flatMap((n) => (n === null ? [] : [`"${escapeText(n, 60)}"`]))
          .slice(0, 20);
        const what = asked.industry ? 'industries' : 'segments';
        return { ...message, blocks: [...message.blocks, context([`Known ${what}: ${known.join(', ')}`])] };
      }
      filter = named;
      p = await portfolioOf({ ...filter, day });
    }
    return portfolioMessage({
      portfolio: p,
      bands: bands(),
      filter,
      charts: p ? await charts(p, filter) : NO_CHARTS,
    });
  }

  const noScores = () => portfolioMessage({ portfolio: null, bands: bands(), filter: {}, charts: NO_CHARTS });

  async function atRisk(n: number, day?: Date): Promise<SlackMessage> {
    const p = await portfolioOf({ day, top: n });
    if (!p) return noScores();
    const total = p.riskDistribution.high.accounts + p.riskDistribution.critical.accounts;
    return atRiskMessage({ day: p.day, accounts: p.atRisk, total });
  }

  async function referrals(day?: Date): Promise<SlackMessage> {
    const p = await portfolioOf({ day });
    if (!p) return noScores();
    // The rate is referral-ready / scored, so this is the count itself.
    const total = Math.round(p.referralReadyRate * p.scored);
    return referralsMessage({ day: p.day, accounts: p.referralReady, total });
  }

  async function movers(day?: Date): Promise<SlackMessage> {
    const p = await portfolioOf({ day });
    if (!p) return noScores();
    return moversMessage({ day: p.day, drops: p.movers.drops, gains: p.movers.gains });
  }

  async function cases(q: Extract<Question, { kind: 'cases' }>, viewer: () => Promise<Viewer>) {
    let filter: CaseFilter;
    let scope: CasesListModel['scope'];
    if (q.whose.kind === 'account') {
      const found = await findAccount(db, q.whose.text);
      if (found.kind !== 'one') return search(q.whose.text, false);
      filter = { kind: 'account', accountId: found.account.id };
      scope = { kind: 'account', account: found.account };
    } else if (q.whose.kind === 'all') {
      filter = { kind: 'all' };
      scope = { kind: 'all' };
    } else {
      filter = casesOf(await viewer());
      scope = { kind: 'mine' };
    }
    const { cases: listed, total } = await casesFor(db, filter, { limit: LISTED_CASES });
    return casesListMessage({ scope, cases: listed, total });
  }

  return {
    card,
    async command(q, viewer) {
      switch (q.kind) {
        case 'help':
          return helpMessage();
        case 'cases':
          return cases(q, viewer);
        case 'account':
          return search(q.text, false);
        case 'unclear':
          return search(q.text, true);
        case 'portfolio':
          return portfolioAnswer({ industry: q.industry, segment: q.segment });
        case 'at-risk':
          return atRisk(q.n);
        case 'referrals':
          return referrals();
        case 'movers':
          return movers();
      }
    },
    async render(answer) {
      const day = new Date(`${answer.day}T00:00:00Z`);
      switch (answer.kind) {
        case 'card':
          return card(answer.accountId, day);
        case 'portfolio':
          return portfolioAnswer({ industry: answer.industry, segment: answer.segment }, day);
        case 'at-risk':
          return atRisk(answer.n, day);
        case 'referrals':
          return referrals(day);
        case 'movers':
          return movers(day);
      }
    },
    async home(viewer) {
      const [p, mine, open] = await Promise.all([
        portfolioOf({}),
        accountsOwnedBy(db, viewer, { limit: HOME_ACCOUNTS }),
        casesFor(db, casesOf(viewer), { limit: LISTED_CASES }),
      ]);
      return appHome({
        portfolio: p,
        bands: bands(),
        charts: p ? await charts(p, {}) : NO_CHARTS,
        myAccounts: mine.accounts,
        openCases: open.cases,
      });
    },
  };
}

/** The cases of a viewer: on accounts they own, or assigned to them. */
const casesOf = (viewer: Viewer): CaseFilter => ({
  kind: 'mine',
  slackId: viewer.slackId ?? '',
  email: viewer.email ?? null,
});

/** The filter with each name as stored, matched ignoring case; null when one names nothing that day. */
function storedNames(all: Portfolio, asked: PortfolioFilter): PortfolioFilter | null {
  const find = (names: (string | null)[], typed: string) =>
    names.find((n) => n !== null && n.toLowerCase() === typed.toLowerCase()) ?? null;
  const industry =
    asked.industry &&
    find(
      all.byIndustry.map((g) => g.industry),
      asked.industry,
    );
  const segment =
    asked.segment &&
    find(
      all.bySegment.map((g) => g.segment),
      asked.segment,
    );
  if (industry === null || segment === null) return null;
  return { ...(industry && { industry }), ...(segment && { segment }) };
}

/** The change of the Health Index to `to` from `days` before it; null unless both days were scored. */
export function changeOver(
  series: readonly { day: Date; healthIndex: number | null }[],
  to: Date,
  days: number,
): number | null {
  const at = (t: number) => series.find((p) => p.day.getTime() === t)?.healthIndex ?? null;
  const now = at(to.getTime());
  const then = at(to.getTime() - days * DAY_MS);
  return now === null || then === null ? null : round1(now - then);
}

/** A piece of a file name from user data: letters, digits, dots and dashes, short. */
const fileSafe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 60);
