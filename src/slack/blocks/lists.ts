// The ranked lists `/health at-risk [n]`, `/health referrals` and `/health movers`
// answer with: one line per account with what `canary report` says of it (accounts at
// risk by value tier then ARR, each with its explanation; referral-ready accounts;
// the week's biggest drops and gains with what moved them), a button to open its card,
// as many as fit in a message, then "and N more".
import { int, day as isoDay, money } from '../../cli/format.ts';
import type { AccountRef, Mover, Portfolio } from '../../storage/portfolio.ts';
import { openCardButton, shareButton, type Answer } from './actions.ts';
import { listName, one } from './format.ts';
import { COMMAND } from './help.ts';
import { actions, context, header, section } from './kit.ts';
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

export type AtRiskAccount = Portfolio['atRisk'][number];
export type ReferralAccount = Portfolio['referralReady'][number];

export interface AtRiskModel {
  day: Date;
  /** High and critical risk, by value tier then ARR (as the portfolio lists them). */
  accounts: readonly AtRiskAccount[];
  /** How many accounts are at risk in all. */
  total: number;
}

export interface ReferralsModel {
  day: Date;
  accounts: readonly ReferralAccount[];
  /** How many accounts are referral-ready in all. */
  total: number;
}

export interface MoversModel {
  day: Date;
  drops: readonly Mover[];
  gains: readonly Mover[];
}

const EXPLANATION_IN_LIST = 300;

/** A line of a list: the account, what the list says of it, and a button to open its card. */
export function accountRow(a: AccountRef, line: string, explanation?: string): KnownBlock {
  const detail = explanation ? `\n${escapeText(explanation, EXPLANATION_IN_LIST)}` : '';
  return section(`${listName(a)} · ${line}${detail}`, openCardButton(a.accountId));
}

/** "…and N more" with what shows them. */
export const moreLine =
  (what: string) =>
  (hidden: number): KnownBlock =>
    context([`…and ${int(hidden)} more ${what}`]);

const arr = (a: AccountRef) => `${money(a.arr)} ARR`;

export function atRiskMessage(m: AtRiskModel): SlackMessage {
  const day = isoDay(m.day);
  const title = `Accounts at risk: ${int(m.accounts.length)} of ${int(m.total)}`;
  return list({
    title,
    intro: `High or critical risk on ${day}, most valuable first`,
    empty: `No account is at risk on ${day}.`,
    answer: { kind: 'at-risk', day, n: Math.max(1, m.accounts.length) },
    parts: [
      {
        rows: m.accounts.map((a) =>
          accountRow(
            a,
            `${one(a.healthIndex)} ${a.riskTier} · value tier ${a.valueTier} · ${arr(a)}`,
            a.explanation,
          ),
        ),
        more: moreLine(
          `at risk: open any with \`${escapeEntities(`${COMMAND} <account>`)}\`; \`canary report --top ${m.total}\` lists them all`,
        ),
      },
    ],
  });
}

export function referralsMessage(m: ReferralsModel): SlackMessage {
  const day = isoDay(m.day);
  return list({
    title: `Referral-ready accounts: ${int(m.accounts.length)} of ${int(m.total)}`,
    intro: `Most ready first, on ${day}`,
    empty: `No account is referral-ready on ${day}.`,
    answer: { kind: 'referrals', day },
    parts: [
      {
        rows: m.accounts.map((a) =>
          accountRow(a, `readiness ${one(a.referralScore)}, Health Index ${one(a.healthIndex)} · ${arr(a)}`),
        ),
        more: moreLine(`referral-ready: \`canary report --top ${m.total}\` lists them all`),
      },
    ],
  });
}

export function moversMessage(m: MoversModel): SlackMessage {
  const day = isoDay(m.day);
  const row = (x: Mover) =>
    accountRow(
      x,
      `${one(x.from)} → ${one(x.to)} (${x.delta > 0 ? '+' : ''}${x.delta.toFixed(1)}) · ${arr(x)}`,
      x.explanation,
    );
  return list({
    title: 'Movers over 7 days',
    intro: `Biggest changes of the Health Index in the 7 days to ${day}`,
    empty: `No Health Index moved in the 7 days to ${day}.`,
    answer: { kind: 'movers', day },
    parts: [
      { heading: '*Biggest drops in 7 days*', rows: m.drops.map(row), more: moreLine('drops') },
      { heading: '*Biggest gains in 7 days*', rows: m.gains.map(row), more: moreLine('gains') },
    ],
  });
}

interface ListParts {
  title: string;
  intro: string;
  empty: string;
  answer: Answer;
  parts: { heading?: string; rows: KnownBlock[]; more: (hidden: number) => KnownBlock }[];
}

/** A list message: title, intro, each part's rows within what is left of the message, share. */
function list(l: ListParts): SlackMessage {
  const share = shareButton(l.answer);
  const head: KnownBlock[] = [header(l.title), context([l.intro])];
  const tail: KnownBlock[] = share ? [actions([share])] : [];
  const parts = l.parts.filter((p) => p.rows.length);
  const body: KnownBlock[] = [];
  if (!parts.length) body.push(section(l.empty));
  const headings = parts.map((p) => (p.heading ? section(p.heading) : null));
  let room: Room = {
    blocks: LIMITS.messageBlocks - head.length - tail.length - headings.filter(Boolean).length,
    chars: LIMITS.messageChars - textLength([...head, ...tail, ...headings.filter(Boolean)]),
  };
  parts.forEach((p, i) => {
    // Each part gets an even share of what is left, so the drops never crowd out the gains.
    const left = parts.length - i;
    const share: Room = { blocks: Math.floor(room.blocks / left), chars: Math.floor(room.chars / left) };
    const rows = fitList(p.rows, (r) => [r], share, p.more);
    if (headings[i]) body.push(headings[i]!);
    body.push(...rows);
    room = { blocks: room.blocks - rows.length, chars: room.chars - textLength(rows) };
  });
  return { text: escapeText(l.title), blocks: [...head, ...body, ...tail] };
}
