// `/health digest subscribe|unsubscribe|list|preview|help`, run in the channel the
// digest is for (the command's channel id): what it does and the private answer, which
// `/health`'s listener sends on the response_url like any other. A subscription from
// someone the rules do not let change digests is refused before anything is read
// (slack/digests.ts says who may); one typed wrong is answered with every problem and
// stores nothing. A preview is the channel's digest as it would be posted now, charts
// included, shown only to the person who asked.
import {
  channelDigest,
  listDigests,
  previewChannel,
  subscribeChannel,
  unsubscribeChannel,
  type Caller,
} from '../../../digest/manage.ts';
import { DigestInputError, parseChannelId, readSubscription } from '../../../digest/subscription.ts';
import {
  allDigestsMessage,
  channelDigestMessage,
  digestHelp,
  digestPreview,
  digestProblems,
  digestRefused,
  digestSubscribed,
  digestUnsubscribed,
  notInChannel,
} from '../../blocks/digest-manage.ts';
import type { SlackMessage } from '../../blocks/text.ts';
import type { DigestQuestion } from '../../command.ts';
import type { ListenerDeps } from '../deps.ts';

/** Every problem with a subscription as typed: how it was put together, then what it says. */
function problemsOf(q: Extract<DigestQuestion, { action: 'subscribe' }>): string[] {
  try {
    readSubscription(q.request);
    return q.problems;
  } catch (err) {
    if (!(err instanceof DigestInputError)) throw err;
    return [...q.problems, ...err.problems];
  }
}

/** A channel a digest can be posted in (not a direct message). */
function inChannel(channelId: string): boolean {
  try {
    parseChannelId(channelId);
    return true;
  } catch (err) {
    if (err instanceof DigestInputError) return false;
    throw err;
  }
}

export async function digestAnswer(
  deps: ListenerDeps,
  q: DigestQuestion,
  caller: Caller,
): Promise<SlackMessage> {
  const { db, allowed, now } = deps.digests;
  const log = (what: string) => deps.logger.info({ user: caller.userId, channel: caller.channelId }, what);
  const refused = () => {
    log(`digest ${q.action} refused: not one of the alert rules' managers`);
    return digestRefused('change');
  };
  if (q.action === 'help') return digestHelp(deps.digests.managersOnly);
  if (q.action === 'list' && q.all) {
    if (!(await allowed(caller.userId))) return digestRefused('list');
    return allDigestsMessage(await listDigests(db, now()));
  }
  if (!inChannel(caller.channelId)) return notInChannel();
  switch (q.action) {
    case 'list':
      return channelDigestMessage(await channelDigest(db, caller.channelId, now()));
    case 'preview': {
      const preview = await previewChannel(deps.digests.sources(), caller.channelId, now());
      return digestPreview(preview.message, preview.subscribed);
    }
    case 'unsubscribe': {
      if (!(await allowed(caller.userId))) return refused();
      const removed = await unsubscribeChannel(db, caller, { allowed });
      if (removed) log('digest unsubscribed from Slack');
      return digestUnsubscribed(removed);
    }
    case 'subscribe': {
      if (!(await allowed(caller.userId))) return refused();
      const problems = problemsOf(q);
      if (problems.length) return digestProblems(problems);
      const { digest, created } = await subscribeChannel(db, caller, q.request, { allowed, now: now() });
      log(created ? 'digest subscribed from Slack' : 'digest changed from Slack');
      return digestSubscribed(digest, created);
    }
  }
}
