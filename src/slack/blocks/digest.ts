// A channel's digest as a message: the headline (the filtered book's KPIs and the
// change of its average Health Index since the last digest), a warning when the scores
// are older than they should be, a note when the digest is late, then each section the
// subscription asked for (accounts at risk by value tier with their explanation,
// accounts that dropped and what moved them, referral-ready accounts with a suggested
// ask, renewals at risk, cases waiting for an owner), the risk and health charts, and
// how to see more. Lists share what is left of Slack's 50 blocks and the message's
// text budget; a cut list ends with "and N more" and the command that shows them all.
import { int, day as isoDay, money } from '../../cli/format.ts';
import type { Digest } from '../../digest/compose.ts';
import { localTime } from '../../schedule/slots.ts';
import type { ColourBand } from './format.ts';
import { one } from './format.ts';
import { COMMAND } from './help.ts';
import { accountRow, moreLine } from './lists.ts';
import { context, header, image, section, type ChartImage } from './kit.ts';
import { healthChartAlt, healthGroups, healthSection, kpiFields, RISK_CHART_ALT } from './portfolio.ts';
import {
  escapeEntities,
  escapeText,
  fitList,
  LIMITS,
  textLength,
  type KnownBlock,
  type Room,
  type SlackMessage,
} from './text.ts';

export interface DigestMessageModel {
  digest: Digest;
  /** The model's colour bands (model.bands.colour). */
  bands: readonly ColourBand[];
  charts: { risk: ChartImage | null; health: ChartImage | null };
}

/** The marker a digest carries in its message metadata, so that a takeover can find it in the channel. */
export const DIGEST_EVENT = 'canary_digest';

const GROUPS_SHOWN = 6;
const command = (text: string) => `\`${escapeEntities(`${COMMAND} ${text}`)}\``;

interface Part {
  heading: string;
  rows: KnownBlock[];
  /** How many the list holds beyond its rows. */
  beyond: number;
  more: (hidden: number) => KnownBlock;
  empty: string;
}

export function digestMessage(m: DigestMessageModel): SlackMessage {
  const d = m.digest;
  const title = `Canary digest${d.filterText ? `: ${d.filterText}` : ''}`;
  const head: KnownBlock[] = [header(title), context([subtitle(d)])];
  if (d.slot?.late)
    head.push(
      context([
        `⏰ Late: this digest was due ${escapeText(localTime(d.slot.at, d.slot.timeZone))}, when Canary was not running.`,
      ]),
    );
  if (d.day === null || d.portfolio === null) {
    const text = 'No scores yet: Canary has not completed a scoring run.';
    return { text, blocks: [...head, section(text)] };
  }
  const day = isoDay(d.day);
  if (d.staleSince)
    head.push(
      section(
        `⚠️ *These scores are from ${day}*: the scoring of ${isoDay(d.staleSince)} has not completed, so they are the latest Canary has.`,
      ),
    );
  const p = d.portfolio;
  if (p.scored === 0) {
    const text = `No account ${d.filterText ? "matches this digest's filters" : 'has a Health Index'} on ${day}.`;
    return { text, blocks: [...head, section(text)] };
  }

  head.push(kpiFields(p));
  if (d.averageChange !== null)
    head.push(context([`Average Health Index ${change(d.averageChange)} since ${isoDay(d.since)}`]));

  const tail: KnownBlock[] = [];
  if (d.charts) {
    const groups = healthGroups(p, { industry: d.filters.industry });
    if (m.charts.risk) tail.push(image(m.charts.risk, RISK_CHART_ALT, 'Risk distribution'));
    tail.push(healthSection(groups, m.bands, GROUPS_SHOWN));
    if (m.charts.health)
      tail.push(image(m.charts.health, healthChartAlt(groups.by), `Health by ${groups.by}`));
  }
  tail.push(
    context([
      `Open any account with ${command('<account>')} · ${command('help')} for everything Canary answers`,
    ]),
  );

  const body = fitParts(parts(d), {
    blocks: LIMITS.messageBlocks - head.length - tail.length,
    chars: LIMITS.messageChars - textLength([...head, ...tail]),
  });
  return { text: summary(d, title), blocks: [...head, ...body, ...tail] };
}

function subtitle(d: Digest): string {
  const scores = d.day ? `Scores of ${isoDay(d.day)}` : 'No scores yet';
  const when = d.slot ? escapeText(localTime(d.slot.at, d.slot.timeZone)) : 'Preview';
  return `${scores} · ${when}`;
}

/** The notification text: the title and each list's count. */
function summary(d: Digest, title: string): string {
  const counts = [
    ...(d.atRisk ? [`${int(d.atRisk.total)} at risk (${money(d.portfolio!.arrAtRisk)} ARR)`] : []),
    ...(d.dropped ? [`${int(d.dropped.total)} dropped since ${isoDay(d.since)}`] : []),
    ...(d.referrals ? [`${int(d.referrals.total)} referral-ready`] : []),
    ...(d.renewals ? [`${int(d.renewals.total)} renewals at risk`] : []),
    ...(d.cases ? [`${int(d.cases.total)} cases waiting for an owner`] : []),
  ];
  return escapeText(`${title}, scores of ${isoDay(d.day)}${counts.length ? `: ${counts.join(', ')}` : ''}`);
}

const arrOf = (a: { arr: number | null }) => `${money(a.arr)} ARR`;
/** A change to one decimal, with its sign: `+2.5`, `-14.0`. */
const change = (n: number) => `${n > 0 ? '+' : ''}${n.toFixed(1)}`;

function parts(d: Digest): Part[] {
  const out: Part[] = [];
  const beyond = (l: { items: unknown[]; total: number }) => Math.max(0, l.total - l.items.length);
  if (d.atRisk)
    out.push({
      heading: `*Accounts at risk* · ${int(d.atRisk.total)}, most valuable first`,
      rows: d.atRisk.items.map((a) =>
        accountRow(
          a,
          `${one(a.healthIndex)} ${a.riskTier} · value tier ${a.valueTier} · ${arrOf(a)}`,
          a.explanation,
        ),
      ),
      beyond: beyond(d.atRisk),
      more: moreLine(`at risk: ${command(`at-risk ${Math.min(d.atRisk.total, 50)}`)}`),
      empty: 'No account is at risk.',
    });
  if (d.dropped)
    out.push({
      heading: `*Dropped since ${isoDay(d.since)}* · ${int(d.dropped.total)}`,
      rows: d.dropped.items.map((m) =>
        accountRow(
          m,
          `${one(m.from)} → ${one(m.to)} (${change(m.to - m.from)}) · ${arrOf(m)}`,
          m.explanation,
        ),
      ),
      beyond: beyond(d.dropped),
      more: moreLine(`dropped: ${command('movers')}`),
      empty: 'No Health Index fell by 5 points or more.',
    });
  if (d.referrals)
    out.push({
      heading: `*Referral-ready* · ${int(d.referrals.total)}, newly ready first`,
      rows: d.referrals.items.map((a) =>
        accountRow(
          a,
          `${a.newlyReady ? '🆕 newly ready · ' : ''}readiness ${one(a.referralScore)} · Health Index ${one(a.healthIndex)} · ${arrOf(a)}`,
          `Suggested ask: ${a.ask}`,
        ),
      ),
      beyond: beyond(d.referrals),
      more: moreLine(`referral-ready: ${command('referrals')}`),
      empty: 'No account is referral-ready.',
    });
  if (d.renewals)
    out.push({
      heading: `*Renewals in the next 90 days with weak scores* · ${int(d.renewals.total)}`,
      rows: d.renewals.items.map((r) =>
        accountRow(
          r,
          `renews ${isoDay(r.renewalDate)} (in ${r.daysToRenewal} days) · ${one(r.healthIndex)} ${r.riskTier ?? ''} · ${arrOf(r)}`,
        ),
      ),
      beyond: beyond(d.renewals),
      more: moreLine('renewals at risk: `canary report` lists them all'),
      empty: 'No renewal in the next 90 days has a weak score.',
    });
  if (d.cases)
    out.push({
      heading: `*Open cases waiting for an owner* · ${int(d.cases.total)}`,
      rows: d.cases.items.map((c) =>
        accountRow(
          c.account,
          `case #${c.id} · ${escapeText(c.reason, 200)} · open since ${isoDay(c.openedAt)}`,
        ),
      ),
      beyond: beyond(d.cases),
      more: moreLine(`waiting: ${command('cases')}`),
      empty: 'Every open case has an owner.',
    });
  return out;
}

/** Each part's heading and as many rows as fit, the room shared evenly among the parts still to come. */
function fitParts(list: Part[], room: Room): KnownBlock[] {
  const out: KnownBlock[] = [];
  let left = room;
  list.forEach((part, i) => {
    const share: Room = {
      blocks: Math.floor(left.blocks / (list.length - i)),
      chars: Math.floor(left.chars / (list.length - i)),
    };
    const blocks: KnownBlock[] = [
      section(part.rows.length ? part.heading : `${part.heading}\n${part.empty}`),
    ];
    // Rows beyond the list's first accounts need the "more" line whether or not all these fit.
    const reserve = part.beyond > 0 ? 1 : 0;
    const rows = fitList(
      part.rows,
      (r) => [r],
      { blocks: share.blocks - 1 - reserve, chars: share.chars - textLength(blocks) - reserve * 200 },
      (hidden) => part.more(hidden + part.beyond),
    );
    blocks.push(...rows);
    const allShown = rows.length === part.rows.length && rows.at(-1) === part.rows.at(-1);
    if (part.beyond > 0 && allShown) blocks.push(part.more(part.beyond));
    out.push(...blocks);
    left = { blocks: left.blocks - blocks.length, chars: left.chars - textLength(blocks) };
  });
  return out;
}
