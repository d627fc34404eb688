// `/health` end to end, on each provider: signed slash commands and clicks from the
// offline Slack into the real Canary (HTTP server, Bolt app, storage, charts) over the
// scored demo book. Every command path acks at once with no body and answers privately
// on its response_url; the card's trend chart is uploaded as a private file and the
// card refers to it; picking from a list opens the card in its place; Share in channel
// posts once, in the channel, and removes the private copy; a Slack retry is not
// answered twice; a hostile account name shows inert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoBook } from '../../src/demo/book.ts';
import { ACTION } from '../../src/slack/blocks/actions.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { seedDemoBook, startCanary, type RunningCanary } from '../support/slack/canary.ts';
import { startFakeSlack, type FakeSlack, type RecordedResponse } from '../support/slack/fake-slack.ts';
import { blockAction, slashCommand } from '../support/slack/signed-request.ts';
import { WORKSPACE } from '../support/slack/workspace.ts';
import { expectSafe, mrkdwnStrings } from './blocks/limits.ts';

const ACK_WITHIN_MS = 3000;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const CSM = `<@${WORKSPACE.user.id}>`;

// The answers are read loosely; each assertion says what it must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Blocks = any[];
const blocksOf = (r: RecordedResponse) => r.body.blocks as Blocks;
const surfaceOf = (r: RecordedResponse) => ({ text: r.body.text as string, blocks: blocksOf(r) });
const textOf = (r: RecordedResponse) => mrkdwnStrings(surfaceOf(r)).join('\n');
const headerOf = (r: RecordedResponse) => blocksOf(r).find((b) => b.type === 'header')?.text.text as string;
const buttons = (r: RecordedResponse, actionId: string) =>
  blocksOf(r).flatMap((b) => [b.accessory, ...(b.elements ?? [])].filter((e) => e?.action_id === actionId));

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let database: Database & { url: string };
  let fake: FakeSlack;
  let canary: RunningCanary;
  let book: DemoBook;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    book = await seedDemoBook(database);
    fake = await startFakeSlack();
    canary = await startCanary(database, fake);
  });
  afterAll(async () => {
    await canary?.close();
    await fake?.close();
    await database?.close();
  });

  /** The card's one mention: the account owner's. */
  const ownerOf = (name: string) => `<@${book.accounts.find((a) => a.name === name)!.ownerSlackId}>`;

  /** `/health <text>`: acked at once with no body; then the one private answer on its response_url. */
  async function ask(text: string, options: { userId?: string } = {}) {
    const sent = await canary.command(text, options);
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('');
    expect(sent.ackMs).toBeLessThan(ACK_WITHIN_MS);
    const answer = await fake.waitForResponse(sent.responseUrl, 10_000);
    expect(answer.status).toBe(200);
    expect(answer.body.response_type).toBe('ephemeral');
    return { ...sent, answer, deliveredMs: answer.at.getTime() - (performance.timeOrigin + sent.sentAt) };
  }

  it('one match: the health card, with its trend chart uploaded privately and referred to by id', async () => {
    const before = fake.calls().length;
    const { answer } = await ask('Silverpoint Analytics');
    expect(headerOf(answer)).toBe('Silverpoint Analytics');
    const text = textOf(answer);
    expect(text).toMatch(/\*Health Index \d+\.\d\*/);
    expect(text).toMatch(/over 7 days · [+-]?\d+ over 30 days/);
    expect(text).toContain('*Components*');
    expectSafe(surfaceOf(answer), [ownerOf('Silverpoint Analytics')]);

    const image = blocksOf(answer).find((b) => b.type === 'image');
    const file = fake.files().find((f) => f.id === image.slack_file.id);
    expect(file).toMatchObject({ completed: true, channelId: undefined });
    expect(file!.bytes!.subarray(0, 4)).toEqual(PNG);
    const calls = fake
      .calls()
      .slice(before)
      .map((c) => c.method);
    expect(calls).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    // Private: the upload was shared nowhere, so Slack posted no message with it.
    expect(fake.messages(WORKSPACE.channel.id)).toEqual([]);
  });

  it('several matches: a pick list; choosing one replaces it with the card', async () => {
    const { answer } = await ask('harbor');
    expect(answer.body.text).toMatch(/^\d accounts match "harbor": pick one\.$/);
    const choices = buttons(answer, ACTION.openCard);
    expect(choices.length).toBeGreaterThan(1);
    const harborline = book.accounts.find((a) => a.name === 'Harborline Broadcasting')!;
    const row = blocksOf(answer).find((b) => b.text?.text.includes('Harborline Broadcasting'));

    const responseUrl = fake.responseUrl();
    const click = await canary.send(
      blockAction({
        actionId: ACTION.openCard,
        value: row.accessory.value,
        messageTs: '1763631000.000100',
        ephemeral: true,
        responseUrl,
      }),
    );
    expect(click.status).toBe(200);
    const card = await fake.waitForResponse(responseUrl, 10_000);
    expect(card.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(headerOf(card)).toBe(harborline.name);
  });

  it('more than five matches: a select; the chosen account replaces it with the card', async () => {
    const { answer } = await ask('red');
    const select = blocksOf(answer)[0].accessory;
    expect(select).toMatchObject({ type: 'static_select', action_id: ACTION.pickAccount });
    const option = select.options.find((o: { text: { text: string } }) =>
      o.text.text.startsWith('Redwell Apparel'),
    );

    const responseUrl = fake.responseUrl();
    await canary.send(
      blockAction({
        actionId: ACTION.pickAccount,
        selectedOption: { text: option.text.text, value: option.value },
        messageTs: '1763631000.000200',
        ephemeral: true,
        responseUrl,
      }),
    );
    const card = await fake.waitForResponse(responseUrl, 10_000);
    expect(card.body.replace_original).toBe(true);
    expect(headerOf(card)).toBe('Redwell Apparel');
  });

  it('a typo: no match, and the nearest accounts to open', async () => {
    const { answer } = await ask('Silverpont Analytcs');
    expect(answer.body.text).toBe('No account matches "Silverpont Analytcs".');
    const names = blocksOf(answer)
      .slice(1)
      .map((b) => b.text.text as string);
    expect(names[0]).toContain('Silverpoint Analytics');
    expect(buttons(answer, ACTION.openCard).length).toBe(names.length);
  });

  it('portfolio: KPIs, risk distribution and health by industry, each chart a private upload', async () => {
    const { answer } = await ask('portfolio');
    expect(headerOf(answer)).toBe('Portfolio');
    const text = textOf(answer);
    for (const kpi of ['Average Health Index', 'At risk (high or critical)', 'Referral-Ready Account Rate'])
      expect(text).toContain(kpi);
    expect(text).toContain('*Health by industry*');
    const images = blocksOf(answer).filter((b) => b.type === 'image');
    expect(images.map((i) => i.title.text)).toEqual(['Risk distribution', 'Health by industry']);
    for (const i of images) expect(fake.files().find((f) => f.id === i.slack_file.id)?.completed).toBe(true);
    expectSafe(surfaceOf(answer));
  });

  it('portfolio filtered by industry, typed in any case: health by segment within it', async () => {
    const { answer } = await ask('portfolio industry software');
    const text = textOf(answer);
    expect(text).toContain('industry "Software"');
    expect(text).toContain('*Health by segment*');
    const scored = /\*Accounts scored\*\n(\d+)/.exec(text)![1];
    const software = book.accounts.filter((a) => a.industry === 'Software').length;
    expect(Number(scored)).toBeLessThanOrEqual(software);
    expect(Number(scored)).toBeGreaterThan(0);
  });

  it('portfolio by a segment nobody has: says so and names the segments there are', async () => {
    const { answer } = await ask('portfolio segment galactic');
    expect(textOf(answer)).toMatch(/No account has a Health Index on 2026-11-20 \(segment "galactic"\)/);
    expect(textOf(answer)).toMatch(/Known segments: .*"enterprise"/);
  });

  it('at-risk n: the n accounts at risk, most valuable first, out of how many', async () => {
    const { answer } = await ask('at-risk 2');
    expect(headerOf(answer)).toMatch(/^Accounts at risk: [0-2] of \d+$/);
    const rows = buttons(answer, ACTION.openCard);
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(buttons(answer, ACTION.share)).toHaveLength(1);
  });

  it('referrals and movers', async () => {
    const referrals = (await ask('referrals')).answer;
    expect(headerOf(referrals)).toMatch(/^Referral-ready accounts: \d+ of \d+$/);
    const movers = (await ask('movers')).answer;
    expect(headerOf(movers)).toBe('Movers over 7 days');
    expect(textOf(movers)).toContain('*Biggest drops in 7 days*');
  });

  it('help, an empty command, an unknown subcommand and /health cases', async () => {
    for (const text of ['help', '']) {
      const { answer } = await ask(text);
      expect(answer.body.text).toBe('What `/health` answers:');
      expect(textOf(answer)).toContain('/health at-risk [n]');
    }
    const unknown = (await ask('portfolio region emea')).answer;
    expect(unknown.body.text).toBe(
      'Canary did not understand "portfolio region emea". What `/health` answers:',
    );
    // Nothing opened cases in this book (cases.test.ts has them).
    const cases = (await ask('cases')).answer;
    expect(cases.body.text).toBe('Your open recovery cases: 0');
    expect(textOf(cases)).toContain('No open recovery cases.');
  });

  it('Share in channel: the card again, in the channel, with who shared it; the private copy goes; a second delivery posts nothing', async () => {
    const { answer } = await ask('Silverview Capital');
    const [share] = buttons(answer, ACTION.share);
    expect(JSON.parse(share.value)).toMatchObject({ kind: 'card', day: '2026-11-20' });

    const responseUrl = fake.responseUrl();
    const click = blockAction({
      actionId: ACTION.share,
      value: share.value,
      messageTs: '1763631000.000300',
      ephemeral: true,
      responseUrl,
    });
    expect((await canary.send(click)).status).toBe(200);
    const shared = await fake.waitForResponse(responseUrl, 10_000);
    expect(shared.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(headerOf(shared)).toBe('Silverview Capital');
    expect(buttons(shared, ACTION.share)).toEqual([]);
    expect(blocksOf(shared).at(-1).elements[0].text).toBe(`Shared by ${CSM}`);
    expectSafe(surfaceOf(shared), [CSM, ownerOf('Silverview Capital')]);
    await expect.poll(() => fake.responses(responseUrl).length).toBe(2);
    expect(fake.responses(responseUrl)[1]!.body).toEqual({ delete_original: true });

    // Slack delivers the same click again (or the user clicks twice before the copy goes).
    expect((await canary.send(click)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.responses(responseUrl)).toHaveLength(2);
  });

  it('a Slack retry of a command is acked and not answered twice', async () => {
    const responseUrl = fake.responseUrl();
    const command = slashCommand({ command: '/health', text: 'Northpoint Industries', responseUrl });
    expect((await canary.send(command)).status).toBe(200);
    await fake.waitForResponse(responseUrl, 10_000);
    const calls = fake.calls().length;

    const retry = await canary.send(command, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(retry.body).toBe('');
    expect(retry.ackMs).toBeLessThan(ACK_WITHIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.responses(responseUrl)).toHaveLength(1);
    expect(fake.calls()).toHaveLength(calls);
    expect(canary.logs.some((l) => l.msg === 'Slack retried /health: not answered twice')).toBe(true);
  });

  it('a hostile account name shows inert in the card: no ping, no bold, no broken layout', async () => {
    const hostile = '<!channel> *Acme* <@U0CSM00001> & <https://evil.example|click>';
    await database.db.account.update({ where: { externalId: 'ACC-0019' }, data: { name: hostile } });
    try {
      const { answer } = await ask('ACC-0019');
      expectSafe(surfaceOf(answer), [ownerOf('Windvale Labs')]);
      expect(headerOf(answer)).toBe(hostile);
      expect(answer.body.text).toContain('&lt;!channel&gt;');
      // Slack parses nothing in plain_text (the header, alt texts), so the name stays as typed there.
      expect(blocksOf(answer)[0].text.type).toBe('plain_text');
      expect(mrkdwnStrings(surfaceOf(answer)).filter((t) => t.includes('<!channel>'))).toEqual([]);
    } finally {
      await database.db.account.update({
        where: { externalId: 'ACC-0019' },
        data: { name: 'Windvale Labs' },
      });
    }
  });
});
