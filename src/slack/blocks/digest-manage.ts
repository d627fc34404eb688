// What `/health digest …` answers, privately, in the channel it was run in: how to use
// it, the channel subscribed or its digest changed (and when the next one comes), the
// channel unsubscribed, this channel's digest or every channel's, the note on a
// preview, everything wrong with what was typed, and why someone may not change
// digests. Pure builders; what people typed and stored (filters, problems quoting
// their words, Slack's errors) is escaped.
import type { ListedDigest } from '../../digest/manage.ts';
import { describeFilters, SECTIONS } from '../../digest/subscription.ts';
import { localTime } from '../../schedule/slots.ts';
import { COMMAND } from './help.ts';
import { context, header, section } from './kit.ts';
import { moreLine } from './lists.ts';
import { escapeEntities, escapeText, fitList, LIMITS, textLength, type SlackMessage } from './text.ts';

const DIGEST = `${COMMAND} digest`;
const code = (text: string) => `\`${escapeEntities(text)}\``;
const SUBSCRIBE_EXAMPLE = `${DIGEST} subscribe weekdays 09:00 Europe/Paris tier high,critical`;
/** Problems shown at most: more means the text was not a subscription at all. */
const PROBLEMS_SHOWN = 12;
/** Channel errors the channel's members can fix by inviting Canary. */
const INVITE = new Set(['not_in_channel', 'channel_not_found']);

const message = (text: string, ...more: string[]): SlackMessage => ({
  text,
  blocks: [section(text), ...(more.length ? [context(more)] : [])],
});

/** Who may change digests, in words. */
function permission(managersOnly: boolean): string {
  return managersOnly
    ? 'The managers named in the alert rules (`people.managers`) may subscribe, unsubscribe and list every channel; anyone may preview.'
    : 'Anyone may subscribe, unsubscribe, list and preview: the alert rules name no managers (`people.managers`), who would otherwise be the only ones to change digests.';
}

/** `/health digest` and `/health digest help`. */
export function digestHelp(managersOnly: boolean): SlackMessage {
  const text = `${code(DIGEST)}: a digest of the book, posted in this channel on its schedule.`;
  const forms = [
    `${code(`${DIGEST} subscribe <schedule> [<zone>] [options]`)}  subscribe this channel, or change its digest`,
    `      schedule: ${code('daily 08:30')}, ${code('weekdays 09:00')}, ${code('mondays 09:00')} or a cron expression such as ${code('0 9 * * 1-5')}`,
    `      zone: an IANA time zone such as ${code('Europe/Paris')} (or ${code('tz Europe/Paris')})`,
    `      options: ${code('segment <name>')} ${code('industry <name>')} ${code('owner <email or Slack id>')} ${code('min-arr 50k')} ${code('tier high,critical')} ${code(`sections ${SECTIONS.join(',')}`)}`,
    `${code(`${DIGEST} unsubscribe`)}  no more digests in this channel`,
    `${code(`${DIGEST} list [all]`)}  this channel's digest and when the next one comes (${code('all')}: every channel's)`,
    `${code(`${DIGEST} preview`)}  this channel's digest as it would be posted now, only to you`,
  ];
  return {
    text,
    blocks: [
      section(text),
      section(forms.join('\n')),
      context([`e.g. ${code(SUBSCRIBE_EXAMPLE)}`, permission(managersOnly)]),
    ],
  };
}

/** What is wrong with a subscription as typed: every problem, in the person's words, escaped. */
export function digestProblems(problems: readonly string[]): SlackMessage {
  const text = "Canary did not change this channel's digest:";
  const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `• ${escapeText(p, 500)}`);
  if (problems.length > PROBLEMS_SHOWN) shown.push(`• …and ${problems.length - PROBLEMS_SHOWN} more`);
  return {
    text: `${text} ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}`,
    blocks: [
      section(`${text}\n${shown.join('\n')}`),
      context([`e.g. ${code(SUBSCRIBE_EXAMPLE)} · ${code(`${DIGEST} help`)} for every option`]),
    ],
  };
}

/** Someone the rules do not let change digests (or list every channel's) tried: nothing changed. */
export function digestRefused(what: 'change' | 'list'): SlackMessage {
  return message(
    what === 'change'
      ? "Only Canary's managers may change this channel's digest, so nothing changed. Ask one of them to run it."
      : "Only Canary's managers may list every channel's digest.",
    `${permission(true)} ${code(`${DIGEST} list`)} shows this channel's, ${code(`${DIGEST} preview`)} what it shows.`,
  );
}

/** The command came from a direct message or a group DM: digests are a channel's. */
export function notInChannel(): SlackMessage {
  return message(`Run ${code(DIGEST)} in the channel the digest is for: a direct message gets no digest.`);
}

const next = (d: ListedDigest) =>
  d.paused ? 'paused' : d.next ? escapeText(localTime(d.next, d.timeZone)) : 'never';

/** One digest: when, for which part of the book, which sections, the next one, and what went wrong last. */
function describeDigest(d: ListedDigest): string[] {
  const when = `${code(d.schedule)} (${escapeText(d.timeZone)})`;
  const covers = escapeText(describeFilters(d.filters) ?? 'the whole book', 1000);
  const lines = [`${when} · ${covers}`, `Sections: ${d.sections.join(', ')} · next: ${next(d)}`];
  if (d.lastError)
    lines.push(
      `⚠️ The last one could not be posted: ${escapeText(d.lastError, 200)}${INVITE.has(d.lastError) ? ` (invite Canary: ${code('/invite @Canary')})` : ''}`,
    );
  return lines;
}

/** The channel subscribed (created) or its digest changed. */
export function digestSubscribed(d: ListedDigest, created: boolean): SlackMessage {
  const lead = created
    ? '✅ This channel is subscribed to a digest.'
    : "✅ This channel's digest is changed.";
  const text = `${lead} Next: ${next(d)}.`;
  return {
    text,
    blocks: [
      section(`${lead}\n${describeDigest(d).join('\n')}`),
      context([
        `Canary posts only in channels it is a member of: ${code('/invite @Canary')} if it is not. ${code(`${DIGEST} preview`)} shows the digest now.`,
      ]),
    ],
  };
}

export function digestUnsubscribed(removed: boolean): SlackMessage {
  return removed
    ? message('This channel is unsubscribed: no more digests here.')
    : message(
        'This channel has no digest: nothing to unsubscribe.',
        `Subscribe it with ${code(SUBSCRIBE_EXAMPLE)}.`,
      );
}

/** `/health digest list`: this channel's digest, or that it has none. */
export function channelDigestMessage(d: ListedDigest | null): SlackMessage {
  if (!d) return message('This channel has no digest.', `Subscribe it with ${code(SUBSCRIBE_EXAMPLE)}.`);
  const lines = describeDigest(d);
  return {
    text: `This channel's digest: ${lines[0]}`,
    blocks: [section(`*This channel's digest*\n${lines.join('\n')}`)],
  };
}

/** `/health digest list all`: every channel's digest, as many as a message holds. */
export function allDigestsMessage(digests: readonly ListedDigest[]): SlackMessage {
  const text = digests.length
    ? `${digests.length} channel${digests.length === 1 ? '' : 's'} get a digest:`
    : 'No channel gets a digest yet.';
  const head = [header('Digests'), section(text)];
  const rows = fitList(
    digests,
    (d) => [section(`<#${d.channelId}>  ${describeDigest(d).join('\n')}`)],
    { blocks: LIMITS.messageBlocks - head.length, chars: LIMITS.messageChars - textLength(head) },
    moreLine(`: ${code('canary digest list')} shows every one`),
  );
  return { text, blocks: [...head, ...rows] };
}

/**
 * A digest previewed privately, with a note beside its subtitle when the channel has no
 * digest: a context element, since the digest may use every one of a message's blocks.
 */
export function digestPreview(digest: SlackMessage, subscribed: boolean): SlackMessage {
  if (subscribed) return digest;
  const note = `This channel has no digest: this is the whole book's, with every section. Subscribe with ${code(SUBSCRIBE_EXAMPLE)}.`;
  const [first, second, ...rest] = digest.blocks;
  if (second?.type !== 'context' || second.elements.length >= LIMITS.contextElements) return digest;
  return {
    text: digest.text,
    blocks: [first!, { ...second, elements: [...second.elements, { type: 'mrkdwn', text: note }] }, ...rest],
  };
}
