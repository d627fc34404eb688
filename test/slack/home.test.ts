// The App Home end to end, on each provider: opening Canary's Home tab publishes the
// portfolio at a glance and the viewer's own accounts, found by their Slack id or by
// the email Slack has for them (looked up once, then remembered), within a view's 100
// blocks; "Open card" there sends the card to the viewer's messages with Canary, and a
// rate-limited post is waited out, not dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoBook } from '../../src/demo/book.ts';
import { ACTION } from '../../src/slack/blocks/actions.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { seedDemoBook, startCanary, type RunningCanary } from '../support/slack/canary.ts';
import { startFakeSlack, type FakeSlack, type FakeUser } from '../support/slack/fake-slack.ts';
import { appHomeOpened, blockAction } from '../support/slack/signed-request.ts';
import { WORKSPACE } from '../support/slack/workspace.ts';
import { expectSafe, mrkdwnStrings } from './blocks/limits.ts';

/** Dana Reyes of the demo book, signed in to Slack under the id the book has for her. */
const DANA_BY_ID: FakeUser = {
  id: 'U04DR7N2K1Q',
  name: 'dana',
  email: 'dana@another-domain.example',
  realName: 'Dana Reyes',
};
/** Dana again, under another Slack id, with the book's email in another case. */
const DANA_BY_EMAIL: FakeUser = {
  id: 'U0DANAMAIL1',
  name: 'dana.r',
  email: 'Dana.Reyes@canary-demo.example',
  realName: 'Dana Reyes',
};

// Views are read loosely; each assertion says what it must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Block = any;

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let database: Database & { url: string };
  let fake: FakeSlack;
  let canary: RunningCanary;
  let book: DemoBook;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    book = await seedDemoBook(database, { days: 35 });
    fake = await startFakeSlack({ users: [WORKSPACE.user, DANA_BY_ID, DANA_BY_EMAIL] });
    canary = await startCanary(database, fake);
  });
  afterAll(async () => {
    await canary?.close();
    await fake?.close();
    await database?.close();
  });

  const danasAccounts = () =>
    book.accounts.filter((a) => a.ownerEmail === 'dana.reyes@canary-demo.example').map((a) => a.name);

  /** Opens the Home tab as `user` and returns the view Canary published for them. */
  async function openHome(user: string) {
    const published = fake.calls('views.publish').length;
    const sent = await canary.send(appHomeOpened({ userId: user }));
    expect(sent.status).toBe(200);
    await fake.waitFor('views.publish', (c) => fake.calls('views.publish').indexOf(c) >= published, 10_000);
    const view = fake.homeView(user)!;
    expectSafe(view as unknown as { type: 'home'; blocks: unknown[] }, mentions(view.blocks as Block[]));
    return view.blocks as Block[];
  }
  const mentions = (blocks: Block[]) =>
    [
      ...mrkdwnStrings({ type: 'home', blocks })
        .join(' ')
        .matchAll(/<@U[A-Z0-9]+>/g),
    ].map((m) => m[0]);
  const text = (blocks: Block[]) => mrkdwnStrings({ type: 'home', blocks }).join('\n');

  it('shows the portfolio at a glance with its charts, and the accounts the viewer owns by Slack id', async () => {
    const blocks = await openHome(DANA_BY_ID.id);
    expect(blocks[0].text.text).toBe('Portfolio at a glance');
    expect(text(blocks)).toContain('*Referral-Ready Account Rate*');
    const images = blocks.filter((b) => b.type === 'image');
    expect(images.map((i) => i.title.text)).toEqual(['Risk distribution', 'Health by industry']);
    for (const i of images) expect(fake.files().find((f) => f.id === i.slack_file.id)?.completed).toBe(true);
    expect(blocks.some((b) => b.type === 'header' && b.text.text === 'Your accounts')).toBe(true);
    const rows = blocks.filter((b) => b.accessory?.action_id === ACTION.openCard);
    expect(rows.map((b) => b.text.text.match(/^\*(.+?)\*/)[1]).sort()).toEqual(danasAccounts().sort());
    expect(blocks.length).toBeLessThanOrEqual(100);
  });

  it('finds the accounts by the email Slack has for the viewer, and asks Slack for it once', async () => {
    const asked = fake.calls('users.info').length;
    const first = await openHome(DANA_BY_EMAIL.id);
    const rows = first.filter((b) => b.accessory?.action_id === ACTION.openCard);
    expect(rows.map((b) => b.text.text.match(/^\*(.+?)\*/)[1]).sort()).toEqual(danasAccounts().sort());
    await openHome(DANA_BY_EMAIL.id);
    expect(
      fake
        .calls('users.info')
        .slice(asked)
        .map((c) => c.args.user),
    ).toEqual([DANA_BY_EMAIL.id]);
  });

  it('says so when the viewer owns no account', async () => {
    const blocks = await openHome(WORKSPACE.user.id);
    expect(text(blocks)).toContain('You own no accounts in Canary');
  });

  it("Open card in the Home tab: the card arrives in the viewer's messages with Canary, a rate limit waited out", async () => {
    const blocks = await openHome(DANA_BY_ID.id);
    const row = blocks.find(
      (b) => b.accessory?.action_id === ACTION.openCard && b.text.text.includes('Clearland'),
    );
    fake.fail('chat.postMessage', { error: 'ratelimited', retryAfter: 1 });
    const started = Date.now();
    const click = await canary.send(
      blockAction({
        actionId: ACTION.openCard,
        value: row.accessory.value,
        container: 'view',
        view: fake.homeView(DANA_BY_ID.id),
        userId: DANA_BY_ID.id,
      }),
    );
    expect(click.status).toBe(200);
    const posted = await fake.waitFor('chat.postMessage', (c) => c.status === 200, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(posted.args.channel).toBe(DANA_BY_ID.id);
    const message = (posted.answer as { message: { blocks: Block[] } }).message;
    expect(message.blocks[0].text.text).toBe('Clearland Machine Works');
  });
});
