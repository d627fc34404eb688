// `/health digest …` end to end on each provider: signed slash commands from people in
// channels of the offline Slack into the real Canary (HTTP server, Bolt app, storage,
// charts) over the scored demo book, with alert rules naming two managers (one by Slack
// id, one by the email of her Slack profile only). Every answer is acked at once and
// private. A manager subscribes the channel the command ran in, and another changes
// its digest; anyone else is refused with a private explanation and nothing is stored
// or changed; a subscription typed wrong is answered with every problem, hostile text
// inert, and stores nothing; `list` shows this channel's digest with its next slot, and
// `list all` every channel's (managers only); `preview` shows the digest now, charts
// included, to the asker alone; `unsubscribe` removes it; a direct message is told to
// run it in a channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTime } from '../../src/schedule/slots.ts';
import { TEST_PROVIDERS } from '../support/databases.ts';
import { NOW } from '../support/slack/canary.ts';
import { expectSafe } from './blocks/limits.ts';
import { CASEY, MARK, MAYA, RULES, STRANGER, type Block } from './cases-fixtures.ts';
import { DIGESTS, DM, PRIVATE, SALES, startDigestWorld, type DigestWorld } from './digest-fixtures.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let w: DigestWorld;

  beforeAll(async () => {
    w = await startDigestWorld(provider, { rules: RULES });
  });
  afterAll(async () => {
    await w?.close();
  });

  const rowOf = (channelId: string) => w.database.db.digestSubscription.findUnique({ where: { channelId } });
  const posted = () => w.fake.calls('chat.postMessage');

  it('a manager subscribes the channel the command ran in; the answer is private and says when the first digest comes', async () => {
    const answer = await w.ask(
      'digest subscribe weekdays 09:00 Europe/Paris tier high,critical sections at-risk,dropped,cases,charts',
      MAYA.id,
      DIGESTS,
    );
    // NOW is Saturday 21 November 2026: the first weekday at 09:00 in Paris (UTC+1) is Monday's.
    const first = localTime(new Date('2026-11-23T08:00:00Z'), 'Europe/Paris');
    expect(answer.text).toBe(`✅ This channel is subscribed to a digest. Next: ${first}.`);
    expect(answer.shown).toContain('`weekdays 09:00` (Europe/Paris) · high or critical risk');
    expect(answer.shown).toContain('Sections: at-risk, dropped, cases, charts');
    expectSafe(answer);

    expect(await rowOf(DIGESTS)).toMatchObject({
      schedule: 'weekdays 09:00',
      cron: '0 9 * * 1-5',
      timeZone: 'Europe/Paris',
      riskTiers: 'high,critical',
      sections: 'at-risk,dropped,cases,charts',
      createdBy: MAYA.id,
      slotsFrom: NOW,
    });
    // Nothing in the channel: the answer was private, and the digest is Monday's.
    expect(posted()).toEqual([]);
  });

  it('a manager known by email only changes it: the schedule, its zone, a filter of several words, the minimum ARR', async () => {
    const answer = await w.ask(
      'digest subscribe daily 08:30 tz America/New_York industry Financial Services min-arr 20k',
      MARK.id,
      DIGESTS,
    );
    expect(answer.text).toBe(
      `✅ This channel's digest is changed. Next: ${localTime(new Date('2026-11-21T13:30:00Z'), 'America/New_York')}.`,
    );
    expect(await rowOf(DIGESTS)).toMatchObject({
      schedule: 'daily 08:30',
      cron: '30 8 * * *',
      timeZone: 'America/New_York',
      industry: 'Financial Services',
      minArr: 20_000,
      riskTiers: null,
      sections: 'at-risk,dropped,referrals,renewals,cases,charts',
      createdBy: MARK.id,
    });
    expect(await w.database.db.digestSubscription.count()).toBe(1);
  });

  it('anyone else is refused privately and nothing is stored or changed', async () => {
    const before = await rowOf(DIGESTS);
    const refusal = "Only Canary's managers may change this channel's digest, so nothing changed.";
    for (const [user, text, channel] of [
      [CASEY.id, 'digest subscribe weekdays 09:00 UTC', SALES],
      [STRANGER, 'digest subscribe weekdays 09:00 UTC', SALES],
      [CASEY.id, 'digest subscribe mondays 07:00 UTC', DIGESTS],
      [CASEY.id, 'digest unsubscribe', DIGESTS],
    ] as const) {
      const answer = await w.ask(text, user, channel);
      expect(answer.text).toContain(refusal);
      expect(answer.shown).toContain('The managers named in the alert rules (`people.managers`)');
      expectSafe(answer);
    }
    expect(await rowOf(SALES)).toBeNull();
    expect(await rowOf(DIGESTS)).toEqual(before);
    expect(
      w.canary.logs.filter(
        (l) => String(l.msg).startsWith('digest subscribe refused') && l.user === CASEY.id,
      ),
    ).toHaveLength(2);
    expect((await w.ask('digest list all', CASEY.id, DIGESTS)).text).toBe(
      "Only Canary's managers may list every channel's digest.",
    );
  });

  it('a subscription typed wrong gets every problem at once, hostile text inert, and stores nothing', async () => {
    const answer = await w.ask(
      'digest subscribe every day at nine Mars/Olympus tier <!channel>,hihg sections *gossip* min-arr lots segment',
      MAYA.id,
      SALES,
    );
    expect(answer.text).toBe("Canary did not change this channel's digest: 6 problems");
    const problems = answer.blocks[0].text.text.split('\n').slice(1);
    expect(problems).toEqual([
      '• segment needs a value, e.g. "segment enterprise"',
      expect.stringMatching(/^• "every day at nine" is not a schedule Canary reads: expected ˋdaily HH:MMˋ/),
      '• unknown time zone "Mars/Olympus": expected an IANA name such as Europe/Paris, America/New_York or UTC',
      '• minimum ARR "lots": expected an amount such as 50000, 50k or $1.5M',
      '• unknown risk tier "&lt;!channel&gt;", "hihg": expected low, medium, high, critical',
      '• unknown section "∗gossip∗": expected at-risk, dropped, referrals, renewals, cases, charts',
    ]);
    expectSafe(answer);

    const empty = await w.ask('digest subscribe', MAYA.id, SALES);
    expect(empty.shown).toContain('• no schedule given');
    expect(empty.shown).toContain('• no time zone given: expected an IANA name');
    expect(await rowOf(SALES)).toBeNull();
  });

  it("list: this channel's digest with its next slot, a channel without one, and every channel's for a manager", async () => {
    const here = await w.ask('digest list', CASEY.id, DIGESTS);
    expect(here.shown).toContain("*This channel's digest*");
    expect(here.shown).toContain(
      '`daily 08:30` (America/New_York) · industry Financial Services · ARR ≥ $20.0k',
    );
    expect(here.shown).toContain(`next: ${localTime(new Date('2026-11-21T13:30:00Z'), 'America/New_York')}`);
    expectSafe(here);
    expect((await w.ask('digest list', CASEY.id, SALES)).text).toBe('This channel has no digest.');

    await w.ask('digest subscribe mondays 07:00 UTC sections at-risk', MAYA.id, PRIVATE);
    const all = await w.ask('digest list all', MAYA.id, SALES);
    expect(all.text).toBe('2 channels get a digest:');
    const rows = all.blocks.slice(2).map((b: Block) => b.text.text as string);
    expect(rows.map((r: string) => r.split(' ')[0])).toEqual([`<#${DIGESTS}>`, `<#${PRIVATE}>`]);
    expect(rows[1]).toContain('`mondays 07:00` (UTC) · the whole book');
    // Channel links, which notify nobody, are the only markup.
    expectSafe(all, [`<#${DIGESTS}>`, `<#${PRIVATE}>`]);
  });

  it("preview: the channel's digest as it would be posted now, charts included, to the asker alone", async () => {
    const filesBefore = w.fake.files().length;
    const answer = await w.ask('digest preview', CASEY.id, DIGESTS);
    expect(answer.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Canary digest: industry Financial Services · ARR ≥ $20.0k' },
    });
    expect(answer.shown).toContain('Scores of 2026-11-20 · Preview');
    expect(answer.shown).toContain('*Accounts at risk*');
    const images = answer.blocks.filter((b: Block) => b.type === 'image');
    expect(images).toHaveLength(2);
    const uploaded = w.fake.files().slice(filesBefore);
    for (const image of images) {
      const file = uploaded.find((f) => f.id === image.slack_file.id);
      // A private file of the app's: the upload posted nothing anywhere.
      expect(file).toMatchObject({ completed: true, channelId: undefined });
      expect(file!.bytes!.subarray(0, 4)).toEqual(PNG);
    }
    expectSafe(answer);
    expect(posted()).toEqual([]);

    // A channel without a digest is shown the whole book's, and told so.
    const none = await w.ask('digest preview', CASEY.id, SALES);
    expect(none.blocks[0].text.text).toBe('Canary digest');
    expect(none.blocks[1].elements[1].text).toMatch(/^This channel has no digest: this is the whole book's/);
    expectSafe(none);
    expect(posted()).toEqual([]);
  });

  it("unsubscribe: a manager removes the channel's digest; a second time there is nothing to remove", async () => {
    expect((await w.ask('digest unsubscribe', MAYA.id, PRIVATE)).text).toBe(
      'This channel is unsubscribed: no more digests here.',
    );
    expect(await rowOf(PRIVATE)).toBeNull();
    expect((await w.ask('digest unsubscribe', MAYA.id, PRIVATE)).text).toBe(
      'This channel has no digest: nothing to unsubscribe.',
    );
    expect(await rowOf(DIGESTS)).not.toBeNull();
  });

  it('in a direct message: told to run it in the channel the digest is for; help says who may', async () => {
    const dm = await w.ask('digest subscribe weekdays 09:00 UTC', MAYA.id, DM);
    expect(dm.text).toBe(
      'Run `/health digest` in the channel the digest is for: a direct message gets no digest.',
    );
    expect(await w.database.db.digestSubscription.count()).toBe(1);

    const help = await w.ask('digest', CASEY.id, DIGESTS);
    expect(help.shown).toContain('`/health digest subscribe &lt;schedule&gt; [&lt;zone&gt;] [options]`');
    expect(help.shown).toContain('The managers named in the alert rules (`people.managers`) may subscribe');
    expectSafe(help);
  });
});
