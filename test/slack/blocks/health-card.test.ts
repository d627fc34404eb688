// The health card for Acme's known snapshot, read the way a CSM reads it: index,
// grade, colour, tiers, trend, bars, drivers, coverage, facts, chart, share button;
// and the cards of an account never scored and of one without data.
import { describe, expect, it } from 'vitest';
import { ACTION, parseAnswer } from '../../../src/slack/blocks/actions.ts';
import { healthCard } from '../../../src/slack/blocks/health-card.ts';
import { cardModel, DAY, snapshot, TODAY } from './fixtures.ts';
import { expectSafe, mrkdwnStrings, plainStrings } from './limits.ts';

const all = (m: ReturnType<typeof healthCard>) => mrkdwnStrings(m).join('\n');

describe('health card', () => {
  const card = healthCard(cardModel());
  const text = all(card);

  it('heads with the account name and gives the index with grade, colour, tiers and trend', () => {
    expect(card.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Acme', emoji: true },
    });
    expect(text).toContain('*Health Index 62.4* 🟡  grade *C* · risk *medium* · value tier *2*');
    expect(text).toContain('↓ -6 over 7 days · -14 over 30 days');
    expect(card.text).toBe('Acme: Health Index 62.4 (grade C, medium risk)');
  });

  it('shows each component as a bar of ten steps with its score and points', () => {
    expect(text).toContain('▰▰▰▰▰▱▱▱▱▱  *Usage* 48 · 16.9 points (weight 30)');
    expect(text).toContain('▰▰▰▰▱▱▱▱▱▱  *Support* 35 · 8.2 points (weight 20)');
    expect(text).toContain('▰▰▰▰▰▰▰▰▰▱  *Sentiment* 90 · 21.2 points (weight 20)');
    expect(text).toContain('▱▱▱▱▱▱▱▱▱▱  *Engagement* no data (weight 15)');
  });

  it('explains the score with the drivers and their signed points, as canary explain does', () => {
    expect(text).toContain('*Why:* -6: active users -32% over 14 days (-6)');
    expect(text).toContain(
      '*What holds the score where it is* (points against a neutral 50)\n• -9  active users -32% over 14 days\n• -5  3 P1/P2 tickets open\n• +4  latest NPS 9',
    );
    expect(text).toContain('*Change since 2026-11-19: -6*\n• -6  active users -32% over 14 days');
  });

  it('gives coverage and names stale inputs by their labels', () => {
    expect(text).toContain("Coverage 85% of the model's weight has data; stale: latest NPS");
    expect(text).toContain('Scored 2026-11-20 · model 2026.1');
  });

  it("gives the account's facts: ARR, renewal and days to it, owner mention, case, referral readiness", () => {
    expect(text).toContain('*ARR*\n$120k');
    expect(text).toContain('*Renewal*\n2026-12-31 (in 41 days)');
    expect(text).toContain('*Owner*\n<@U0DANA1>');
    expect(text).toContain('*Open recovery case*\nnone');
    expect(text).toContain('*Referral readiness*\n41.0; not ready: 1 open P1/P2 ticket');
    expect(text).toContain('*Segment*\nenterprise');
    expect(text).toContain('*Industry*\nSoftware');
  });

  it('holds a slot for the trend chart as an uploaded Slack file', () => {
    const image = card.blocks.find((b) => b.type === 'image');
    expect(image).toMatchObject({ type: 'image', slack_file: { id: 'F0TREND1' } });
    const byUrl = healthCard(cardModel({ chart: { url: 'https://files.example/trend.png' } }));
    expect(byUrl.blocks.find((b) => b.type === 'image')).toMatchObject({
      image_url: 'https://files.example/trend.png',
    });
    expect(healthCard(cardModel({ chart: null })).blocks.some((b) => b.type === 'image')).toBe(false);
  });

  it('ends with "Share in channel", whose value names the account and the day', () => {
    const last = card.blocks.at(-1)!;
    expect(last.type).toBe('actions');
    const button = (last as { elements: { action_id: string; value: string; text: { text: string } }[] })
      .elements[0]!;
    expect(button.action_id).toBe(ACTION.share);
    expect(button.text.text).toBe('Share in channel');
    expect(parseAnswer(button.value)).toEqual({ kind: 'card', accountId: 7, day: '2026-11-20' });
  });

  it('stays within every limit and mentions only the owner', () => {
    expectSafe(card, ['<@U0DANA1>']);
  });

  it('shows drops, leading indicators and the open case with its state', () => {
    const c = all(
      healthCard(
        cardModel({
          snapshot: snapshot({
            drops: [{ rule: 'dau', label: 'Usage drop', detail: 'active users -30% over 14 days' }],
            leadingIndicators: ['renewal in 41 days with a Health Index of 62.4'],
          }),
          openCase: { id: 12, state: 'acknowledged' },
        }),
      ),
    );
    expect(c).toContain('*Drops*\n• Usage drop: active users -30% over 14 days');
    expect(c).toContain('*Leading indicators*\n• renewal in 41 days with a Health Index of 62.4');
    expect(c).toContain('*Open recovery case*\n#12, acknowledged');
  });

  it('names the owner by email when the Slack id is not one, and says when there is no owner', () => {
    const base = cardModel();
    const byEmail = healthCard({ ...base, account: { ...base.account, ownerSlackId: 'U0DANA1> <!channel' } });
    expect(all(byEmail)).toContain('*Owner*\ndana@example.com');
    expectSafe(byEmail);
    const nobody = healthCard({
      ...base,
      account: { ...base.account, ownerSlackId: null, ownerEmail: null },
    });
    expect(all(nobody)).toContain('*Owner*\nno owner on file');
  });

  it('says the trend cannot be told without an earlier score, and counts a past renewal back', () => {
    const base = cardModel();
    const c = healthCard({
      ...base,
      change: { days7: null, days30: null },
      account: { ...base.account, renewalDate: new Date(TODAY.getTime() - 3 * DAY) },
    });
    expect(all(c)).toContain('no earlier Health Index to compare with');
    expect(all(c)).toContain('(3 days ago)');
  });

  it('marks a referral-ready account', () => {
    const c = healthCard(
      cardModel({ snapshot: snapshot({ referral: { score: 86, ready: true, parts: {}, blockers: [] } }) }),
    );
    expect(all(c)).toContain('*Referral readiness*\n86.0 (referral-ready)');
  });
});

describe('health card without a score', () => {
  it('says plainly that an account never scored has no Health Index yet, and still gives its facts', () => {
    const card = healthCard(cardModel({ snapshot: null }));
    const text = all(card);
    expect(text).toContain('Acme has no Health Index yet: it has not been scored.');
    expect(text).toContain('*ARR*\n$120k');
    expect(text).not.toContain('Referral readiness');
    expect(card.text).toBe('Acme: no Health Index');
    expectSafe(card, ['<@U0DANA1>']);
  });

  it("says none of the model's measures has data when the snapshot has no index", () => {
    const card = healthCard(
      cardModel({
        snapshot: snapshot({
          healthIndex: null,
          grade: null,
          colour: null,
          riskTier: null,
          valueTier: null,
          coverage: 0,
          explanation: "No Health Index: none of the model's measures has data.",
        }),
      }),
    );
    const text = all(card);
    expect(text).toContain("No Health Index: none of the model's measures has data.");
    expect(text).toContain("Coverage 0% of the model's weight has data");
    expect(text).not.toContain('*Components*');
    expectSafe(card, ['<@U0DANA1>']);
  });
});

describe('health card of a hostile account', () => {
  it('keeps the name as written in the header and inert everywhere else', () => {
    const base = cardModel();
    const card = healthCard({
      ...base,
      account: { ...base.account, name: '<!channel> *Acme*', domain: '<@U123>.example', ownerSlackId: null },
    });
    expect(plainStrings(card)[0]).toBe('<!channel> *Acme*');
    expect(card.text).toBe('&lt;!channel&gt; ∗Acme∗: Health Index 62.4 (grade C, medium risk)');
    expect(all(card)).not.toContain('*Acme*');
    expectSafe(card);
  });
});
