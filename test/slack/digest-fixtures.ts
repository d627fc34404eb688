// What the digest end-to-end tests share: the recovery cases' workspace (its people and
// channels) with channels for digests (public ones and a private one), the demo book
// scored into a fresh database, the real Canary running over it with alert rules, a
// clock the tests move and, when given schedule settings, its scheduler; `/health …`
// sent from a person in a channel and its private answer read back; a second Canary on
// the same database as a replica.
import { expect } from 'vitest';
import { loadRules } from '../../src/cases/rules.ts';
import type { ScheduleConfig } from '../../src/config.ts';
import { connect, type Database } from '../../src/storage/db.ts';
import type { Provider } from '../../src/storage/schema.ts';
import { freshDatabase } from '../support/databases.ts';
import { scratch } from '../support/files.ts';
import { NOW, seedDemoBook, startCanary, type RunningCanary } from '../support/slack/canary.ts';
import { startFakeSlack, type FakeSlack, type RecordedResponse } from '../support/slack/fake-slack.ts';
import { mrkdwnStrings } from './blocks/limits.ts';
import { ALERTS, CASEY, DANA, MARK, MAYA, TOM, type Block } from './cases-fixtures.ts';

/** Channels digests are subscribed in; none is where the rules route alerts. */
export const DIGESTS = 'C0DIGEST01';
export const SALES = 'C0SALES001';
/** A private channel (its id starts with G, as older private channels' ids do). */
export const PRIVATE = 'G0PRIVATE01';
/** A direct message with Canary: no digest there. */
export const DM = 'D0DIRECT001';

const ACK_WITHIN_MS = 3000;

export interface DigestWorld {
  database: Database & { url: string };
  fake: FakeSlack;
  canary: RunningCanary;
  /** Canary's clock, NOW to begin with. */
  clock: { now: Date };
  /** `/health <text>` from `user` in `channel`: acked at once with no body, then its one private answer. */
  ask(text: string, user: string, channel: string, canary?: RunningCanary): Promise<Answer>;
  /** Another Canary (with its scheduler) on its own connection to the same database, Slack and clock. */
  replica(): Promise<RunningCanary>;
  close(): Promise<void>;
}

export interface Answer {
  text: string;
  blocks: Block[];
  /** Every mrkdwn string, joined. */
  shown: string;
}

export async function startDigestWorld(
  provider: Provider,
  options: { rules: string; schedule?: ScheduleConfig },
): Promise<DigestWorld> {
  const files = scratch();
  const rules = loadRules(files.write('rules.yaml', options.rules));
  files.remove();
  const database = await freshDatabase(provider);
  await seedDemoBook(database, { accounts: 30, days: 35 });
  const fake = await startFakeSlack({
    users: [CASEY, DANA, TOM, MAYA, MARK],
    channels: [
      { id: ALERTS, name: 'cs-alerts' },
      { id: DIGESTS, name: 'cs-digest' },
      { id: SALES, name: 'sales' },
      { id: PRIVATE, name: 'cs-leads' },
    ],
  });
  const clock = { now: NOW };
  const start = (db: Database) =>
    startCanary(db, fake, { rules, clock: () => clock.now, schedule: options.schedule });
  const canary = await start(database);
  const replicas: { canary: RunningCanary; database: Database }[] = [];
  return {
    database,
    fake,
    canary,
    clock,
    async ask(text, user, channel, via = canary) {
      const sent = await via.command(text, { userId: user, channelId: channel });
      expect(sent.status).toBe(200);
      expect(sent.body).toBe('');
      expect(sent.ackMs).toBeLessThan(ACK_WITHIN_MS);
      const answer: RecordedResponse = await fake.waitForResponse(sent.responseUrl, 10_000);
      expect(answer.body.response_type).toBe('ephemeral');
      const surface = { text: answer.body.text as string, blocks: answer.body.blocks as Block[] };
      return { ...surface, shown: mrkdwnStrings(surface).join('\n') };
    },
    async replica() {
      const own = await connect(database.target);
      const running = await start(own);
      replicas.push({ canary: running, database: own });
      return running;
    },
    async close() {
      for (const r of replicas) {
        await r.canary.close();
        await r.database.close();
      }
      await canary.close();
      await fake.close();
      await database.close();
    },
  };
}
