// The recovery cases' outbox, sent to Slack: each post due is claimed (one sender wins
// it, whatever the number of replicas), rendered as it stands now, posted, and recorded
// with the message's ts; a failure is recorded with Slack's error (channel_not_found,
// not_in_channel, ratelimited once the client's own waits are spent, a 5xx) and tried
// again later, so a post is never lost and, once recorded, never sent again. Then
// every posted alert or summary whose cases changed since it was sent is updated in
// place (chat.update).
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/log.ts';
import { slackFailure } from '../schedule/slack.ts';
import {
  caseWithEvents,
  casesShownBy,
  claimPost,
  duePosts,
  dueUpdates,
  markPosted,
  markPostFailed,
  markShown,
  type DuePost,
  type DueUpdate,
} from '../storage/cases.ts';
import type { Db } from '../storage/db.ts';
import type { SlackMessage } from './blocks/text.ts';
import type { CaseMessages, CaseRecord } from './cases.ts';

export interface CaseSender {
  /** Sends the posts due at `now`, until none is left; what was posted and what failed. */
  sendDue(now: Date): Promise<{ posted: number; failed: number }>;
  /** Updates the posted messages behind their cases; how many were updated. */
  updateDue(): Promise<number>;
}

/** Passes over the due posts in one call: an alert just sent makes its waiting thread lines due. */
const ROUNDS = 5;
/** Updates of one message in a row when its cases keep changing (or another replica raced it). */
const UPDATE_TRIES = 3;

export function caseSender(deps: {
  db: Db;
  client: WebClient;
  messages: CaseMessages;
  logger: Logger;
}): CaseSender {
  const { db, client, messages, logger } = deps;

  async function post(channel: string, message: SlackMessage, threadTs?: string | null) {
    const result = await client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(threadTs && { thread_ts: threadTs }),
    });
    if (!result.ts || !result.channel) throw new Error('chat.postMessage answered without a channel and ts');
    return { channel: result.channel, ts: result.ts };
  }

  /** The case's own message (its alert, or the summary it is in), to link to; null when not posted or Slack will not say. */
  async function permalink(record: CaseRecord): Promise<string | null> {
    const m = record.message;
    if (m?.status !== 'sent' || !m.channel || !m.ts) return null;
    try {
      return (await client.chat.getPermalink({ channel: m.channel, message_ts: m.ts })).permalink ?? null;
    } catch (err) {
      logger.warn({ err, case: record.case.id }, 'chat.getPermalink failed: sending without the link');
      return null;
    }
  }

  async function send(p: DuePost, now: Date): Promise<void> {
    if (p.kind === 'alert' || p.kind === 'summary') {
      const rendered = await messages.shownBy({ id: p.id, kind: p.kind, channel: p.channel });
      if (!rendered) throw new Error(`post ${p.id} shows no case`);
      const sent = await post(p.channel, rendered.message);
      if (!(await markPosted(db, p.id, sent, rendered.shown, now)))
        logger.warn(
          { post: p.id, ...sent },
          'posted after the claim ran out: another sender may post it too',
        );
      return;
    }
    const record = await caseWithEvents(db, p.caseId!);
    const event = record?.events.find((e) => e.id === p.eventId);
    if (!record || !event) throw new Error(`post ${p.id}: its case or event is gone`);
    const message =
      p.kind === 'thread'
        ? messages.threadLine(record, event)
        : p.kind === 'escalation'
          ? messages.escalation(record, event, await permalink(record))
          : await messages.assigned(record, event, await permalink(record));
    const sent = await post(p.channel, message, p.kind === 'thread' ? p.threadTs : null);
    await markPosted(db, p.id, sent, [], now);
  }

  async function update(u: DueUpdate): Promise<boolean> {
    let updated = false;
    for (let attempt = 0; attempt < UPDATE_TRIES; attempt++) {
      const rendered = await messages.shownBy({ id: u.postId, kind: u.kind, channel: u.channel });
      if (!rendered) return updated;
      try {
        await client.chat.update({
          channel: u.channel,
          ts: u.ts,
          text: rendered.message.text,
          blocks: rendered.message.blocks,
        });
      } catch (err) {
        const failure = slackFailure(err);
        logger.warn(
          { post: u.postId, channel: u.channel, ts: u.ts, error: failure.code },
          'could not update a case message in place',
        );
        // A message deleted, a channel gone, blocks refused: no use trying again until its cases change again.
        if (failure.kind === 'channel' || failure.kind === 'refused') await markShown(db, rendered.shown);
        return updated;
      }
      await markShown(db, rendered.shown);
      updated = true;
      // Done, unless a case changed since it was read: another sender (a replica) may
      // have written a newer version first, which this one has just replaced.
      const shown = new Map(rendered.shown.map((s) => [s.caseId, s.revision]));
      const now = await casesShownBy(db, u.postId);
      if (!now.some((i) => i.case.revision > (shown.get(i.case.id) ?? 0))) return updated;
    }
    return updated;
  }

  return {
    async sendDue(now) {
      const done = { posted: 0, failed: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const due = await duePosts(db, now);
        let claimed = 0;
        for (const p of due) {
          if (!(await claimPost(db, p.id, now))) continue;
          claimed++;
          try {
            await send(p, now);
            done.posted++;
          } catch (err) {
            done.failed++;
            const code = slackFailure(err).code;
            const retryAt = await markPostFailed(db, p.id, code, now);
            logger.warn(
              {
                err,
                post: p.id,
                kind: p.kind,
                case: p.caseId,
                channel: p.channel,
                error: code,
                attempts: p.attempts + 1,
                retryAt,
              },
              'could not post a recovery case message; it will be tried again',
            );
          }
        }
        if (!claimed) break;
      }
      return done;
    },

    async updateDue() {
      let updated = 0;
      for (const u of await dueUpdates(db)) if (await update(u)) updated++;
      return updated;
    },
  };
}
