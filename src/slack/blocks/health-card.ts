// The health card `/health <account>` answers with: the Health Index with its grade,
// colour, tiers and trend, the component breakdown as small bars, the explanation and
// what holds or moved the score, coverage and stale inputs, drops and leading
// indicators, the account's facts (ARR, renewal, owner, open case, referral
// readiness), the trend chart, and "Share in channel". It says what `canary explain`
// says, in the same words.
import { signed } from '../../health/explain.ts';
import { DAY_MS } from '../../health/signals.ts';
import { day as isoDay, money } from '../../cli/format.ts';
import type { StoredSnapshot } from '../../storage/snapshots.ts';
import { shareButton } from './actions.ts';
import { bar, COLOUR_EMOJI, nameOf, one, pct, trend } from './format.ts';
import { actions, context, fields, header, image, section, type ChartImage } from './kit.ts';
import { escapeText, mention, type KnownBlock, type SlackMessage } from './text.ts';

/** What the card shows of the account itself (a Prisma `Account` row fits). */
export interface CardAccount {
  id: number;
  externalId: string;
  name: string;
  domain: string | null;
  industry: string | null;
  segment: string | null;
  arr: number | null;
  renewalDate: Date | null;
  ownerEmail: string | null;
  ownerSlackId: string | null;
}

/** The account's open recovery case (cases arrive with their own issue). */
export interface OpenCase {
  id: number | string;
  state: string;
}

export interface HealthCardModel {
  account: CardAccount;
  /** The snapshot shown; null: the account was never scored. */
  snapshot: StoredSnapshot | null;
  /** Change of the Health Index over 7 and 30 days; null without a score that long before. */
  change: { days7: number | null; days30: number | null };
  openCase: OpenCase | null;
  /** Today, which days to renewal count from. */
  now: Date;
  /** The trend chart once uploaded; null: no image block. */
  chart: ChartImage | null;
}

const SHORT = 200;

export function healthCard(m: HealthCardModel): SlackMessage {
  const { account: a, snapshot: s } = m;
  const name = escapeText(nameOf(a), SHORT);
  const blocks: KnownBlock[] = [header(nameOf(a))];
  if (!s) {
    blocks.push(section(`${name} has no Health Index yet: it has not been scored.`));
    blocks.push(fields(facts(m)));
  } else {
    blocks.push(...scored(m, s));
  }
  const share = shareButton({
    kind: 'card',
    accountId: a.id,
    day: isoDay(new Date(s?.day ?? m.now.getTime())),
  });
  if (share) blocks.push(actions([share]));
  const text =
    s?.healthIndex === null || s === null
      ? `${name}: no Health Index`
      : `${name}: Health Index ${one(s.healthIndex)} (grade ${s.grade}, ${s.riskTier} risk)`;
  return { text, blocks };
}

function scored(m: HealthCardModel, s: StoredSnapshot): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (s.healthIndex === null) {
    blocks.push(section("No Health Index: none of the model's measures has data."));
  } else {
    blocks.push(
      section(
        `*Health Index ${one(s.healthIndex)}* ${COLOUR_EMOJI[s.colour!]}  grade *${s.grade}* · risk *${s.riskTier}* · value tier *${s.valueTier}*\n` +
          trend(m.change.days7, m.change.days30),
      ),
    );
    blocks.push(section(['*Components*', ...componentLines(s)].join('\n')));
    blocks.push(section(whyLines(s).join('\n')));
  }
  const warnings = [
    ...(s.drops.length
      ? ['*Drops*', ...s.drops.map((d) => `• ${escapeText(d.label, SHORT)}: ${escapeText(d.detail, SHORT)}`)]
      : []),
    ...(s.leadingIndicators.length
      ? ['*Leading indicators*', ...s.leadingIndicators.map((l) => `• ${escapeText(l, SHORT)}`)]
      : []),
  ];
  if (warnings.length) blocks.push(section(warnings.join('\n')));
  blocks.push(fields(facts(m)));
  const labels = new Map(s.components.flatMap((c) => c.measures.map((x) => [x.name, x.label])));
  const stale = s.stale.map((n) => escapeText(labels.get(n) ?? n, 60));
  blocks.push(
    context([
      `Coverage ${pct(s.coverage)} of the model's weight has data${stale.length ? `; stale: ${stale.join(', ')}` : ''}`,
      `Scored ${isoDay(new Date(s.day))} · model ${escapeText(s.modelVersion, 40)}${s.segmentRule ? ` · segment rule "${escapeText(s.segmentRule, 60)}"` : ''}`,
    ]),
  );
  if (m.chart)
    blocks.push(
      image(
        m.chart,
        `Health Index of ${nameOf(m.account)} over the last 90 days, with the green, yellow and red bands`,
        'Health Index, last 90 days',
      ),
    );
  return blocks;
}

function componentLines(s: StoredSnapshot): string[] {
  return s.components
    .filter((c) => c.weight > 0)
    .map(
      (c) =>
        `${bar(c.score)}  *${escapeText(c.label, 60)}* ${c.score === null ? 'no data' : `${Math.round(c.score)} · ${c.contribution.toFixed(1)} points`} (weight ${c.weight})`,
    );
}

function whyLines(s: StoredSnapshot): string[] {
  const bullet = (d: { points: number; text: string }) =>
    `• ${signed(d.points)}  ${escapeText(d.text, SHORT)}`;
  const lines = [`*Why:* ${escapeText(s.explanation, 1000)}`];
  if (s.drivers.length)
    lines.push('*What holds the score where it is* (points against a neutral 50)', ...s.drivers.map(bullet));
  if (s.change?.drivers.length)
    lines.push(
      `*Change since ${isoDay(new Date(s.change.since))}: ${signed(s.change.delta)}*`,
      ...s.change.drivers.map(bullet),
    );
  return lines;
}

function facts(m: HealthCardModel): string[] {
  const { account: a, snapshot: s } = m;
  const out = [`*ARR*\n${money(a.arr)}`, `*Renewal*\n${renewal(a.renewalDate, m.now)}`];
  const owner =
    mention(a.ownerSlackId) ?? (a.ownerEmail ? escapeText(a.ownerEmail, 100) : 'no owner on file');
  out.push(`*Owner*\n${owner}`);
  out.push(
    `*Open recovery case*\n${m.openCase ? `#${escapeText(String(m.openCase.id), 40)}, ${escapeText(m.openCase.state, 40)}` : 'none'}`,
  );
  if (s) {
    const r = s.referral;
    out.push(
      `*Referral readiness*\n${one(r.score)}${r.ready ? ' (referral-ready)' : ''}${r.blockers.length ? `; not ready: ${r.blockers.map((b) => escapeText(b, 100)).join(', ')}` : ''}`,
    );
  }
  for (const [label, value] of [
    ['Segment', a.segment],
    ['Industry', a.industry],
    ['Domain', a.domain],
  ] as const) {
    if (value) out.push(`*${label}*\n${escapeText(value, 100)}`);
  }
  return out;
}

function renewal(date: Date | null, now: Date): string {
  if (!date) return 'not on file';
  const days = Math.round((date.getTime() - now.getTime()) / DAY_MS);
  const when = days > 0 ? `in ${days} days` : days < 0 ? `${-days} days ago` : 'today';
  return `${isoDay(date)} (${when})`;
}
