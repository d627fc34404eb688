// Recovery cases over time, end to end on each provider, with Canary's clock moved by
// the test: an alert whose channel is missing (then lacks the bot) is kept with Slack's
// reason and posted exactly once when it can be; rate limits and Slack's 5xx are
// waited out or tried again, never posted twice; past a channel's daily budget the
// cases share one summary, which a case opened later that day (a detractor's answer
// posted to the API) joins in place; an unacknowledged case is reminded of, then
// escalated to the manager channel, once each; a snooze ends on time; `/health cases`
// and the App Home list cases with their buttons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScoring } from '../../src/health/run.ts';
import { CASE_ACTION } from '../../src/slack/blocks/case-actions.ts';
import { caseWithEvents } from '../../src/storage/cases.ts';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { BOOK_DAY, model, NOW } from '../support/slack/canary.ts';
import type { StoredMessage } from '../support/slack/fake-slack.ts';
import { appHomeOpened, blockAction } from '../support/slack/signed-request.ts';
import { expectSafe } from './blocks/limits.ts';
import {
  ALERTS,
  asOverflow,
  BROKEN,
  BUDGET,
  callsSince,
  CASEY,
  DANA,
  elements,
  HOUR,
  MANAGERS,
  replies,
  startWorld,
  textOf,
  TOM,
  topLevel,
  until,
  type Block,
  type CasesWorld,
} from './cases-fixtures.ts';

const MINUTE = 60_000;
const mention = (id: string) => `<@${id}>`;

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let w: CasesWorld;

  beforeAll(async () => {
    w = await startWorld(provider);
    await runScoring(w.database, { model, from: BOOK_DAY, to: BOOK_DAY, now: NOW });
    await w.canary.cases.afterScoring(BOOK_DAY);
    await w.canary.cases.tick();
  });
  afterAll(async () => {
    await w?.close();
  });

  /**
   * A second Canary on its own connection, on PostgreSQL: replicas share a PostgreSQL
   * database. (Two SQLite connections in one process wait on each other's write lock
   * inside the synchronous driver; SQLite serves one process.)
   */
  const replicas = async () => (provider === 'postgresql' ? [await w.replica()] : []);
  const at = (ms: number) => (w.clock.now = new Date(NOW.getTime() + ms));
  const casesOf = (owner: string) =>
    w.database.db.recoveryCase.findMany({
      where: { account: { ownerSlackId: owner } },
      include: { account: true },
      orderBy: { id: 'asc' },
    });
  const postsTo = (channel: string) =>
    w.fake.calls('chat.postMessage').filter((c) => c.args.channel === channel);

  /** Presses a button of a message, as `user`; `ephemeral`: the message is a private copy. */
  async function press(
    message: Pick<StoredMessage, 'ts' | 'blocks'>,
    channel: string,
    actionId: string,
    user: string,
    options: { ephemeral?: boolean; option?: string } = {},
  ) {
    const [element] = elements(message.blocks, actionId);
    expect(element, `${actionId} in the message`).toBeDefined();
    const responseUrl = w.fake.responseUrl();
    const base = {
      actionId,
      userId: user,
      channelId: channel,
      messageTs: message.ts,
      responseUrl,
      ...(options.ephemeral ? { ephemeral: true } : { message }),
    };
    const picked = options.option && element.options.find((o: Block) => o.value.endsWith(options.option));
    const request = picked
      ? asOverflow(blockAction({ ...base, selectedOption: { text: picked.text.text, value: picked.value } }))
      : blockAction({ ...base, value: element.value });
    const sent = await w.canary.send(request);
    expect(sent.status).toBe(200);
    return { responseUrl };
  }

  it('an alert whose channel is missing is kept with the reason, and posted exactly once when the bot can post there', async () => {
    const { fake, canary, database } = w;
    const toms = await casesOf(TOM.id);
    expect(toms).toHaveLength(2);
    const stands = async () =>
      Promise.all(toms.map(async (c) => (await caseWithEvents(database.db, c.id))!.message));
    expect(await stands()).toEqual(
      toms.map(() =>
        expect.objectContaining({
          kind: 'alert',
          status: 'failed',
          attempts: 1,
          lastError: 'channel_not_found',
        }),
      ),
    );
    expect(
      canary.logs.filter(
        (l) => String(l.msg).startsWith('could not post a recovery case message') && l.channel === BROKEN,
      ),
    ).toHaveLength(2);

    // The channel is made, the bot not invited yet; a minute later, the retry.
    fake.addChannel({ id: BROKEN, name: 'cs-tom', botIsMember: false });
    at(1 * MINUTE);
    await canary.cases.tick();
    expect(await stands()).toEqual(
      toms.map(() => expect.objectContaining({ status: 'failed', attempts: 2, lastError: 'not_in_channel' })),
    );
    expect(postsTo(BROKEN)).toHaveLength(4);

    // Invited: but the next try is two minutes after the last, not before.
    fake.addChannel({ id: BROKEN, name: 'cs-tom', botIsMember: true });
    await canary.cases.tick();
    expect(postsTo(BROKEN)).toHaveLength(4);
    expect(topLevel(fake, BROKEN)).toEqual([]);

    // Replicas passing at the same moment: each alert is claimed by one of them.
    const all = [canary, ...(await replicas())];
    at(3 * MINUTE + 1000);
    const passes = await Promise.all(all.map((c) => c.cases.tick()));
    expect(passes.reduce((n, p) => n + p.posted, 0)).toBe(2);
    const posted = topLevel(fake, BROKEN);
    expect(posted.map((m) => (m.blocks![0] as Block).text.text).sort()).toEqual(
      toms.map((c) => `Sharp drop: ${c.account.name}`).sort(),
    );
    expect(await stands()).toEqual(
      toms.map(() =>
        expect.objectContaining({ status: 'sent', attempts: 3, lastError: null, channel: BROKEN }),
      ),
    );

    // Never again, however many passes.
    at(30 * MINUTE);
    await canary.cases.tick();
    await canary.cases.tick();
    expect(topLevel(fake, BROKEN)).toHaveLength(2);
    expect(postsTo(BROKEN)).toHaveLength(6);
  });

  it('rate limited: the post waits for Retry-After and lands once; Slack failing with 5xx: tried again later, once', async () => {
    const { fake, canary } = w;
    const [first, second] = (await casesOf(TOM.id)).map((c) =>
      topLevel(fake, BROKEN).find((m) => (m.blocks![0] as Block).text.text.endsWith(c.account.name))!,
    );

    fake.fail('chat.postMessage', { error: 'ratelimited', retryAfter: 1 });
    await press(first!, BROKEN, CASE_ACTION.acknowledge, TOM.id);
    const line = await until(
      'the thread line',
      () => replies(fake, BROKEN, first!.ts).find((m) => textOf(m).includes('acknowledged the case')),
      10_000,
    );
    expect(textOf(line)).toContain(`👀 ${mention(TOM.id)} acknowledged the case`);
    const limited = fake.calls('chat.postMessage').filter((c) => c.status === 429);
    expect(limited).toHaveLength(1);
    // Waited out by the client: the retry came a second later.
    const retried = fake
      .calls('chat.postMessage')
      .find((c) => c.args.thread_ts === first!.ts && c.status === 200)!;
    expect(retried.at.getTime() - limited[0]!.at.getTime()).toBeGreaterThanOrEqual(900);

    // Three 503s: more than the client retries at once, so the outbox tries again later.
    fake.fail('chat.postMessage', { status: 503, times: 3 });
    await press(second!, BROKEN, CASE_ACTION.acknowledge, TOM.id);
    await until('the failure recorded', () =>
      canary.logs.find(
        (l) =>
          String(l.msg).startsWith('could not post a recovery case message') &&
          l.kind === 'thread' &&
          l.channel === BROKEN,
      ),
    );
    expect(replies(fake, BROKEN, second!.ts)).toEqual([]);
    at(35 * MINUTE);
    await canary.cases.tick();
    expect(replies(fake, BROKEN, second!.ts).map((m) => textOf(m))).toEqual([
      expect.stringContaining(`👀 ${mention(TOM.id)} acknowledged the case`),
    ]);
    await canary.cases.tick();
    expect(replies(fake, BROKEN, second!.ts)).toHaveLength(1);
    expect(replies(fake, BROKEN, first!.ts)).toHaveLength(1);
  });

  it("past a channel's budget, the cases share one summary; a case opened later that day joins it in place; Open shows one privately, and acting on it updates the summary", async () => {
    const { fake, canary, database } = w;
    const [alert, summary, ...more] = topLevel(fake, BUDGET);
    expect(more).toEqual([]);
    expect(textOf(alert!)).toContain('Sharp drop');
    const inSummary = await database.db.recoveryCase.findMany({
      where: {
        messagePostId: (await database.db.casePost.findFirstOrThrow({ where: { kind: 'summary' } })).id,
      },
      include: { account: true },
      orderBy: { id: 'asc' },
    });
    expect(inSummary.length).toBe(2);
    expect((summary!.blocks![0] as Block).text.text).toBe('More recovery cases today: 2');
    expect(textOf(summary!)).toContain('This channel takes 1 alert a day (2026-11-21)');
    expect(elements(summary!.blocks, CASE_ACTION.open).map((e) => e.value)).toEqual(
      inSummary.map((c) => `${c.id}:1`),
    );
    expectSafe({ text: summary!.text, blocks: summary!.blocks! }, []);

    // A detractor's answer arrives through the API: a case for the channel, already past its budget.
    // Clearview Grocers churned before the day scored: no drop case, and not in the summary yet.
    const clearview = await database.db.account.findFirstOrThrow({ where: { name: 'Clearview Grocers' } });
    const api = await fetch(`${canary.url}/api/v1/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${w.token}` },
      body: JSON.stringify({
        signals: [
          {
            type: 'survey',
            account_id: clearview.externalId,
            response_id: 'SRV-LIVE-1',
            nps: 2,
            respondent: 'cfo@example.com',
            comment: 'Nobody answers our tickets <!here>',
            responded_at: '2026-11-21T08:30:00Z',
          },
        ],
      }),
    });
    expect(api.status).toBe(200);
    const detractor = await database.db.recoveryCase.findFirstOrThrow({ where: { reason: 'detractor' } });
    expect(detractor).toMatchObject({ accountId: clearview.id, channel: BUDGET });
    await canary.cases.tick();
    expect(topLevel(fake, BUDGET)).toHaveLength(2);
    const joined = fake.message(BUDGET, summary!.ts)!;
    expect((joined.blocks![0] as Block).text.text).toBe('More recovery cases today: 3');
    expect(textOf(joined)).toContain(
      '*NPS detractor:* NPS 2 from cfo@example.com: "Nobody answers our tickets &lt;!here&gt;"',
    );
    // The same answer posted again opens nothing more.
    await fetch(`${canary.url}/api/v1/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${w.token}` },
      body: JSON.stringify({
        signals: [
          {
            type: 'survey',
            account_id: clearview.externalId,
            response_id: 'SRV-LIVE-1',
            nps: 2,
            responded_at: '2026-11-21T08:30:00Z',
          },
        ],
      }),
    });
    expect(await database.db.recoveryCase.count({ where: { reason: 'detractor' } })).toBe(1);
    expect(await database.db.caseEvent.count({ where: { caseId: detractor.id } })).toBe(1);

    // Anyone may look at a case; its owner may act on the private copy.
    const target = inSummary[0]!;
    const opened = await press(joined, BUDGET, CASE_ACTION.open, CASEY.id);
    const copy = await fake.waitForResponse(opened.responseUrl, 10_000);
    expect(copy.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(((copy.body.blocks as Block[])[0] as Block).text.text).toBe(`Sharp drop: ${target.account.name}`);
    const ephemeral = { ts: '1763715600.000100', blocks: copy.body.blocks as unknown[] };
    const acted = await press(ephemeral, BUDGET, CASE_ACTION.acknowledge, target.account.ownerSlackId!, {
      ephemeral: true,
    });
    const replaced = await fake.waitForResponse(acted.responseUrl, 10_000);
    expect(replaced.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(textOf(replaced.body)).toContain(`👀 Acknowledged by ${mention(target.account.ownerSlackId!)}`);
    await fake.waitFor(
      'chat.update',
      (c) => c.args.ts === summary!.ts && textOf(c.args).includes('👀 Acknowledged'),
      10_000,
    );
    expect(textOf(fake.message(BUDGET, summary!.ts)!)).toMatch(
      new RegExp(`case #${target.id} · 👀 Acknowledged`),
    );
    // Its thread line goes in the summary's thread.
    await until('the line in the summary thread', () =>
      replies(fake, BUDGET, summary!.ts).find((m) => textOf(m).includes('acknowledged the case')),
    );
  });

  it('an unacknowledged case is reminded of in its thread, then escalated to the manager channel, once each', async () => {
    const { fake, canary } = w;
    const [copperwood] = await casesOf(DANA.id);
    const alertTs = topLevel(fake, ALERTS)[0]!.ts;
    const thread = () => replies(fake, ALERTS, alertTs).map((m) => m.text);

    at(4 * HOUR - MINUTE);
    await canary.cases.tick();
    expect(thread()).toEqual([]);

    // Replicas at the same moment: one reminder.
    const all = [canary, ...(await replicas())];
    at(4 * HOUR);
    await Promise.all(all.map((c) => c.cases.tick()));
    expect(thread()).toEqual([
      `⏰ ${mention(DANA.id)}: this case has been open for 4 h without anyone acknowledging it. Acknowledge, assign or snooze it above.`,
    ]);

    at(24 * HOUR);
    await Promise.all(all.map((c) => c.cases.tick()));
    expect(thread()).toHaveLength(2);
    expect(thread()[1]).toContain(
      '🚨 Escalated by Canary: nobody acknowledged the case · 2026-11-22 09:00 UTC',
    );
    const escalation = fake.messages(MANAGERS).find((m) => textOf(m).includes(`case #${copperwood!.id}, `))!;
    expect(textOf(escalation)).toContain(
      `🚨 Escalated: case #${copperwood!.id}, *Copperwood Technologies* (Sharp drop), nobody acknowledged it in time`,
    );
    expect(elements(escalation.blocks, CASE_ACTION.link)[0].url).toContain(alertTs.replace('.', ''));
    expect(textOf(fake.message(ALERTS, alertTs)!)).toContain(
      '🚨 Escalated by Canary at 2026-11-22 09:00 UTC',
    );

    at(30 * HOUR);
    await canary.cases.tick();
    await canary.cases.tick();
    expect(thread()).toHaveLength(2);
    expect(
      fake.messages(MANAGERS).filter((m) => textOf(m).includes(`case #${copperwood!.id}, `)),
    ).toHaveLength(1);
  });

  it('a snooze ends on time: the case is open again, the thread and the alert say so, and its reminder comes again', async () => {
    const { fake, canary, database } = w;
    const [copperwood] = await casesOf(DANA.id);
    const alertTs = topLevel(fake, ALERTS)[0]!.ts;
    at(30 * HOUR);
    await press(fake.message(ALERTS, alertTs)!, ALERTS, CASE_ACTION.snooze, DANA.id, { option: ':1d' });
    await fake.waitFor(
      'chat.update',
      (c) => c.args.ts === alertTs && textOf(c.args).includes('😴 Snoozed'),
      10_000,
    );
    const snoozed = await database.db.recoveryCase.findUniqueOrThrow({ where: { id: copperwood!.id } });
    expect(snoozed.snoozedUntil).toEqual(new Date(NOW.getTime() + 54 * HOUR));

    at(54 * HOUR - MINUTE);
    await canary.cases.tick();
    expect((await database.db.recoveryCase.findUniqueOrThrow({ where: { id: copperwood!.id } })).state).toBe(
      'snoozed',
    );

    at(54 * HOUR);
    await canary.cases.tick();
    expect(await database.db.recoveryCase.findUniqueOrThrow({ where: { id: copperwood!.id } })).toMatchObject(
      {
        state: 'open',
        snoozedUntil: null,
        openSince: new Date(NOW.getTime() + 54 * HOUR),
      },
    );
    const lines = () => replies(fake, ALERTS, alertTs).map((m) => m.text);
    expect(lines().at(-1)).toBe('⏰ The snooze ended: the case is open again · 2026-11-23 15:00 UTC');
    expect(textOf(fake.message(ALERTS, alertTs)!)).toContain(
      '🔔 Open since 2026-11-23 15:00 UTC (snooze ended)',
    );
    // Open again: its reminder counts from now.
    at(58 * HOUR);
    await canary.cases.tick();
    expect(lines().at(-1)).toContain('this case has been open for 4 h without anyone acknowledging it');
    expect(lines().filter((l) => l.includes('has been open for 4 h'))).toHaveLength(2);
  });

  it("/health cases: yours by default, all, or one account's, each openable with its buttons; the card shows the open case", async () => {
    const { fake, canary, database } = w;
    const ask = async (text: string, userId: string) => {
      const sent = await canary.command(text, { userId });
      expect(sent.status).toBe(200);
      return (await fake.waitForResponse(sent.responseUrl, 10_000)).body;
    };
    const [copperwood] = await casesOf(DANA.id);
    const mine = await ask('cases', DANA.id);
    expect(mine.text).toBe('Your open recovery cases: 1');
    expect(elements(mine.blocks as unknown[], CASE_ACTION.open).map((e) => e.value)).toEqual([
      `${copperwood!.id}:${(await database.db.recoveryCase.findUniqueOrThrow({ where: { id: copperwood!.id } })).version}`,
    ]);
    const unresolved = await database.db.recoveryCase.count({ where: { state: { not: 'resolved' } } });
    expect((await ask('cases all', CASEY.id)).text).toBe(`Open recovery cases: ${unresolved}`);
    const one = await ask('cases copperwood technologies', CASEY.id);
    expect(one.text).toBe('Open recovery cases of Copperwood Technologies: 1');
    expect((await ask('cases', CASEY.id)).text).toBe('Your open recovery cases: 0');

    const card = await ask('Copperwood Technologies', CASEY.id);
    expect(textOf(card)).toContain(`*Open recovery case*\n#${copperwood!.id}, open`);

    const list = { ts: '1763715600.000200', blocks: one.blocks as unknown[] };
    const opened = await press(list, ALERTS, CASE_ACTION.open, DANA.id, { ephemeral: true });
    const copy = await fake.waitForResponse(opened.responseUrl, 10_000);
    expect(elements(copy.body.blocks as unknown[]).map((e) => e.action_id)).toContain(
      CASE_ACTION.acknowledge,
    );
  });

  it("the App Home lists the viewer's open cases with their buttons; acting there publishes it again", async () => {
    const { fake, canary } = w;
    const published = fake.calls('views.publish').length;
    await canary.send(appHomeOpened({ userId: DANA.id }));
    await fake.waitFor('views.publish', (c) => fake.calls('views.publish').indexOf(c) >= published, 10_000);
    const home = fake.homeView(DANA.id)!;
    const text = textOf(home as Block);
    expect(text).toContain('Copperwood Technologies');
    expect(JSON.stringify(home.blocks)).toContain('Your open recovery cases');
    const before = fake.calls().length;
    const request = blockAction({
      actionId: CASE_ACTION.acknowledge,
      value: elements(home.blocks as unknown[], CASE_ACTION.acknowledge)[0].value,
      userId: DANA.id,
      container: 'view',
      view: home,
    });
    expect((await canary.send(request)).status).toBe(200);
    await fake.waitFor(
      'views.publish',
      (c) => fake.calls().indexOf(c) >= before && textOf(c.args.view as Block).includes('👀 Acknowledged'),
      10_000,
    );
    expect(elements(fake.homeView(DANA.id)!.blocks as unknown[], CASE_ACTION.acknowledge)).toEqual([]);
    // The alert itself is updated in place too.
    const alertTs = topLevel(fake, ALERTS)[0]!.ts;
    await fake.waitFor(
      'chat.update',
      (c) => c.args.ts === alertTs && textOf(c.args).includes('👀 Acknowledged'),
      10_000,
    );
    expect(callsSince(fake, before, 'chat.postMessage').filter((c) => c.args.channel === DANA.id)).toEqual(
      [],
    );
  });
});
