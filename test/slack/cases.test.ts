// Recovery cases from Slack, end to end on each provider: the demo book scored into a
// real database, the real Canary (HTTP server, Bolt app, storage, the case jobs) with
// an alert rules file, the offline Slack, signed requests. A scoring run with drops
// opens one case per drop and posts its alert in the routed channel, once; the alert's
// buttons and modals move the case, update the alert in place, log each change in its
// thread and DM the assignee; people the rules do not allow are told privately and
// nothing changes; two managers assigning at the same moment end with one assignment;
// a repeated payload does nothing the second time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScoring } from '../../src/health/run.ts';
import { ACTION } from '../../src/slack/blocks/actions.ts';
import { CASE_ACTION, CASE_INPUT, CASE_VIEW } from '../../src/slack/blocks/case-actions.ts';
import { snapshotFor } from '../../src/storage/snapshots.ts';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { BOOK_DAY, model, NOW } from '../support/slack/canary.ts';
import type { StoredMessage } from '../support/slack/fake-slack.ts';
import { blockAction, viewSubmission, type SlackRequest } from '../support/slack/signed-request.ts';
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
  MANAGERS,
  MARK,
  MAYA,
  replies,
  startWorld,
  STRANGER,
  textOf,
  TOM,
  topLevel,
  until,
  type Block,
  type CasesWorld,
} from './cases-fixtures.ts';

const ACK_WITHIN_MS = 3000;
const AT = '2026-11-21 09:00 UTC';
const mention = (user: { id: string } | string) => `<@${typeof user === 'string' ? user : user.id}>`;

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let w: CasesWorld;
  /** Copperwood Technologies' drop case, Dana's, and its alert in ALERTS. */
  let caseId: number;
  let alertTs: string;
  /** Dana's Acknowledge, as sent. */
  let ackClick: SlackRequest;

  beforeAll(async () => {
    w = await startWorld(provider);
  });
  afterAll(async () => {
    await w?.close();
  });

  const alert = () => w.fake.message(ALERTS, alertTs)!;
  const theCase = () => w.database.db.recoveryCase.findUniqueOrThrow({ where: { id: caseId } });
  const events = () => w.database.db.caseEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' } });

  /** Presses a button (or picks an overflow option) of a message Canary posted, as `user`. */
  async function press(
    message: StoredMessage,
    channel: string,
    actionId: string,
    user: string,
    option?: (element: Block) => { text: { text: string }; value: string },
  ) {
    const [element] = elements(message.blocks, actionId);
    expect(element, `${actionId} in the message`).toBeDefined();
    const responseUrl = w.fake.responseUrl();
    const triggerId = w.fake.triggerId();
    const chosen = option?.(element);
    const base = {
      actionId,
      userId: user,
      channelId: channel,
      messageTs: message.ts,
      message,
      responseUrl,
      triggerId,
    };
    const request = chosen
      ? asOverflow(blockAction({ ...base, selectedOption: { text: chosen.text.text, value: chosen.value } }))
      : blockAction({ ...base, value: element.value, text: element.text.text });
    const sent = await w.canary.send(request);
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('');
    expect(sent.ackMs).toBeLessThan(ACK_WITHIN_MS);
    return { request, responseUrl, triggerId, element };
  }

  /** The modal Canary opened with `triggerId`, as Slack stores it. */
  async function modalOpened(triggerId: string) {
    const call = await w.fake.waitFor('views.open', (c) => c.args.trigger_id === triggerId, 10_000);
    expect(call.answer).toMatchObject({ ok: true });
    return w.fake.view((call.answer as Block).view.id)!;
  }

  /** Submits a modal with `values` as `user`; Slack's answer to the submission (null: closed). */
  async function submit(view: Record<string, unknown>, user: string, values: Record<string, Block>) {
    const sent = await w.canary.send(viewSubmission({ view, userId: user, values }));
    expect(sent.status).toBe(200);
    expect(sent.ackMs).toBeLessThan(ACK_WITHIN_MS);
    return sent.body ? (JSON.parse(sent.body) as Block) : null;
  }

  const updatedTo = (text: string) =>
    w.fake.waitFor('chat.update', (c) => c.args.ts === alertTs && textOf(c.args).includes(text), 10_000);
  const threadLine = (text: string) =>
    until(`a thread line with "${text}"`, () =>
      replies(w.fake, ALERTS, alertTs).find((m) => textOf(m).includes(text)),
    );

  it('a scoring run with drops opens one case per drop and posts its alert in the routed channel; a second run adds nothing', async () => {
    const { database, canary, fake } = w;
    const score = () => runScoring(database, { model, from: BOOK_DAY, to: BOOK_DAY, now: NOW });
    await score();
    const dropped: string[] = [];
    for (const a of await database.db.account.findMany()) {
      const s = await snapshotFor(database.db, a.id, BOOK_DAY);
      if (s?.day === BOOK_DAY.getTime() && s.drops.length) dropped.push(a.name);
    }
    expect(dropped).toContain('Copperwood Technologies');

    const opened = await canary.cases.afterScoring(BOOK_DAY);
    expect(opened.opened).toHaveLength(dropped.length);
    await canary.cases.tick();
    const cases = await database.db.recoveryCase.findMany({ include: { account: true } });
    expect(cases.map((c) => c.account.name).sort()).toEqual([...dropped].sort());
    expect(cases.every((c) => c.reason === 'drop' && c.state === 'open')).toBe(true);

    // Dana's account: its one alert, in the channel her route names.
    const [only, ...more] = topLevel(fake, ALERTS);
    expect(more).toEqual([]);
    alertTs = only!.ts;
    const copperwood = cases.find((c) => c.account.name === 'Copperwood Technologies')!;
    caseId = copperwood.id;
    expect(only!.blocks![0]).toMatchObject({
      type: 'header',
      text: { text: 'Sharp drop: Copperwood Technologies' },
    });
    const text = textOf(only!);
    expect(text).toContain('*What happened:* active users fell');
    expect(text).toMatch(/\*Health Index \d+\.\d\*/);
    expect(text).toContain(`*Owner*\n${mention(DANA)}`);
    expect(text).toContain(`🔔 Open since ${AT}`);
    expectSafe({ text: only!.text, blocks: only!.blocks! }, [mention(DANA)]);
    expect(elements(only!.blocks).map((e) => [e.action_id, e.value ?? null])).toEqual([
      [CASE_ACTION.acknowledge, `${caseId}:1`],
      [CASE_ACTION.assign, `${caseId}:1`],
      [CASE_ACTION.escalate, `${caseId}:1`],
      [CASE_ACTION.resolve, `${caseId}:1`],
      [CASE_ACTION.snooze, null],
      [ACTION.openCard, String(copperwood.accountId)],
    ]);
    const posts = await database.db.casePost.findMany({ where: { caseId } });
    expect(posts).toMatchObject([
      { kind: 'alert', status: 'sent', sentChannel: ALERTS, ts: alertTs, attempts: 1 },
    ]);

    // Tom's two go to a channel that does not exist: recorded with Slack's reason, kept for later.
    const toms = cases.filter((c) => c.account.ownerSlackId === TOM.id);
    expect(toms.length).toBe(2);
    for (const c of toms) {
      expect(c.channel).toBe(BROKEN);
      expect(await database.db.casePost.findFirst({ where: { caseId: c.id } })).toMatchObject({
        kind: 'alert',
        status: 'failed',
        lastError: 'channel_not_found',
      });
    }
    // The rest go by the default route, to a channel that takes one alert a day, then a summary.
    expect(topLevel(fake, BUDGET).map((m) => (m.blocks![0] as Block).text.text)).toEqual([
      expect.stringMatching(/^Sharp drop: /),
      `More recovery cases today: ${dropped.length - 4}`,
    ]);

    const postedBefore = fake.calls('chat.postMessage').length;
    await score();
    expect(await canary.cases.afterScoring(BOOK_DAY)).toEqual({
      opened: [],
      updated: [],
      unchanged: dropped.length,
    });
    await canary.cases.tick();
    expect(await database.db.recoveryCase.count()).toBe(dropped.length);
    expect(topLevel(fake, ALERTS)).toHaveLength(1);
    // Nothing posted again, not even Tom's alerts: their retry is not due for a minute.
    expect(fake.calls('chat.postMessage').length).toBe(postedBefore);
  });

  it('Acknowledge by the owner: the alert shows who and when in place, and the thread logs it', async () => {
    ackClick = (await press(alert(), ALERTS, CASE_ACTION.acknowledge, DANA.id)).request;
    const update = await updatedTo(`👀 Acknowledged by ${mention(DANA)} at ${AT}`);
    expect(update.args.channel).toBe(ALERTS);
    // Its buttons are now the acknowledged case's, carrying the new version.
    expect(elements(alert().blocks).map((e) => [e.action_id, e.value ?? null])).toEqual([
      [CASE_ACTION.assign, `${caseId}:2`],
      [CASE_ACTION.escalate, `${caseId}:2`],
      [CASE_ACTION.resolve, `${caseId}:2`],
      [CASE_ACTION.snooze, null],
      [ACTION.openCard, expect.any(String)],
    ]);
    await threadLine(`👀 ${mention(DANA)} acknowledged the case · ${AT}`);
    expect(await theCase()).toMatchObject({ state: 'acknowledged', version: 2 });
    expect((await events()).map((e) => [e.action, e.actor, e.fromState, e.toState])).toEqual([
      ['open', 'canary', null, 'open'],
      ['acknowledge', DANA.id, 'open', 'acknowledged'],
    ]);
  });

  it('the same click delivered again (a Slack retry, same action_ts) does nothing the second time', async () => {
    const { canary, fake } = w;
    const before = { calls: fake.calls().length, events: (await events()).length };
    const again = await canary.send(ackClick, { retryNum: 1, retryReason: 'http_timeout' });
    expect(again.status).toBe(200);
    await until('the repeat seen as one', () =>
      canary.logs.find((l) => l.msg === 'case action' && l.result === 'duplicate' && l.user === DANA.id),
    );
    await canary.cases.tick();
    expect((await events()).length).toBe(before.events);
    expect(await theCase()).toMatchObject({ state: 'acknowledged', version: 2 });
    expect(callsSince(fake, before.calls, 'chat.update')).toEqual([]);
    expect(callsSince(fake, before.calls, 'chat.postMessage')).toEqual([]);
    // Not refused either: nobody is told "someone changed the case" about their own click.
    expect(
      fake.responses().filter((r) => r.at.getTime() > 0 && textOf(r.body).includes('Someone changed')),
    ).toEqual([]);
  });

  it('refusals: a CSM who does not own the account, and someone Slack cannot tell about, are told privately; nothing changes', async () => {
    const { fake, canary } = w;
    const before = { calls: fake.calls().length, events: (await events()).length, case: await theCase() };

    // Escalating is a manager's to do.
    const escalate = await press(alert(), ALERTS, CASE_ACTION.escalate, CASEY.id);
    const told = await fake.waitForResponse(escalate.responseUrl, 10_000);
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(textOf(told.body)).toContain(':no_entry: Only a manager may escalate this case.');

    // Snoozing is the owner's (or the assignee's); users.info does not know this person at all.
    const snooze = await press(alert(), ALERTS, CASE_ACTION.snooze, STRANGER, (menu) => menu.options[0]);
    expect(textOf((await fake.waitForResponse(snooze.responseUrl, 10_000)).body)).toContain(
      'may snooze this case.',
    );

    // Resolve… opens its modal at once, which then says why there is nothing to submit.
    const resolve = await press(alert(), ALERTS, CASE_ACTION.resolve, STRANGER);
    const modal = await modalOpened(resolve.triggerId);
    expect(modal.callback_id).toBe(CASE_VIEW.resolve);
    const notice = await fake.waitFor('views.update', (c) => c.args.view_id === modal.id, 10_000);
    expect(notice.answer).toMatchObject({ ok: true });
    const shown = fake.view(modal.id)!;
    expect(shown.submit).toBeNull();
    expect(textOf(shown as Block)).toContain('may resolve this case.');

    // Submitting a Resolve modal anyway (an old one, say) is refused in the modal as well.
    const refused = await submit(modal, STRANGER, {
      [CASE_INPUT.outcome.block]: {
        [CASE_INPUT.outcome.action]: { type: 'radio_buttons', selected_option: { value: 'churned' } },
      },
    });
    expect(refused.response_action).toBe('update');
    expect(textOf(refused.view)).toContain('may resolve this case.');

    await canary.cases.tick();
    expect(await theCase()).toEqual(before.case);
    expect((await events()).length).toBe(before.events);
    expect(callsSince(fake, before.calls, 'chat.update')).toEqual([]);
    expect(callsSince(fake, before.calls, 'chat.postMessage')).toEqual([]);
    const refusals = canary.logs.filter((l) => l.msg === 'case action' && l.result === 'refused');
    expect(refusals.map((l) => [l.user, l.action, l.reason])).toEqual([
      [CASEY.id, 'escalate', 'forbidden'],
      [STRANGER, 'snooze', 'forbidden'],
      [STRANGER, 'resolve', 'forbidden'],
    ]);
  });

  it('Assign: the modal opens at once; a person is required; the assignment shows in place, in the thread, and in a DM to the assignee with a link to the alert', async () => {
    const { fake } = w;
    const { triggerId } = await press(alert(), ALERTS, CASE_ACTION.assign, MAYA.id);
    const modal = await modalOpened(triggerId);
    expect(modal).toMatchObject({ callback_id: CASE_VIEW.assign, private_metadata: `${caseId}:2` });
    // Maya may assign: the modal stays as opened.
    await until('the rights checked', () =>
      w.canary.logs.find((l) => l.answer === 'case assign modal' && l.msg === 'answered'),
    );
    expect(fake.calls('views.update').filter((c) => c.args.view_id === modal.id)).toEqual([]);

    expect(await submit(modal, MAYA.id, {})).toEqual({
      response_action: 'errors',
      errors: { [CASE_INPUT.assignee.block]: 'Pick who takes the case.' },
    });
    expect(await theCase()).toMatchObject({ state: 'acknowledged', version: 2 });

    const closed = await submit(modal, MAYA.id, {
      [CASE_INPUT.assignee.block]: {
        [CASE_INPUT.assignee.action]: { type: 'users_select', selected_user: CASEY.id },
      },
      [CASE_INPUT.due.block]: {
        [CASE_INPUT.due.action]: { type: 'datepicker', selected_date: '2026-11-28' },
      },
      [CASE_INPUT.note.block]: {
        [CASE_INPUT.note.action]: { type: 'plain_text_input', value: 'Call their CTO <!channel> *today*' },
      },
    });
    expect(closed).toBeNull();
    await updatedTo(`👤 Assigned by ${mention(MAYA)} at ${AT}`);
    expect(textOf(alert())).toContain(`Assigned to ${mention(CASEY)}, due 2026-11-28`);
    const line = await threadLine(
      `👤 ${mention(MAYA)} assigned the case to ${mention(CASEY)}, due 2026-11-28`,
    );
    expect(textOf(line)).toContain('Note: Call their CTO &lt;!channel&gt; ∗today∗');
    expectSafe({ text: line.text, blocks: line.blocks! }, [mention(MAYA), mention(CASEY)]);

    const dm = await fake.waitFor('chat.postMessage', (c) => c.args.channel === CASEY.id, 10_000);
    const dmText = textOf(dm.args);
    expect(dmText).toContain(
      `${mention(MAYA)} assigned you case #${caseId}, *Copperwood Technologies*, due 2026-11-28.`,
    );
    const [link] = elements(dm.args.blocks as unknown[], CASE_ACTION.link);
    const permalink = (fake.calls('chat.getPermalink').at(-1)!.answer as Block).permalink;
    expect(link.url).toBe(permalink);
    expect(permalink).toContain(alertTs.replace('.', ''));
    // And the case itself, with the buttons an assigned case has.
    expect(elements(dm.args.blocks as unknown[]).map((e) => e.action_id)).toContain(CASE_ACTION.resolve);
    expectSafe({ text: dm.args.text as string, blocks: dm.args.blocks as unknown[] }, [
      mention(MAYA),
      mention(CASEY),
      mention(DANA),
    ]);
    expect(await theCase()).toMatchObject({ state: 'assigned', assigneeSlackId: CASEY.id, version: 3 });
  });

  it('two managers assign at the same moment: one assignment, and the other is told in the modal who won', async () => {
    const { fake } = w;
    const [maya, mark] = await Promise.all([
      press(alert(), ALERTS, CASE_ACTION.assign, MAYA.id),
      press(alert(), ALERTS, CASE_ACTION.assign, MARK.id),
    ]);
    const [mayaModal, markModal] = await Promise.all([
      modalOpened(maya.triggerId),
      modalOpened(mark.triggerId),
    ]);
    const pick = (user: string) => ({
      [CASE_INPUT.assignee.block]: {
        [CASE_INPUT.assignee.action]: { type: 'users_select', selected_user: user },
      },
    });
    const before = (await events()).length;
    const answers = await Promise.all([
      submit(mayaModal, MAYA.id, pick(DANA.id)),
      submit(markModal, MARK.id, pick(TOM.id)),
    ]);

    const after = await events();
    const assigned = after.slice(before);
    expect(assigned).toHaveLength(1);
    const winner = assigned[0]!.actor === MAYA.id ? 0 : 1;
    const [won, lost] = winner === 0 ? [MAYA, MARK] : [MARK, MAYA];
    expect(answers[winner]).toBeNull();
    const loser = answers[1 - winner];
    expect(loser.response_action).toBe('update');
    expect(textOf(loser.view)).toContain(
      `Someone changed the case first; nothing was done. ${mention(won)} assigned it at ${AT}.`,
    );
    expect(await theCase()).toMatchObject({
      state: 'assigned',
      assigneeSlackId: winner === 0 ? DANA.id : TOM.id,
      version: 4,
    });
    await updatedTo(`Assigned to ${mention(winner === 0 ? DANA : TOM)}`);
    // One line in the thread for the one assignment.
    await w.canary.cases.tick();
    const lines = (who: string, to: string) =>
      replies(fake, ALERTS, alertTs).filter((m) => textOf(m).includes(`${who} assigned the case to ${to}`));
    const [wonPick, lostPick] = winner === 0 ? [DANA, TOM] : [TOM, DANA];
    expect(lines(mention(won), mention(wonPick))).toHaveLength(1);
    expect(lines(mention(lost), mention(lostPick))).toHaveLength(0);
  });

  it('a button older than the case is refused, naming who changed it and when', async () => {
    const { fake } = w;
    // The alert as it was at version 2 (before the assignments).
    const old = {
      ...alert(),
      blocks: [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: CASE_ACTION.escalate,
              value: `${caseId}:2`,
              text: { type: 'plain_text', text: 'Escalate' },
            },
          ],
        },
      ],
    };
    const { responseUrl } = await press(old, ALERTS, CASE_ACTION.escalate, MAYA.id);
    const told = await fake.waitForResponse(responseUrl, 10_000);
    expect(textOf(told.body)).toMatch(
      /^:no_entry: Someone changed the case first; nothing was done\. <@U0MA\w+> assigned it at 2026-11-21 09:00 UTC\.$/m,
    );
    expect(await theCase()).toMatchObject({ state: 'assigned', version: 4 });
  });

  it('Snooze: a week from the menu; until a date through its modal, which must be after today', async () => {
    const { fake } = w;
    await press(alert(), ALERTS, CASE_ACTION.snooze, DANA.id, (menu) =>
      menu.options.find((o: Block) => o.value.endsWith(':7d')),
    );
    await updatedTo(`😴 Snoozed by ${mention(DANA)} at ${AT} until 2026-11-28 09:00 UTC`);
    await threadLine(`😴 ${mention(DANA)} snoozed the case until 2026-11-28 09:00 UTC · ${AT}`);

    const { triggerId } = await press(alert(), ALERTS, CASE_ACTION.snooze, DANA.id, (menu) =>
      menu.options.find((o: Block) => o.value.endsWith(':date')),
    );
    const modal = await modalOpened(triggerId);
    expect(modal.callback_id).toBe(CASE_VIEW.snooze);
    const until = (day: string) => ({
      [CASE_INPUT.until.block]: { [CASE_INPUT.until.action]: { type: 'datepicker', selected_date: day } },
    });
    expect(await submit(modal, DANA.id, until('2026-11-21'))).toEqual({
      response_action: 'errors',
      errors: { [CASE_INPUT.until.block]: 'Pick a day after today.' },
    });
    expect(await submit(modal, DANA.id, until('2026-11-25'))).toBeNull();
    await updatedTo(`until 2026-11-25 00:00 UTC`);
    const c = await theCase();
    expect(c).toMatchObject({ state: 'snoozed', snoozedUntil: new Date('2026-11-25T00:00:00Z') });
    expect(fake.calls('views.update').filter((u) => u.args.view_id === modal.id)).toEqual([]);
  });

  it('Escalate by a manager, delivered twice at once: escalated once, said once in the thread and once in the manager channel with a link to the alert', async () => {
    const { fake, canary } = w;
    const message = alert();
    const [element] = elements(message.blocks, CASE_ACTION.escalate);
    const request = blockAction({
      actionId: CASE_ACTION.escalate,
      value: element.value,
      userId: MAYA.id,
      channelId: ALERTS,
      messageTs: alertTs,
      message,
      responseUrl: fake.responseUrl(),
    });
    const logged = canary.logs.length;
    const sent = await Promise.all([canary.send(request), canary.send(request)]);
    expect(sent.map((r) => r.status)).toEqual([200, 200]);
    await updatedTo(`🚨 Escalated by ${mention(MAYA)} at ${AT}`);
    const said = await until('the escalation in the manager channel', () =>
      fake.messages(MANAGERS).find((m) => textOf(m).includes(`case #${caseId}, `)),
    );
    expect(textOf(said)).toContain(
      `🚨 Escalated: case #${caseId}, *Copperwood Technologies* (Sharp drop), escalated by ${mention(MAYA)}`,
    );
    const [link] = elements(said.blocks, CASE_ACTION.link);
    expect(link.url).toContain(`/archives/${ALERTS}/p${alertTs.replace('.', '')}`);
    await threadLine(`🚨 ${mention(MAYA)} escalated the case · ${AT}`);

    await canary.cases.tick();
    const results = canary.logs.slice(logged).filter((l) => l.msg === 'case action');
    expect(results.map((l) => l.result).sort()).toEqual(['applied', 'duplicate']);
    expect(fake.messages(MANAGERS).filter((m) => textOf(m).includes(`case #${caseId}, `))).toHaveLength(1);
    expect(
      replies(fake, ALERTS, alertTs).filter((m) => textOf(m).includes('escalated the case')),
    ).toHaveLength(1);
    expect((await events()).filter((e) => e.action === 'escalate')).toHaveLength(1);
  });

  it("Open card on the alert answers privately beside it, with the account's open case", async () => {
    const { fake } = w;
    const { responseUrl } = await press(alert(), ALERTS, ACTION.openCard, CASEY.id);
    const card = await fake.waitForResponse(responseUrl, 10_000);
    // Beside the alert, never in its place: the alert is everyone's.
    expect(card.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect((card.body.blocks as Block[])[0].text.text).toBe('Copperwood Technologies');
    expect(textOf(card.body)).toContain(`*Open recovery case*\n#${caseId}, escalated`);
    expect(textOf(alert())).toContain('Sharp drop');
  });

  it('Resolve: the outcome is required; the outcome and note are kept, and the alert keeps only its card button', async () => {
    const { triggerId } = await press(alert(), ALERTS, CASE_ACTION.resolve, DANA.id);
    const modal = await modalOpened(triggerId);
    expect(await submit(modal, DANA.id, {})).toEqual({
      response_action: 'errors',
      errors: { [CASE_INPUT.outcome.block]: 'Say how the case ended.' },
    });
    const closed = await submit(modal, DANA.id, {
      [CASE_INPUT.outcome.block]: {
        [CASE_INPUT.outcome.action]: { type: 'radio_buttons', selected_option: { value: 'recovered' } },
      },
      [CASE_INPUT.note.block]: {
        [CASE_INPUT.note.action]: { type: 'plain_text_input', value: 'Usage back after the training' },
      },
    });
    expect(closed).toBeNull();
    await updatedTo(`✅ Resolved by ${mention(DANA)} at ${AT}: recovered · Usage back after the training`);
    expect(elements(alert().blocks).map((e) => e.action_id)).toEqual([ACTION.openCard]);
    await threadLine(`✅ ${mention(DANA)} resolved the case: recovered · ${AT}`);
    expect(await theCase()).toMatchObject({
      state: 'resolved',
      outcome: 'recovered',
      note: 'Usage back after the training',
      openKey: null,
    });
    expect((await events()).map((e) => e.action)).toEqual([
      'open',
      'acknowledge',
      'assign',
      'assign',
      'snooze',
      'snooze',
      'escalate',
      'resolve',
    ]);
  });
});
