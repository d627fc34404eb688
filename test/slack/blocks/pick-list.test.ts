// Several accounts match: a short list with a button each, or a select past five;
// none: "No account matches" and the nearest as buttons. Either way a pick opens the
// chosen account's card.
import { describe, expect, it } from 'vitest';
import { ACTION } from '../../../src/slack/blocks/actions.ts';
import { pickList, type AccountChoice } from '../../../src/slack/blocks/pick-list.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

const choices = (n: number, name = (i: number) => `Acme ${i + 1}`): AccountChoice[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    externalId: `acme-${i + 1}`,
    name: name(i),
    domain: null,
  }));

type Element = {
  type: string;
  action_id: string;
  value?: string;
  options?: { text: { text: string }; value: string }[];
};
const accessories = (m: ReturnType<typeof pickList>) =>
  m.blocks.flatMap((b) => ('accessory' in b && b.accessory ? [b.accessory as Element] : []));

describe('pick list', () => {
  it('lists up to five matches, each with a button that opens its card', () => {
    const m = pickList({ query: 'acme', matches: choices(3), suggestions: [] });
    expect(mrkdwnStrings(m)[0]).toBe('3 accounts match "acme": pick one.');
    expect(mrkdwnStrings(m)).toContain('*Acme 1* (acme-1)');
    const buttons = accessories(m);
    expect(buttons.map((b) => [b.type, b.action_id, b.value])).toEqual([
      ['button', ACTION.openCard, '1'],
      ['button', ACTION.openCard, '2'],
      ['button', ACTION.openCard, '3'],
    ]);
    expectSafe(m);
  });

  it('offers a select past five matches, at most 100 options with labels within 75 characters', () => {
    const m = pickList({
      query: 'a',
      matches: choices(250, (i) => `${'Long name '.repeat(20)}${i}`),
      suggestions: [],
    });
    const [select] = accessories(m);
    expect(select!.type).toBe('static_select');
    expect(select!.action_id).toBe(ACTION.pickAccount);
    expect(select!.options).toHaveLength(100);
    expect(select!.options![0]!.value).toBe('1');
    expect(select!.options![0]!.text.text).toMatch(/… \(acme-1\)$/);
    expect(select!.options!.every((o) => o.text.text.length <= 75)).toBe(true);
    expect(mrkdwnStrings(m).join('\n')).toContain('…and 150 more: type more of the name');
    expectSafe(m);
  });

  it('says no account matches, and offers the nearest as buttons', () => {
    const m = pickList({ query: 'acm', matches: [], suggestions: choices(8) });
    expect(m.text).toBe('No account matches "acm".');
    expect(mrkdwnStrings(m)[1]).toBe('No account matches "acm". The nearest:');
    expect(accessories(m).map((b) => b.value)).toEqual(['1', '2', '3', '4', '5']);
    expectSafe(m);
  });

  it('says what to try when nothing is near', () => {
    const m = pickList({ query: 'zzz', matches: [], suggestions: [] });
    expect(mrkdwnStrings(m)[1]).toBe(
      'No account matches "zzz". Try part of the name, the domain or the external id.',
    );
  });

  it('repeats a hostile query inert', () => {
    const m = pickList({ query: '<!channel> *x*', matches: [], suggestions: [] });
    expect(m.text).toBe('No account matches "&lt;!channel&gt; ∗x∗".');
    expectSafe(m);
  });
});
