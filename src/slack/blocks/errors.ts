// The short private message a user gets when Canary fails after acknowledging a
// command or a click: what could not be done, and a reference to find the log line.
import { section } from './kit.ts';
import { escapeText, type SlackMessage } from './text.ts';

const WHAT_SHOWN = 300;
const REF_SHOWN = 40;

/** "Canary could not answer: the database did not respond (ref abc123)". */
export function errorMessage(what: string, ref: string): SlackMessage {
  const text = `Canary could not answer: ${escapeText(what, WHAT_SHOWN)} (ref ${escapeText(ref, REF_SHOWN)})`;
  return { text, blocks: [section(`:warning: ${text}`)] };
}
