// What the scheduler asks of Slack, over a WebClient: post a digest carrying its slot's
// marker in the message metadata (event canary_digest, payload { slot }), and find
// the digest with a marker in a channel's recent history (conversations.history with
// include_all_metadata, which needs the channels:history scope, and groups:history for
// private channels). And how a failed call reads: the channel is gone or the bot was
// removed; Slack refused the call (nothing was posted); or no answer came back, so the
// message may have been posted and only the history can tell.
import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import type { Logger } from '../lib/log.ts';
import { DIGEST_EVENT } from '../slack/blocks/digest.ts';
import type { SlackMessage } from '../slack/blocks/text.ts';
import { sendWithCharts } from '../slack/deliver.ts';

export interface DigestSlack {
  /** Posts `message` to `channel` marked with `marker`; the message's ts. */
  post(channel: string, message: SlackMessage, marker: string): Promise<string>;
  /**
   * The ts of the digest marked `marker` posted in `channel` at or after `oldest`, or
   * null when there is none; throws when the history cannot be read.
   */
  findPosted(channel: string, marker: string, oldest: Date): Promise<string | null>;
}

/** Slack errors that mean the digest cannot reach the channel until someone fixes it. */
const CHANNEL_GONE = ['channel_not_found', 'not_in_channel', 'is_archived'] as const;

/**
 * A failed Slack call. `channel`: the channel is gone or the bot is not in it. `retry`:
 * rate limited past the client's own retries, nothing posted, worth another try.
 * `refused`: Slack said no (bad blocks, a revoked token): nothing posted. `unknown`:
 * no answer (network, a timeout, a 5xx, Slack's internal_error): it may have been posted.
 */
export type SlackFailure = { kind: 'channel' | 'retry' | 'refused' | 'unknown'; code: string };

const MAYBE_POSTED = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'];
/** History pages read at most when looking for a digest: its post was minutes ago. */
const HISTORY_PAGES = 5;

export function slackFailure(err: unknown): SlackFailure {
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    if ((CHANNEL_GONE as readonly string[]).includes(code)) return { kind: 'channel', code };
    if (code === 'ratelimited') return { kind: 'retry', code };
    return { kind: MAYBE_POSTED.includes(code) ? 'unknown' : 'refused', code };
  }
  const e = err as { code?: string; message?: string } | null;
  // A 429 is answered before Slack does anything: the client waited out its Retry-After
  // and its retry policy allowed no further attempt.
  if (e?.code === 'slack_webapi_rate_limited_error' || /rate limit was exceeded/i.test(e?.message ?? ''))
    return { kind: 'retry', code: 'ratelimited' };
  return { kind: 'unknown', code: e?.code ?? e?.message ?? String(err) };
}

export function digestSlack(client: WebClient, logger: Logger): DigestSlack {
  return {
    async post(channel, message, marker) {
      let ts: string | undefined;
      await sendWithCharts(
        message,
        async (m) => {
          const result = await client.chat.postMessage({
            channel,
            text: m.text,
            blocks: m.blocks,
            unfurl_links: false,
            unfurl_media: false,
            metadata: { event_type: DIGEST_EVENT, event_payload: { slot: marker } },
          });
          ts = result.ts;
        },
        logger,
      );
      if (!ts) throw new Error('chat.postMessage answered without a ts');
      return ts;
    },

    async findPosted(channel, marker, oldest) {
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const result = await client.conversations.history({
          channel,
          oldest: (oldest.getTime() / 1000).toFixed(6),
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        const found = result.messages?.find(
          (m) =>
            m.metadata?.event_type === DIGEST_EVENT &&
            (m.metadata.event_payload as { slot?: unknown } | undefined)?.slot === marker,
        );
        if (found?.ts) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) return null;
      }
      // Not found is a promise never to post twice; past this much history it cannot be kept.
      throw new Error(
        `more than ${HISTORY_PAGES * 200} messages in ${channel} since ${oldest.toISOString()}`,
      );
    },
  };
}
