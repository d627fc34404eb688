// What `/health <text>` asks for, as parseCommand reads it: help, the subcommands and
// their arguments (n capped to what a message can show), and anything else an account;
// a subcommand word with arguments it does not take stays "unclear", so an account
// named that way can still be found before help is shown.
import { describe, expect, it } from 'vitest';
import { AT_RISK_DEFAULT, AT_RISK_MAX, parseCommand } from '../../src/slack/command.ts';

describe('parseCommand', () => {
  it.each(['', '   ', 'help', 'HELP', '?'])('%j is help', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'help' });
  });

  it('reads the subcommands, in any case and spacing', () => {
    expect(parseCommand('Portfolio')).toEqual({ kind: 'portfolio' });
    expect(parseCommand('portfolio  industry   Financial Services')).toEqual({
      kind: 'portfolio',
      industry: 'Financial Services',
    });
    expect(parseCommand('portfolio SEGMENT mid_market')).toEqual({
      kind: 'portfolio',
      segment: 'mid_market',
    });
    expect(parseCommand('at-risk')).toEqual({ kind: 'at-risk', n: AT_RISK_DEFAULT });
    expect(parseCommand('at-risk 3')).toEqual({ kind: 'at-risk', n: 3 });
    expect(parseCommand('at-risk 5000')).toEqual({ kind: 'at-risk', n: AT_RISK_MAX });
    expect(parseCommand('referrals')).toEqual({ kind: 'referrals' });
    expect(parseCommand('movers')).toEqual({ kind: 'movers' });
    expect(parseCommand('cases')).toEqual({ kind: 'cases', whose: { kind: 'mine' } });
    expect(parseCommand('cases MINE')).toEqual({ kind: 'cases', whose: { kind: 'mine' } });
    expect(parseCommand('cases all')).toEqual({ kind: 'cases', whose: { kind: 'all' } });
    expect(parseCommand('cases  Acme   Corp')).toEqual({
      kind: 'cases',
      whose: { kind: 'account', text: 'Acme Corp' },
    });
  });

  it('takes anything else as an account: a name, a domain, an id', () => {
    for (const text of ['Acme Corp', 'acme.com', 'ACC-0042', 'Zoë & Co'])
      expect(parseCommand(text)).toEqual({ kind: 'account', text });
  });

  it.each([
    'at-risk 0',
    'at-risk lots',
    'portfolio region emea',
    'portfolio industry',
    'movers & shakers',
    'help me',
    '--verbose',
  ])('%j is unclear: an account by that name, else help', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'unclear', text });
  });
});
