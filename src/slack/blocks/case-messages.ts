// The other messages a recovery case sends: the line each change logs in the alert's
// thread (a reminder is such a line, mentioning the owner), the escalation in the
// manager channel, the DM to an assignee (the alert itself, with a line on top), the
// summary of cases past a channel's daily budget, and the private answer to an action
// that changed nothing.
import type { types } from '@slack/bolt';
import { int, day as isoDay } from '../../cli/format.ts';
import {
  OUTCOME_WORDS,
  VERB,
  type CaseEventRecord,
  type Outcome,
  type RecoveryCase,
  type Refusal,
} from '../../cases/case.ts';
import type { CaseAccount, CaseListItem } from '../../storage/cases.ts';
import { alertMessage, caseName, REASON_TITLE, STATE_BADGE, when, who, type AlertModel } from './alert.ts';
import { CASE_ACTION, caseRef } from './case-actions.ts';
import { listName } from './format.ts';
import { button, context, header, section } from './kit.ts';
import { moreLine } from './lists.ts';
import {
  escapeText,
  fitList,
  LIMITS,
  mention,
  textLength,
  type KnownBlock,
  type SlackMessage,
} from './text.ts';

const NOTE = 1000;

const EMOJI: Record<CaseEventRecord['action'], string> = {
  open: '🔔',
  fire: '🔁',
  acknowledge: '👀',
  assign: '👤',
  snooze: '😴',
  wake: '⏰',
  remind: '⏰',
  escalate: '🚨',
  resolve: '✅',
};

/** A person's note under a line: never quoted with `>`, which would be theirs to break out of. */
const noteLine = (note: string | null) => (note ? `\nNote: ${escapeText(note, NOTE)}` : '');

/** One message of text: a section and the same words as the notification text. */
const line = (text: string): SlackMessage => ({ text, blocks: [section(text)] });

/**
 * The line an event logs in the thread of the case's message. A reminder mentions the
 * account's owner (or the assignee) so that it reaches someone.
 */
export function threadLine(
  event: Pick<CaseEventRecord, 'actor' | 'action' | 'at' | 'note' | 'details'>,
  c: Pick<RecoveryCase, 'openSince' | 'assigneeSlackId'>,
  account: Pick<CaseAccount, 'ownerSlackId' | 'ownerEmail'>,
): SlackMessage {
  const note = noteLine(event.note);
  const by = who(event.actor);
  const at = when(event.at);
  const detail = (key: string) => {
    const v = event.details?.[key];
    return typeof v === 'string' ? v : null;
  };
  switch (event.action) {
    case 'remind': {
      const hours = Math.round((event.at.getTime() - c.openSince.getTime()) / 3_600_000);
      const to =
        mention(c.assigneeSlackId) ??
        mention(account.ownerSlackId) ??
        (account.ownerEmail ? escapeText(account.ownerEmail, 100) : 'Owner');
      return line(
        `${EMOJI.remind} ${to}: this case has been open for ${hours} h without anyone acknowledging it. Acknowledge, assign or snooze it above.`,
      );
    }
    case 'assign': {
      const assignee = detail('assignee');
      const due = detail('due');
      return line(
        `${EMOJI.assign} ${by} assigned the case to ${assignee ? who(assignee) : 'someone'}${due ? `, due ${escapeText(due, 20)}` : ''} · ${at}${note}`,
      );
    }
    case 'snooze': {
      const until = new Date(detail('until') ?? NaN);
      return line(
        `${EMOJI.snooze} ${by} snoozed the case until ${Number.isNaN(until.getTime()) ? 'later' : when(until)} · ${at}`,
      );
    }
    case 'wake':
      return line(`${EMOJI.wake} The snooze ended: the case is open again · ${at}`);
    case 'resolve': {
      const outcome = detail('outcome') as Outcome | null;
      return line(
        `${EMOJI.resolve} ${by} resolved the case${outcome ? `: ${OUTCOME_WORDS[outcome]}` : ''} · ${at}${note}`,
      );
    }
    case 'escalate':
      return line(
        event.actor === 'canary'
          ? `${EMOJI.escalate} Escalated by Canary: nobody acknowledged the case · ${at}`
          : `${EMOJI.escalate} ${by} escalated the case · ${at}${note}`,
      );
    default:
      return line(`${EMOJI[event.action]} ${by} ${VERB[event.action]} the case · ${at}${note}`);
  }
}

/** A link button to the alert's message (chat.getPermalink), when there is one. */
function linkButton(c: RecoveryCase, link: string | null): types.Button[] {
  return link ? [{ ...button('View the alert', CASE_ACTION.link, caseRef(c)), url: link }] : [];
}

/** The escalation in the manager channel: which case, why, who escalated it, and a link to the alert. */
export function escalationMessage(m: {
  case: RecoveryCase;
  account: CaseAccount;
  event: Pick<CaseEventRecord, 'actor' | 'at' | 'note'>;
  link: string | null;
}): SlackMessage {
  const { case: c, account: a } = m;
  const why =
    m.event.actor === 'canary' ? 'nobody acknowledged it in time' : `escalated by ${who(m.event.actor)}`;
  const text = `${EMOJI.escalate} Escalated: ${caseName(c, a)} (${REASON_TITLE[c.reason]}), ${why}`;
  const blocks: KnownBlock[] = [
    section(`${text}\n*What happened:* ${escapeText(c.summary, 1500)}${noteLine(m.event.note)}`),
    context([`${STATE_BADGE[c.state]} · ${when(m.event.at)}`]),
  ];
  const links = linkButton(c, m.link);
  if (links.length) blocks.push({ type: 'actions', elements: links });
  return { text, blocks };
}

/** The DM to a case's new assignee: who assigned it, due when, the note, then the alert with its buttons. */
export function assignedMessage(
  m: AlertModel & { event: Pick<CaseEventRecord, 'actor' | 'note'>; link: string | null },
): SlackMessage {
  const alert = alertMessage(m);
  const c = m.case;
  const due = c.dueOn ? `, due ${isoDay(c.dueOn)}` : '';
  const intro = `${EMOJI.assign} ${who(m.event.actor)} assigned you ${caseName(c, m.account)}${due}.${noteLine(m.event.note)}`;
  const links = linkButton(c, m.link);
  const top: KnownBlock[] = [section(intro)];
  if (links.length) top.push({ type: 'actions', elements: links });
  return {
    text: `${who(m.event.actor)} assigned you ${caseName(c, m.account)}`,
    blocks: [...top, ...alert.blocks].slice(0, LIMITS.messageBlocks),
  };
}

/** A case as a line of a list: the account, the reason and summary, the state, and a button to open it. */
export function caseRow(item: CaseListItem): KnownBlock {
  const { case: c, account: a } = item;
  const assignee = c.assigneeSlackId ? ` · ${who(c.assigneeSlackId)}` : '';
  return section(
    `${listName(a)} · case #${c.id} · ${STATE_BADGE[c.state]}${assignee}\n*${REASON_TITLE[c.reason]}:* ${escapeText(c.summary, 300)}`,
    button('Open', CASE_ACTION.open, caseRef(c)),
  );
}

/** The cases a channel's alert budget held back today, one line each, as many as fit. */
export function summaryMessage(m: {
  day: Date;
  budget: number;
  cases: readonly CaseListItem[];
}): SlackMessage {
  const title = `More recovery cases today: ${int(m.cases.length)}`;
  const head: KnownBlock[] = [
    header(title),
    context([
      `This channel takes ${int(m.budget)} alert${m.budget === 1 ? '' : 's'} a day (${isoDay(m.day)}); these cases opened after that. Open one to act on it.`,
    ]),
  ];
  const rows = fitList(
    m.cases,
    (item) => [caseRow(item)],
    { blocks: LIMITS.messageBlocks - head.length, chars: LIMITS.messageChars - textLength(head) },
    moreLine('cases: `/health cases all` lists them'),
  );
  return { text: escapeText(title), blocks: [...head, ...rows] };
}

/** The private answer to an action that changed nothing: why, and who got there first. */
export function refusalMessage(
  refusal: Refusal,
  winner: Pick<CaseEventRecord, 'actor' | 'action' | 'at'> | null,
): SlackMessage {
  const first = winner ? ` ${who(winner.actor)} ${VERB[winner.action]} it at ${when(winner.at)}.` : '';
  return line(`:no_entry: ${escapeText(refusal.message, 500)}${first}`);
}
