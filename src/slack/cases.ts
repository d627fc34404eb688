// Recovery case messages from the database: what the alert of a case shows now (its
// account's latest snapshot and trend, who changed it last), a channel's budget
// summary, and the lines, escalations and DMs the outbox holds, each read from storage
// and handed to the pure builders in blocks/. The sender, the listeners and
// `canary demo --slack-preview` all render through here, so they show the same thing.
import { budgetOf } from '../cases/delivery.ts';
import type { AlertRules } from '../cases/rules.ts';
import { DAY_MS, utcDay } from '../health/signals.ts';
import {
  caseWithEvents,
  casesShownBy,
  latestChange,
  type CaseListItem,
  type StoredEvent,
} from '../storage/cases.ts';
import type { Db } from '../storage/db.ts';
import { indexSeries, snapshotFor } from '../storage/snapshots.ts';
import { alertMessage, type AlertModel } from './blocks/alert.ts';
import { assignedMessage, escalationMessage, summaryMessage, threadLine } from './blocks/case-messages.ts';
import type { SlackMessage } from './blocks/text.ts';
import { changeOver } from './answers.ts';

/** A case as one of its messages shows it: what to send, and the revision it shows. */
export interface Rendered {
  message: SlackMessage;
  shown: { caseId: number; revision: number }[];
}

/** A case with its whole audit trail and where its message stands (storage's caseWithEvents). */
export type CaseRecord = NonNullable<Awaited<ReturnType<typeof caseWithEvents>>>;

export interface CaseMessages {
  /** The alert of a case as it stands. */
  alert(item: CaseListItem): Promise<SlackMessage>;
  /** The message of an outbox post that shows cases (an alert or a summary); null when it shows none. */
  shownBy(post: { id: number; kind: 'alert' | 'summary'; channel: string }): Promise<Rendered | null>;
  /** The line an event logs in its case's thread. */
  threadLine(record: CaseRecord, event: StoredEvent): SlackMessage;
  escalation(record: CaseRecord, event: StoredEvent, link: string | null): SlackMessage;
  /** The DM to a case's new assignee. */
  assigned(record: CaseRecord, event: StoredEvent, link: string | null): Promise<SlackMessage>;
}

/** How far back the Health Index is read for the alert's 7- and 30-day changes. */
const TREND_BACK_DAYS = 30;

export function caseMessages(deps: { db: Db; rules: AlertRules; now: () => Date }): CaseMessages {
  const { db } = deps;

  async function model(item: CaseListItem): Promise<AlertModel> {
    const [snapshot, latest] = await Promise.all([
      snapshotFor(db, item.account.id),
      latestChange(db, item.case.id),
    ]);
    let change: AlertModel['change'] = { days7: null, days30: null };
    if (snapshot) {
      const to = new Date(snapshot.day);
      const series = await indexSeries(
        db,
        item.account.id,
        new Date(to.getTime() - TREND_BACK_DAYS * DAY_MS),
        to,
      );
      change = { days7: changeOver(series, to, 7), days30: changeOver(series, to, 30) };
    }
    return { case: item.case, account: item.account, snapshot, change, latest, now: deps.now() };
  }

  const alert = async (item: CaseListItem) => alertMessage(await model(item));

  return {
    alert,
    async shownBy(post) {
      const items = await casesShownBy(db, post.id);
      if (!items.length) return null;
      const shown = items.map((i) => ({ caseId: i.case.id, revision: i.case.revision }));
      if (post.kind === 'alert') return { message: await alert(items[0]!), shown };
      const day = new Date(utcDay(items[0]!.case.openedAt));
      return {
        message: summaryMessage({ day, budget: budgetOf(deps.rules, post.channel), cases: items }),
        shown,
      };
    },
    threadLine: (record, event) => threadLine(event, record.case, record.account),
    escalation: (record, event, link) =>
      escalationMessage({ case: record.case, account: record.account, event, link }),
    async assigned(record, event, link) {
      return assignedMessage({ ...(await model(record)), event, link });
    },
  };
}
