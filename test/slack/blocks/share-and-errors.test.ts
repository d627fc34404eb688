// Share in channel turns a private answer into its channel version; a failure after
// the ack reaches the user as one short private line with a reference.
import { describe, expect, it } from 'vitest';
import { ACTION } from '../../../src/slack/blocks/actions.ts';
import { errorMessage } from '../../../src/slack/blocks/errors.ts';
import { healthCard } from '../../../src/slack/blocks/health-card.ts';
import { atRiskMessage } from '../../../src/slack/blocks/lists.ts';
import { inChannel } from '../../../src/slack/blocks/share.ts';
import { atRiskAccounts, cardModel, TODAY } from './fixtures.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

describe('share in channel', () => {
  it('keeps the answer, drops the share button and says who shared it', () => {
    const card = healthCard(cardModel());
    const shared = inChannel(card, 'U0SHARER');
    expect(shared.text).toBe(card.text);
    expect(JSON.stringify(shared)).not.toContain(ACTION.share);
    expect(shared.blocks.slice(0, -1)).toEqual(card.blocks.filter((b) => b.type !== 'actions'));
    expect(mrkdwnStrings(shared).at(-1)).toBe('Shared by <@U0SHARER>');
    expectSafe(shared, ['<@U0DANA1>', '<@U0SHARER>']);
  });

  it('keeps a full list within 50 blocks and keeps its open-card buttons', () => {
    const list = atRiskMessage({ day: TODAY, accounts: atRiskAccounts(500), total: 500 });
    const shared = inChannel(list, 'U0SHARER');
    expect(shared.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(shared)).toContain(ACTION.openCard);
    expectSafe(shared, ['<@U0SHARER>']);
  });

  it('mentions no one when the sharer is not a Slack user id', () => {
    const shared = inChannel(healthCard(cardModel()), '<!channel>');
    expect(mrkdwnStrings(shared).at(-1)).toBe('Shared from Canary');
  });
});

describe('error message', () => {
  it('says shortly what could not be done, with a reference, escaped', () => {
    const m = errorMessage('the database did not answer <!channel>', 'abc123');
    expect(m.text).toBe('Canary could not answer: the database did not answer &lt;!channel&gt; (ref abc123)');
    expect(m.blocks).toHaveLength(1);
    expectSafe(m);
  });
});
