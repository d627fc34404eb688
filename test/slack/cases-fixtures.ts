// What the recovery case end-to-end tests share: the workspace (the demo book's owners
// Dana and Tom, managers Maya by Slack id and Mark by email, Casey a CSM who owns none
// of the accounts, and a user Slack knows nothing of), the alert rules file routing
// drops by owner to three channels (one missing at first) with a budget of one alert a
// day on the third, a clock the tests move, the demo book scored into a fresh
// database with Canary running over it, and ways to read what arrived in Slack.
import { createToken } from '../../src/storage/tokens.ts';
import { loadRules, type AlertRules } from '../../src/cases/rules.ts';
import { connect, type Database } from '../../src/storage/db.ts';
import { freshDatabase } from '../support/databases.ts';
import { scratch } from '../support/files.ts';
import { NOW, seedDemoBook, startCanary, type RunningCanary } from '../support/slack/canary.ts';
import {
  startFakeSlack,
  type FakeSlack,
  type FakeUser,
  type RecordedCall,
  type StoredMessage,
} from '../support/slack/fake-slack.ts';
import type { SlackRequest } from '../support/slack/signed-request.ts';
import { WORKSPACE } from '../support/slack/workspace.ts';
import { mrkdwnStrings } from './blocks/limits.ts';
import type { Provider } from '../../src/storage/schema.ts';

export const HOUR = 3_600_000;

/** Dana Reyes owns Copperwood Technologies, declining: its drop alert goes to ALERTS. */
export const DANA: FakeUser = {
  id: 'U04DR7N2K1Q',
  name: 'dana',
  email: 'dana.reyes@canary-demo.example',
  realName: 'Dana Reyes',
};
/** Tom Okafor owns two accounts with drops; their alerts go to BROKEN. */
export const TOM: FakeUser = {
  id: 'U05TO6K2F4R',
  name: 'tom',
  email: 'tom.okafor@canary-demo.example',
  realName: 'Tom Okafor',
};
/** A manager by Slack id. */
export const MAYA: FakeUser = { id: 'U0MAYA0001', name: 'maya', email: 'maya@example.com', realName: 'Maya' };
/** A manager by the email of her Slack profile only. */
export const MARK: FakeUser = { id: 'U0MARK0001', name: 'mark', email: 'Mark@Example.com', realName: 'Mark' };
/** A CSM who owns none of the accounts with a case. */
export const CASEY: FakeUser = WORKSPACE.user;
/** Someone Slack's users.info knows nothing of. */
export const STRANGER = 'U0STRANGE1';

export const ALERTS = 'C0ALERTS01';
/** Not in the workspace at first: channel_not_found, then the bot is not in it, then it is. */
export const BROKEN = 'C0BROKEN01';
/** Takes one alert a day; the rest join its summary. */
export const BUDGET = 'C0BUDGET01';
export const MANAGERS = 'C0MANAGE01';

export const RULES = `
rules:
  drop:
    routing:
      routes:
        - when: { owner: ${DANA.id} }
          channel: ${ALERTS}
        - when: { owner: ${TOM.email} }
          channel: ${BROKEN}
      default: ${BUDGET}
  detractor: { nps_at_most: 6 }
routing: { routes: [], default: ${BUDGET} }
budget: { daily: 20, channels: { ${BUDGET}: 1 } }
reminders: { remind_after_hours: 4, escalate_after_hours: 24, manager_channel: ${MANAGERS} }
people: { managers: [${MAYA.id}, mark@example.com] }
`;

export interface CasesWorld {
  database: Database & { url: string };
  fake: FakeSlack;
  canary: RunningCanary;
  /** Canary's clock. */
  clock: { now: Date };
  /** An API token for /api/v1/*. */
  token: string;
  rules: AlertRules;
  /** Another Canary on its own connection to the same database, the same Slack and clock: a second replica. */
  replica(): Promise<RunningCanary>;
  close(): Promise<void>;
}

export async function startWorld(provider: Provider): Promise<CasesWorld> {
  const files = scratch();
  const rules = loadRules(files.write('rules.yaml', RULES));
  files.remove();
  const database = await freshDatabase(provider);
  await seedDemoBook(database, { accounts: 30, days: 35 });
  const fake = await startFakeSlack({
    users: [CASEY, DANA, TOM, MAYA, MARK],
    channels: [
      { id: ALERTS, name: 'cs-alerts' },
      { id: BUDGET, name: 'cs-everything' },
      { id: MANAGERS, name: 'cs-managers' },
    ],
  });
  const clock = { now: NOW };
  const canary = await startCanary(database, fake, { rules, clock: () => clock.now });
  const { token } = await createToken(database.db, 'test');
  const replicas: { canary: RunningCanary; database: Database }[] = [];
  return {
    database,
    fake,
    canary,
    clock,
    token,
    rules,
    async replica() {
      const own = await connect(database.target);
      const running = await startCanary(own, fake, { rules, clock: () => clock.now });
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

// Messages and views are read loosely; each assertion says what it must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Block = any;

/** The mrkdwn a message shows (its notification text first), joined. */
export const textOf = (m: { text?: string; blocks?: unknown[] }): string =>
  mrkdwnStrings({ text: m.text ?? '', blocks: m.blocks ?? [] }).join('\n');

/** The interactive elements of blocks with `actionId`. */
export const elements = (blocks: unknown[] | undefined, actionId?: string): Block[] =>
  ((blocks ?? []) as Block[])
    .flatMap((b) => [b.accessory, ...(b.elements ?? [])])
    .filter((e) => e?.action_id && (actionId === undefined || e.action_id === actionId));

/** The top-level messages of a channel (not thread replies). */
export const topLevel = (fake: FakeSlack, channel: string): StoredMessage[] =>
  fake.messages(channel).filter((m) => !m.thread_ts);

/** The replies in a message's thread, oldest first. */
export const replies = (fake: FakeSlack, channel: string, ts: string): StoredMessage[] =>
  fake.messages(channel).filter((m) => m.thread_ts === ts);

/** The calls of a method since a point (`fake.calls().length` taken before). */
export const callsSince = (fake: FakeSlack, since: number, method: string): RecordedCall[] =>
  fake
    .calls()
    .slice(since)
    .filter((c) => c.method === method);

/** The same request with its action made an overflow menu's choice (the harness builds select choices). */
export function asOverflow(request: SlackRequest): SlackRequest {
  const payload = structuredClone(request.payload) as Block;
  payload.actions[0].type = 'overflow';
  delete payload.actions[0].placeholder;
  return { ...request, payload, body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() };
}

/** Waits until `check` holds (a log line written, a message changed), or fails saying what it waited for. */
export async function until<T>(
  what: string,
  check: () => T | undefined | null | false,
  ms = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() - started > ms) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
