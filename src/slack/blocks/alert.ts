// The alert a recovery case posts, and the same message updated in place as the case
// moves: the account and what happened (the rule's words), the Health Index with its
// trend and the engine's explanation, ARR, renewal and owner, the case's state with who
// changed it last and when, and the buttons that state allows. Also the words every
// case message shares: reason titles, state badges, people and times.
import type { types } from '@slack/bolt';
import { day as isoDay, money } from '../../cli/format.ts';
import {
  canStart,
  OUTCOME_WORDS,
  CANARY,
  type CaseEventRecord,
  type RecoveryCase,
} from '../../cases/case.ts';
import type { Reason } from '../../cases/rules.ts';
import { DAY_MS } from '../../health/signals.ts';
import type { CaseAccount } from '../../storage/cases.ts';
import type { StoredSnapshot } from '../../storage/snapshots.ts';
import { openCardButton } from './actions.ts';
import { CASE_ACTION, caseRef, snoozeValue } from './case-actions.ts';
import { COLOUR_EMOJI, nameOf, one, trend } from './format.ts';
import { actions, button, context, fields, header, section } from './kit.ts';
import { escapeText, LIMITS, mention, plain, type KnownBlock, type SlackMessage } from './text.ts';

export const REASON_TITLE: Record<Reason, string> = {
  drop: 'Sharp drop',
  risk_tier: 'Risk tier up',
  renewal: 'Renewal at risk',
  detractor: 'NPS detractor',
  ticket: 'Urgent ticket waiting',
};

export const STATE_BADGE: Record<RecoveryCase['state'], string> = {
  open: '🔔 Open',
  acknowledged: '👀 Acknowledged',
  assigned: '👤 Assigned',
  snoozed: '😴 Snoozed',
  escalated: '🚨 Escalated',
  resolved: '✅ Resolved',
};

/** A person as a mention, Canary by name, anything else as inert text. */
export const who = (actor: string): string =>
  actor === CANARY ? 'Canary' : (mention(actor) ?? escapeText(actor, 40));

/** `2026-11-20 10:02 UTC`. */
export const when = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const SUMMARY = 1500;
const NAME = 150;

/** What the alert shows of the account's latest snapshot. */
export type AlertSnapshot = Pick<
  StoredSnapshot,
  'day' | 'healthIndex' | 'grade' | 'colour' | 'riskTier' | 'valueTier' | 'explanation'
>;

export interface AlertModel {
  case: RecoveryCase;
  account: CaseAccount;
  /** The account's latest snapshot; null: never scored. */
  snapshot: AlertSnapshot | null;
  /** Change of the Health Index over 7 and 30 days; null without a score that long before. */
  change: { days7: number | null; days30: number | null };
  /** The latest change of state (storage/cases.ts latestChange): who did it and when. */
  latest: Pick<CaseEventRecord, 'actor' | 'action' | 'at' | 'note'> | null;
  now: Date;
}

/** `#42 Acme Corp`, escaped: how a case is named in a line. */
export const caseName = (c: { id: number }, a: { name: string; externalId: string }) =>
  `case #${c.id}, *${escapeText(nameOf(a), NAME)}*`;

export function alertMessage(m: AlertModel): SlackMessage {
  const { case: c, account: a } = m;
  const title = REASON_TITLE[c.reason];
  const fired = c.timesFired > 1 ? ` _(fired ${c.timesFired} times, latest ${when(c.lastFiredAt)})_` : '';
  const blocks: KnownBlock[] = [
    header(`${title}: ${nameOf(a)}`),
    section(`*What happened:* ${escapeText(c.summary, SUMMARY)}${fired}`),
    section(healthLines(m).join('\n')),
    fields(facts(m)),
    context([stateLine(c, m.latest)]),
  ];
  const buttons = caseButtons(c);
  blocks.push(actions([...buttons, openCardButton(a.id)]));
  return {
    text: `${title}: ${escapeText(nameOf(a), NAME)}: ${escapeText(c.summary, 300)} (${STATE_BADGE[c.state]})`,
    blocks,
  };
}

function healthLines(m: AlertModel): string[] {
  const s = m.snapshot;
  if (!s) return ['No Health Index yet: the account has not been scored.'];
  if (s.healthIndex === null) return ["No Health Index: none of the model's measures has data."];
  return [
    `*Health Index ${one(s.healthIndex)}* ${COLOUR_EMOJI[s.colour!]}  grade *${s.grade}* · risk *${s.riskTier}* · value tier *${s.valueTier}* (${isoDay(new Date(s.day))})`,
    trend(m.change.days7, m.change.days30),
    `*Why:* ${escapeText(s.explanation, 1000)}`,
  ];
}

function facts(m: AlertModel): string[] {
  const { case: c, account: a } = m;
  const owner =
    mention(a.ownerSlackId) ?? (a.ownerEmail ? escapeText(a.ownerEmail, 100) : 'no owner on file');
  const assignee = c.assigneeSlackId
    ? `\nAssigned to ${who(c.assigneeSlackId)}${c.dueOn ? `, due ${isoDay(c.dueOn)}` : ''}`
    : '';
  return [
    `*ARR*\n${money(a.arr)}`,
    `*Renewal*\n${renewal(a.renewalDate, m.now)}`,
    `*Owner*\n${owner}`,
    `*Case #${c.id}*\n${STATE_BADGE[c.state]}${assignee}`,
  ];
}

function renewal(date: Date | null, now: Date): string {
  if (!date) return 'not on file';
  const days = Math.round((date.getTime() - now.getTime()) / DAY_MS);
  return `${isoDay(date)} (${days > 0 ? `in ${days} days` : days < 0 ? `${-days} days ago` : 'today'})`;
}

/** Who changed the case last and when; for a resolved case, how it ended. */
export function stateLine(c: RecoveryCase, latest: AlertModel['latest']): string {
  const by = latest && latest.action !== 'open' ? ` by ${who(latest.actor)} at ${when(latest.at)}` : '';
  switch (c.state) {
    case 'open':
      return `${STATE_BADGE.open} since ${when(c.openSince)}${latest?.action === 'wake' ? ' (snooze ended)' : ''}`;
    case 'snoozed':
      return `${STATE_BADGE.snoozed}${by} until ${when(c.snoozedUntil!)}`;
    case 'resolved': {
      const outcome = c.outcome ? `: ${OUTCOME_WORDS[c.outcome]}` : '';
      const note = c.note ? ` · ${escapeText(c.note, 500)}` : '';
      return `${STATE_BADGE.resolved}${by}${outcome}${note}`;
    }
    default:
      return `${STATE_BADGE[c.state]}${by}`;
  }
}

const SNOOZE_OPTIONS = [
  ['1d', 'Snooze 1 day'],
  ['7d', 'Snooze 7 days'],
  ['date', 'Snooze until a date…'],
] as const;

/** The buttons of the actions a case's state allows (who may press them is checked on the press). */
export function caseButtons(c: RecoveryCase): types.ActionsBlockElement[] {
  const ref = caseRef(c);
  const out: types.ActionsBlockElement[] = [];
  if (canStart('acknowledge', c.state))
    out.push({ ...button('Acknowledge', CASE_ACTION.acknowledge, ref), style: 'primary' });
  if (canStart('assign', c.state)) out.push(button('Assign…', CASE_ACTION.assign, ref));
  if (canStart('escalate', c.state)) out.push(button('Escalate', CASE_ACTION.escalate, ref));
  if (canStart('resolve', c.state)) out.push(button('Resolve…', CASE_ACTION.resolve, ref));
  if (canStart('snooze', c.state))
    out.push({
      type: 'overflow',
      action_id: CASE_ACTION.snooze,
      options: SNOOZE_OPTIONS.map(([choice, label]) => ({
        text: plain(label, LIMITS.optionText),
        value: snoozeValue(c, choice),
      })),
    });
  return out;
}
