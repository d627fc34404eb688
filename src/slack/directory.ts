// Who a Slack user is, as far as Canary needs to know: their email (users.info with the
// users:read.email scope), which finds the accounts they own by owner email. Answers
// are kept for an hour per process: emails rarely change, and the App Home opens often.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/log.ts';

export interface Directory {
  /** The user's email; null when Slack has none for them or cannot say (logged). */
  emailOf(userId: string): Promise<string | null>;
}

const TTL_MS = 60 * 60 * 1000;
const REMEMBERED = 10_000;

export function directory(client: WebClient, logger: Logger, now: () => number = Date.now): Directory {
  const known = new Map<string, { email: string | null; until: number }>();
  return {
    async emailOf(userId) {
      const hit = known.get(userId);
      if (hit && hit.until > now()) return hit.email;
      let email: string | null;
      try {
        const { user } = await client.users.info({ user: userId });
        email = user?.profile?.email ?? null;
      } catch (err) {
        // Not remembered: the next look may work. The accounts owned by Slack id still show.
        logger.warn({ err, user: userId }, 'users.info failed: matching owned accounts by Slack id only');
        return null;
      }
      known.delete(userId);
      known.set(userId, { email, until: now() + TTL_MS });
      if (known.size > REMEMBERED) known.delete(known.keys().next().value!);
      return email;
    },
  };
}
