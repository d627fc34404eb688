// Escaping user text for mrkdwn, cutting text to Slack's limits, the one mention
// Canary emits on purpose, and fitting a long list into a message.
import { describe, expect, it } from 'vitest';
import { context, section } from '../../../src/slack/blocks/kit.ts';
import {
  clipMrkdwn,
  escapeText,
  fitList,
  mention,
  plain,
  textLength,
  truncate,
} from '../../../src/slack/blocks/text.ts';

describe('escapeText', () => {
  it('turns & < > into entities, so no ping, mention or link can form', () => {
    expect(escapeText('<!channel> & <@U123> <https://x.example|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x.example|y&gt;',
    );
  });

  it('escapes text that already looks escaped, so it reads as typed', () => {
    expect(escapeText('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('replaces formatting markers that could open or close formatting by lookalikes', () => {
    const out = escapeText('*Acme* _x_ ~x~ `x`');
    expect(out).toBe('∗Acme∗ ˍxˍ ∼x∼ ˋxˋ');
    expect(out).not.toMatch(/[*_~`]/);
  });

  it('keeps a marker between letters or digits, which cannot format (ids copy as they are)', () => {
    expect(escapeText('acme_corp_2 a*b')).toBe('acme_corp_2 a*b');
  });

  it('keeps one line: line breaks and control characters become spaces, direction overrides go', () => {
    expect(escapeText('a\nb\r\n\tc\u0007d')).toBe('a b c d');
    expect(escapeText('שלום \u202eevil\u202c')).toBe('שלום evil');
  });

  it('keeps a leading > from starting a quote', () => {
    expect(escapeText('> quoted')).toBe('\u00ad&gt; quoted');
  });

  it('cuts to the limit counted after escaping, never inside an entity, with an ellipsis', () => {
    const out = escapeText('&'.repeat(100), 23);
    expect(out).toBe('&amp;'.repeat(4) + '…');
    expect(out.length).toBeLessThanOrEqual(23);
    expect(escapeText('short', 23)).toBe('short');
  });

  it('never splits an emoji or a flag', () => {
    const family = '👩‍👩‍👧‍👦';
    const out = escapeText(`${family}${family}${family}`, 20);
    expect(out).toBe(`${family}…`);
  });
});

describe('truncate and plain', () => {
  it('leaves short text alone and ends cut text with an ellipsis within the limit', () => {
    expect(truncate('Acme', 150)).toBe('Acme');
    const long = truncate('A'.repeat(5000), 150);
    expect(long).toHaveLength(150);
    expect(long.endsWith('…')).toBe(true);
  });

  it('plain_text is not parsed by Slack, so it keeps the name as written, on one line', () => {
    expect(plain('<!channel> *Acme*\nLtd', 150)).toEqual({
      type: 'plain_text',
      text: '<!channel> *Acme* Ltd',
      emoji: true,
    });
    expect(plain('   ', 150).text).toBe('-');
  });
});

describe('clipMrkdwn', () => {
  it('cuts composed mrkdwn without splitting an entity or a mention', () => {
    expect(clipMrkdwn('abc &amp; def', 9)).toBe('abc …');
    expect(clipMrkdwn('owner <@U0DANA1> ok', 12)).toBe('owner …');
    expect(clipMrkdwn('fits', 10)).toBe('fits');
  });

  it('never leaves half of a surrogate pair', () => {
    const out = clipMrkdwn('ab😀cd', 4);
    expect(out).toBe('ab…');
  });
});

describe('mention', () => {
  it('mentions a Slack user id and nothing else', () => {
    expect(mention('U0DANA1')).toBe('<@U0DANA1>');
    expect(mention('W123ABC')).toBe('<@W123ABC>');
    for (const bad of ['u0dana1', 'U0DANA1> <!channel', 'C123', '', null, undefined, '!channel'])
      expect(mention(bad)).toBeNull();
  });
});

describe('fitList', () => {
  const rows = Array.from({ length: 500 }, (_, i) => `row ${i}`);
  const more = (hidden: number) => context([`…and ${hidden} more`]);

  it('shows what fits and says how many more, within the blocks given', () => {
    const out = fitList(rows, (r) => [section(r)], { blocks: 10, chars: Infinity }, more);
    expect(out).toHaveLength(10);
    expect(JSON.stringify(out.at(-1))).toContain('…and 491 more');
    expect(JSON.stringify(out[8])).toContain('row 8');
  });

  it('stops within the characters given', () => {
    const long = rows.map((r) => `${r} ${'x'.repeat(990)}`);
    const out = fitList(long, (r) => [section(r)], { blocks: 100, chars: 5000 }, more);
    expect(textLength(out)).toBeLessThanOrEqual(5000);
    expect(out).toHaveLength(5);
  });

  it('shows a whole list that fits, without a "more" line', () => {
    const out = fitList(rows.slice(0, 10), (r) => [section(r)], { blocks: 10, chars: Infinity }, more);
    expect(out).toHaveLength(10);
    expect(JSON.stringify(out)).not.toContain('more');
  });
});
