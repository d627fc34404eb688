// What every message or Home view Canary builds must satisfy, for the builder tests
// and the end-to-end tests alike: Slack's own rules (the ones the fake Web API
// enforces, test/support/slack/block-kit.ts), Canary's tighter budgets (context text,
// option values, a message's total text), and escaping: no mrkdwn string may hold an
// unescaped & < > or a mention other than those a test expects.
import { expect } from 'vitest';
import { LIMITS, textLength } from '../../../src/slack/blocks/text.ts';
import { blockProblems, viewProblems } from '../../support/slack/block-kit.ts';

type Surface = { text?: string; blocks: unknown[] } | { type: 'home'; blocks: unknown[] };

/** Every text object in a surface, where it is. */
function textObjects(value: unknown, at: string, out: { at: string; type: string; text: string }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => textObjects(v, `${at}/${i}`, out));
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string')
      out.push({ at, type: o.type, text: o.text });
    else for (const [k, v] of Object.entries(o)) textObjects(v, `${at}/${k}`, out);
  }
  return out;
}

/** Every mrkdwn string of a surface: its text objects and a message's top-level text. */
export function mrkdwnStrings(surface: Surface): string[] {
  const texts = textObjects(surface.blocks, '/blocks')
    .filter((t) => t.type === 'mrkdwn')
    .map((t) => t.text);
  return 'text' in surface && surface.text !== undefined ? [surface.text, ...texts] : texts;
}

export function plainStrings(surface: Surface): string[] {
  return textObjects(surface.blocks, '/blocks')
    .filter((t) => t.type === 'plain_text')
    .map((t) => t.text);
}

/** Slack's rules and Canary's budgets; an empty list when the surface is within all of them. */
export function limitProblems(surface: Surface): string[] {
  const home = 'type' in surface && surface.type === 'home';
  const problems = home ? viewProblems(surface, 'home') : blockProblems(surface.blocks, LIMITS.messageBlocks);
  for (const t of textObjects(surface.blocks, '/blocks')) {
    if (!t.text.trim()) problems.push(`blank text at ${t.at}`);
    if (t.text.length > LIMITS.sectionText) problems.push(`text over ${LIMITS.sectionText} at ${t.at}`);
  }
  surface.blocks.forEach((b, i) => {
    const block = b as { type: string; elements?: { text?: string }[] };
    if (block.type === 'context')
      block.elements?.forEach((e, j) => {
        if ((e.text?.length ?? 0) > LIMITS.contextText)
          problems.push(`context text over ${LIMITS.contextText} at /blocks/${i}/elements/${j}`);
      });
  });
  JSON.stringify(surface, (key, value: unknown) => {
    if (key === 'options' && Array.isArray(value))
      for (const o of value as { value: string }[])
        if (o.value.length > LIMITS.optionValue) problems.push(`option value over ${LIMITS.optionValue}`);
    return value;
  });
  if (!home) {
    const m = surface as { text?: string };
    if (!m.text?.trim()) problems.push('a message needs its top-level text');
    const size = textLength(surface.blocks);
    if (size > LIMITS.messageChars) problems.push(`${size} characters of text, over ${LIMITS.messageChars}`);
  }
  return problems;
}

const ENTITY = /&(amp|lt|gt);/g;

/**
 * mrkdwn that could ping, link or break out: a `<` or `>` outside the mentions a test
 * expects, or a bare `&`.
 */
export function injectionProblems(surface: Surface, mentions: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const s of mrkdwnStrings(surface)) {
    let rest = s.replace(ENTITY, '');
    for (const m of mentions) rest = rest.split(m).join('');
    if (/[<>]/.test(rest)) problems.push(`unescaped < or > in ${JSON.stringify(s.slice(0, 200))}`);
    if (rest.includes('&')) problems.push(`bare & in ${JSON.stringify(s.slice(0, 200))}`);
  }
  return problems;
}

/** Asserts a surface keeps every limit and holds no injectable mrkdwn. */
export function expectSafe(surface: Surface, mentions: readonly string[] = []): void {
  expect(limitProblems(surface)).toEqual([]);
  expect(injectionProblems(surface, mentions)).toEqual([]);
}
