// Text on its way into Block Kit: Slack's limits, user-controlled text made inert in
// mrkdwn, text cut to a limit without breaking a character, an entity or a mention,
// and a list cut to the blocks a surface has room for, with "and N more".
import type { types } from '@slack/bolt';

export type KnownBlock = types.KnownBlock;
export type PlainTextElement = types.PlainTextElement;

/** A message as Canary sends it: blocks, and the text notifications and screen readers show. */
export interface SlackMessage {
  /** mrkdwn, escaped like any other. */
  text: string;
  blocks: KnownBlock[];
}

/**
 * Slack's limits (Block Kit reference; the text object's own maximum is 3000). Two are
 * ours: context text at 2000 (Slack documents no lower figure than the text object's
 * 3000; the smaller one leaves room) and the total text of a message, which Slack
 * rejects past roughly 12,000 characters with `msg_blocks_too_long` although no page
 * documents it (slackapi/bolt-js#2509, #2867).
 */
export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  messageChars: 11_000,
  header: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  selectOptions: 100,
  optionText: 75,
  // The option object's value was documented as 75 and is 150 now; 75 fits both.
  optionValue: 75,
  placeholder: 150,
  altText: 2000,
  imageTitle: 2000,
} as const;

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * One line of user text: control characters and line breaks become spaces (a name
 * never breaks the layout), and explicit direction controls go (an override in a name
 * would reorder the words around it; right-to-left letters themselves stay).
 */
function clean(raw: string): string {
  return raw
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
}

/** `text` cut to `max` characters (of `render(text)`), between graphemes, ending in an ellipsis when cut. */
function cut(text: string, max: number, render: (s: string) => string): string {
  const whole = render(text);
  if (whole.length <= max) return whole;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    const next = render(segment);
    if (out.length + next.length > max - ELLIPSIS.length) break;
    out += next;
  }
  return out + ELLIPSIS;
}

/** `text` cut to `max` characters between graphemes (an emoji or a letter with its accents is never split). */
export function truncate(text: string, max: number): string {
  return cut(text, max, (s) => s);
}

/** & < > as entities: for Canary's own text that holds them (`/health <account>`); user text takes escapeText. */
export const escapeEntities = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Slack only honours escaping of & < >; a * _ ~ or ` in a name could still bold,
// italicise, strike or code-format what follows, and nothing in mrkdwn escapes them.
// An invisible joiner next to the marker is not enough: Slack formats at any
// non-alphanumeric boundary (it bolds `(*x*)`), and a zero-width character is itself
// such a boundary; a zero-width joiner also fuses neighbouring emoji. So a marker
// that could open or close formatting is replaced by its lookalike, which Slack does
// not parse. A marker between two letters or digits (`acme_corp`) cannot format and
// stays, so ids read and copy as they are. Backticks always go: code spans open
// anywhere.
const LOOKALIKE: Record<string, string> = { '*': '\u2217', _: '\u02cd', '~': '\u223c', '`': '\u02cb' };
const BOUNDARY_MARKER = /(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])|`/gu;
// A line starting with > is a quote, escaped or not; a soft hyphen in front keeps it text.
const SOFT_HYPHEN = '\u00ad';

/**
 * User-controlled text made inert for mrkdwn, at most `max` characters once escaped:
 * & < > as entities (no `<!channel>`, `<@U…>` or link can form), formatting markers
 * replaced (see LOOKALIKE), one line.
 */
export function escapeText(raw: string, max: number = LIMITS.sectionText): string {
  const text = clean(raw).replace(BOUNDARY_MARKER, (m) => LOOKALIKE[m]!);
  const lead = text.startsWith('>') ? SOFT_HYPHEN : '';
  return lead + cut(text, max - lead.length, escapeEntities);
}

/** A plain_text object (Slack parses nothing in it, so nothing is escaped), cut to `max`. */
export function plain(raw: string, max: number): PlainTextElement {
  return { type: 'plain_text', text: truncate(clean(raw), max) || '-', emoji: true };
}

/**
 * mrkdwn built by Canary (escaped parts and its own markup) cut to `max` characters:
 * never inside an entity, a mention or a surrogate pair.
 */
export function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const low = text.charCodeAt(end);
  if (low >= 0xdc00 && low <= 0xdfff) end--;
  const amp = text.lastIndexOf('&', end - 1);
  if (amp >= 0 && text.indexOf(';', amp) >= end) end = amp;
  const open = text.lastIndexOf('<', end - 1);
  if (open >= 0 && text.indexOf('>', open) >= end) end = open;
  return text.slice(0, end) + ELLIPSIS;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;

/** A user mention (`<@U…>`), the one mention Canary emits on purpose; null unless `id` is a Slack user id. */
export function mention(id: string | null | undefined): string | null {
  return id && SLACK_USER_ID.test(id) ? `<@${id}>` : null;
}

/** Characters of text in blocks: every string under a `text`, as Slack counts a message's size. */
export function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0);
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  for (const [key, v] of Object.entries(value))
    n += key === 'text' && typeof v === 'string' ? v.length : textLength(v);
  return n;
}

/** The room a list has: blocks, and characters of text. */
export interface Room {
  blocks: number;
  chars: number;
}

/**
 * The blocks of as many items as fit in `room`, in order; when some do not fit, one
 * more block from `more(hidden)` says how many and which command shows them.
 */
export function fitList<T>(
  items: readonly T[],
  render: (item: T, index: number) => KnownBlock[],
  room: Room,
  more: (hidden: number) => KnownBlock,
): KnownBlock[] {
  const out: KnownBlock[] = [];
  let chars = 0;
  for (let i = 0; i < items.length; i++) {
    const blocks = render(items[i]!, i);
    const size = textLength(blocks);
    // The last item may take the place kept for "and N more".
    const last = i === items.length - 1;
    const moreRoom = last ? 0 : 1;
    const moreChars = last ? 0 : 200;
    if (out.length + blocks.length + moreRoom > room.blocks || chars + size + moreChars > room.chars) {
      out.push(more(items.length - i));
      return out;
    }
    out.push(...blocks);
    chars += size;
  }
  return out;
}
