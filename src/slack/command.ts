// What a `/health` command's text asks for: help, a subcommand with its arguments, or
// an account by name, domain or id. Pure: the words in, the question out. A subcommand
// word with arguments it cannot take is kept with the text, so that an account whose
// name starts with that word ("Movers & Shakers") can still be found.

export const AT_RISK_DEFAULT = 10;
/** More rows than a message can show is no answer: the list says how many more there are. */
export const AT_RISK_MAX = 50;

export type Question =
  | { kind: 'help' }
  | { kind: 'account'; text: string }
  | { kind: 'portfolio'; industry?: string; segment?: string }
  | { kind: 'at-risk'; n: number }
  | { kind: 'referrals' }
  | { kind: 'movers' }
  /** `cases`, `cases mine`: the asker's; `cases all`; `cases <account>`: one account's. */
  | { kind: 'cases'; whose: { kind: 'mine' } | { kind: 'all' } | { kind: 'account'; text: string } }
  /** A subcommand word with arguments it does not take: an account by that name, or help. */
  | { kind: 'unclear'; text: string };

export function parseCommand(raw: string): Question {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '' || /^(help|\?)$/i.test(text)) return { kind: 'help' };
  const [first, ...rest] = text.split(' ');
  const word = first!.toLowerCase();
  const args = rest.join(' ');
  const unclear: Question = { kind: 'unclear', text };
  switch (word) {
    case 'help':
      return unclear;
    case 'portfolio': {
      if (!args) return { kind: 'portfolio' };
      const filter = /^(industry|segment) (.+)$/i.exec(args);
      if (!filter) return unclear;
      return filter[1]!.toLowerCase() === 'industry'
        ? { kind: 'portfolio', industry: filter[2]! }
        : { kind: 'portfolio', segment: filter[2]! };
    }
    case 'at-risk': {
      if (!args) return { kind: 'at-risk', n: AT_RISK_DEFAULT };
      if (!/^\d{1,6}$/.test(args) || Number(args) < 1) return unclear;
      return { kind: 'at-risk', n: Math.min(Number(args), AT_RISK_MAX) };
    }
    case 'referrals':
    case 'movers':
      return args ? unclear : { kind: word };
    case 'cases': {
      const whose = args.toLowerCase();
      if (!args || whose === 'mine') return { kind: 'cases', whose: { kind: 'mine' } };
      return { kind: 'cases', whose: whose === 'all' ? { kind: 'all' } : { kind: 'account', text: args } };
    }
    default:
      // Options and other punctuation-led words are never account names.
      return /^[\p{L}\p{N}]/u.test(first!) ? { kind: 'account', text } : unclear;
  }
}
