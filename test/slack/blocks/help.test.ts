// /health help lists every form with what it answers; an unknown subcommand gets the
// same help after a line naming what was not understood.
import { describe, expect, it } from 'vitest';
import { FORMS, helpMessage } from '../../../src/slack/blocks/help.ts';
import { expectSafe, mrkdwnStrings } from './limits.ts';

describe('help', () => {
  it('lists every form of /health with one line on what it answers', () => {
    const text = mrkdwnStrings(helpMessage()).join('\n');
    for (const f of [
      '/health &lt;account&gt;',
      '/health portfolio [industry|segment &lt;name&gt;]',
      '/health at-risk [n]',
      '/health referrals',
      '/health movers',
      '/health cases [mine|all|&lt;account&gt;]',
      '/health digest subscribe &lt;schedule&gt; [&lt;zone&gt;] [options]',
      '/health digest unsubscribe|list [all]|preview|help',
      '/health help',
    ])
      expect(text).toContain(`\`${f}\``);
    expect(FORMS).toHaveLength(9);
    expect(helpMessage().text).toBe('What `/health` answers:');
    expectSafe(helpMessage());
  });

  it('names an unknown subcommand, escaped, before the help', () => {
    const m = helpMessage('<!here> *frobnicate*');
    expect(m.text).toBe('Canary did not understand "&lt;!here&gt; ∗frobnicate∗". What `/health` answers:');
    expectSafe(m);
  });
});
