// What a `/health` command's text asks for: help, a subcommand with its arguments, or
// an account by name, domain or id. Pure: the words in, the question out. A subcommand
// word with arguments it cannot take is kept with the text, so that an account whose
// name starts with that word ("Movers & Shakers") can still be found.
//
// `/health digest subscribe` reads a digest's settings in words:
//   subscribe <schedule> [<zone>] [tz <zone>] [segment <name>] [industry <name>]
//             [owner <email|Slack id>] [min-arr <amount>] [tier <t,t>] [sections <s,s>]
// e.g. `subscribe weekdays 09:00 Europe/Paris tier high,critical`. The schedule is a
// simple form (two words, the second HH:MM) or a cron expression (five fields); the
// zone may follow it bare when it reads as one (Area/City, UTC, GMT). Option words
// start options wherever they stand, so a value runs to the next one and may hold
// spaces ("industry Financial Services"); a value in double quotes is never an option
// word. What the words say is checked by digest/subscription.ts; here only how they
// are put together, every problem collected.
import type { SubscriptionRequest } from '../digest/subscription.ts';

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
  /** `digest …`: a channel's digest, managed from that channel. */
  | { kind: 'digest'; digest: DigestQuestion }
  /** A subcommand word with arguments it does not take: an account by that name, or help. */
  | { kind: 'unclear'; text: string };

export type DigestQuestion =
  | { action: 'help' }
  /** What was typed, and what is wrong with how it was put together (what it says is checked later). */
  | { action: 'subscribe'; request: SubscriptionRequest; problems: string[] }
  | { action: 'unsubscribe' }
  | { action: 'preview' }
  /** This channel's digest, or (`all`) every channel's. */
  | { action: 'list'; all: boolean };

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
    case 'digest': {
      const digest = digestQuestion(args);
      return digest ? { kind: 'digest', digest } : unclear;
    }
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

function digestQuestion(args: string): DigestQuestion | null {
  if (!args) return { action: 'help' };
  const [first, ...more] = args.split(' ');
  const rest = more.join(' ');
  const action = first!.toLowerCase();
  switch (action) {
    case 'subscribe':
      return subscription(rest);
    case 'help':
    case 'unsubscribe':
    case 'preview':
      return rest ? null : { action };
    case 'list':
      if (!rest) return { action, all: false };
      return rest.toLowerCase() === 'all' ? { action, all: true } : null;
    default:
      return null;
  }
}

/** The option words of `digest subscribe`, the request field each fills, and an example. */
const OPTIONS = {
  tz: { field: 'timeZone', example: 'tz Europe/Paris' },
  segment: { field: 'segment', example: 'segment enterprise' },
  industry: { field: 'industry', example: 'industry Financial Services' },
  owner: { field: 'owner', example: 'owner dana@example.com' },
  'min-arr': { field: 'minArr', example: 'min-arr 50k' },
  tier: { field: 'tiers', example: 'tier high,critical' },
  sections: { field: 'sections', example: 'sections at-risk,dropped' },
} as const;
type Option = keyof typeof OPTIONS;
/** Options whose value is one word, and those whose words are a comma-separated list. */
const ONE_WORD = new Set<Option>(['tz', 'min-arr']);
const LISTS = new Set<Option>(['tier', 'sections']);
const OPTION_WORDS = Object.keys(OPTIONS).join(', ');

interface Word {
  text: string;
  quoted: boolean;
}

/** Words, a "double-quoted" run (straight or curly quotes, as Slack's clients type them) as one. */
function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(/["\u201c\u201d]([^"\u201c\u201d]*)["\u201c\u201d]?|(\S+)/g))
    out.push(m[1] !== undefined ? { text: m[1].trim(), quoted: true } : { text: m[2]!, quoted: false });
  return out;
}

const optionOf = (w: Word): Option | null => {
  const word = w.text.toLowerCase();
  return !w.quoted && Object.hasOwn(OPTIONS, word) ? (word as Option) : null;
};

/** A word that reads as a time zone, not as a cron field: Area/City, UTC, GMT. */
const looksLikeZone = (w: Word) =>
  /^[A-Za-z][\w+-]*(\/[\w+-]+)+$/.test(w.text) || /^(utc|gmt)$/i.test(w.text);

/** A value as Slack may send it escaped: `<@U123|dana>` is U123, `<mailto:a@b.c|a@b.c>` is a@b.c. */
const unwrap = (text: string) => /^<(?:@|mailto:)([^|>]+)(?:\|[^>]*)?>$/.exec(text)?.[1] ?? text;

function subscription(args: string): DigestQuestion {
  const all = words(args);
  const problems: string[] = [];
  const request: SubscriptionRequest = { schedule: '', timeZone: '' };
  const unexpected = (extra: Word[], after: string) => {
    if (extra.length)
      problems.push(
        `did not understand "${extra.map((w) => w.text).join(' ')}" after ${after}: the options are ${OPTION_WORDS}`,
      );
  };

  let i = 0;
  const head: Word[] = [];
  while (i < all.length && !optionOf(all[i]!)) head.push(all[i++]!);
  const zone = head.findLastIndex(looksLikeZone);
  if (zone >= 0) request.timeZone = head.splice(zone, 1)[0]!.text;
  // A simple form is two words (`weekdays 09:00`), a cron expression five.
  const length = /^\d{1,2}:\d{2}$/.test(head[1]?.text ?? '') ? 2 : 5;
  request.schedule = head
    .slice(0, length)
    .map((w) => w.text)
    .join(' ');
  unexpected(head.slice(length), 'the schedule');

  const seen = new Set<Option>(request.timeZone ? ['tz'] : []);
  while (i < all.length) {
    const option = optionOf(all[i++]!)!;
    const values: Word[] = [];
    while (i < all.length && !optionOf(all[i]!)) values.push(all[i++]!);
    const { field, example } = OPTIONS[option];
    if (!values.length || values.every((w) => !w.text)) {
      problems.push(`${option} needs a value, e.g. "${example}"`);
      continue;
    }
    if (seen.has(option)) {
      problems.push(option === 'tz' ? 'the time zone is given twice' : `${option} is given twice`);
      continue;
    }
    seen.add(option);
    if (ONE_WORD.has(option)) unexpected(values.slice(1), `${option} ${values[0]!.text}`);
    const text = LISTS.has(option)
      ? values
          .map((w) => w.text)
          .join(',')
          .replace(/,+/g, ',')
      : ONE_WORD.has(option)
        ? values[0]!.text
        : values.map((w) => w.text).join(' ');
    request[field] = option === 'owner' ? unwrap(text) : text;
  }
  return { action: 'subscribe', request, problems };
}
