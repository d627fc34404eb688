// The Block Kit rules the fake Web API enforces, as Slack does, so a builder that
// breaks one fails in tests the way it would fail in a workspace: block counts per
// surface, text lengths, plain_text where Slack insists on it, unique block and
// action ids, select options. Each problem reads like Slack's own
// `response_metadata.messages`: "[ERROR] <what> [json-pointer:<where>]".
// Lengths are counted in UTF-16 units, which is never more lenient than Slack.
import { isObject } from '../../../src/lib/json.ts';

/** How many blocks a surface holds: Slack's limits for messages and views. */
export const MAX_BLOCKS = { message: 50, view: 100 } as const;

/**
 * Slack refuses a message whose blocks hold more text than about this, with
 * `msg_blocks_too_long`. Undocumented: others measured 11,300 to 13,300 characters
 * depending on the blocks around the text (slackapi/bolt-js#2509, #2867), and only
 * chat.postMessage and chat.update refuse it, not response_url.
 */
export const MAX_MESSAGE_TEXT = 12_000;

type Problems = string[];

/** All the text a message's blocks hold: every `text` string, at any depth. */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + blocksTextLength(v), 0);
  if (!isObject(value)) return 0;
  return Object.entries(value).reduce(
    (n, [key, v]) => n + (key === 'text' && typeof v === 'string' ? v.length : blocksTextLength(v)),
    0,
  );
}

const problem = (problems: Problems, what: string, pointer: string) =>
  problems.push(`[ERROR] ${what} [json-pointer:${pointer}]`);

/** Checks a message's or a view's `blocks`; returns Slack-style problems, none when valid. */
export function blockProblems(blocks: unknown, maxBlocks: number, pointer = '/blocks'): string[] {
  const problems: Problems = [];
  if (!Array.isArray(blocks)) {
    problem(problems, 'must be an array', pointer);
    return problems;
  }
  if (blocks.length > maxBlocks) problem(problems, `no more than ${maxBlocks} items allowed`, pointer);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => checkBlock(block, `${pointer}/${i}`, blockIds, problems));
  return problems;
}

/** Checks a modal or home view (`views.open`, `views.update`, `views.publish`). */
export function viewProblems(view: unknown, expectedType?: 'modal' | 'home'): string[] {
  const problems: Problems = [];
  if (!isObject(view)) {
    problem(problems, 'must be an object', '/view');
    return problems;
  }
  if (view.type !== 'modal' && view.type !== 'home') problem(problems, 'must be modal or home', '/view/type');
  else if (expectedType && view.type !== expectedType) {
    problem(problems, `must be ${expectedType}`, '/view/type');
  }
  if (view.type === 'modal') {
    text(view.title, '/view/title', problems, { max: 24, plainOnly: true });
    if (view.submit !== undefined) text(view.submit, '/view/submit', problems, { max: 24, plainOnly: true });
    if (view.close !== undefined) text(view.close, '/view/close', problems, { max: 24, plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) {
      problem(problems, 'submit is required when an input block is present', '/view/submit');
    }
  }
  maxLength(view.private_metadata, 3000, '/view/private_metadata', problems);
  maxLength(view.callback_id, 255, '/view/callback_id', problems);
  maxLength(view.external_id, 255, '/view/external_id', problems);
  problems.push(...blockProblems(view.blocks, MAX_BLOCKS.view, '/view/blocks'));
  return problems;
}

function checkBlock(block: unknown, at: string, blockIds: Set<string>, problems: Problems): void {
  if (!isObject(block) || typeof block.type !== 'string') {
    problem(problems, 'missing required field: type', at);
    return;
  }
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== 'string' || block.block_id.length === 0 || block.block_id.length > 255) {
      problem(problems, 'must be a string of 1 to 255 characters', `${at}/block_id`);
    } else if (blockIds.has(block.block_id)) {
      problem(problems, `duplicate block_id: ${block.block_id}`, `${at}/block_id`);
    } else blockIds.add(block.block_id);
  }
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) {
        problem(problems, 'must provide either text or fields', at);
      }
      if (block.text !== undefined) text(block.text, `${at}/text`, problems, { max: 3000 });
      if (block.fields !== undefined) {
        list(block.fields, `${at}/fields`, 1, 10, problems).forEach((field, i) =>
          text(field, `${at}/fields/${i}`, problems, { max: 2000 }),
        );
      }
      if (block.accessory !== undefined) element(block.accessory, `${at}/accessory`, new Set(), problems);
      return;
    case 'header':
      text(block.text, `${at}/text`, problems, { max: 150, plainOnly: true });
      return;
    case 'context':
      list(block.elements, `${at}/elements`, 1, 10, problems).forEach((el, i) =>
        isObject(el) && el.type === 'image'
          ? image(el, `${at}/elements/${i}`, problems)
          : text(el, `${at}/elements/${i}`, problems, { max: 3000 }),
      );
      return;
    case 'actions': {
      const actionIds = new Set<string>();
      list(block.elements, `${at}/elements`, 1, 25, problems).forEach((el, i) =>
        element(el, `${at}/elements/${i}`, actionIds, problems),
      );
      return;
    }
    case 'image':
      image(block, at, problems);
      if (block.title !== undefined)
        text(block.title, `${at}/title`, problems, { max: 2000, plainOnly: true });
      return;
    case 'input':
      text(block.label, `${at}/label`, problems, { max: 2000, plainOnly: true });
      if (block.hint !== undefined) text(block.hint, `${at}/hint`, problems, { max: 2000, plainOnly: true });
      if (block.element === undefined) problem(problems, 'missing required field: element', at);
      else element(block.element, `${at}/element`, new Set(), problems);
      return;
    case 'divider':
    case 'markdown':
    case 'rich_text':
    case 'file':
    case 'video':
    case 'table':
      return;
    default:
      problem(problems, `unsupported block type: ${block.type}`, `${at}/type`);
  }
}

function element(el: unknown, at: string, actionIds: Set<string>, problems: Problems): void {
  if (!isObject(el) || typeof el.type !== 'string') {
    problem(problems, 'missing required field: type', at);
    return;
  }
  if (el.action_id !== undefined) {
    if (typeof el.action_id !== 'string' || el.action_id.length > 255) {
      problem(problems, 'must be a string of at most 255 characters', `${at}/action_id`);
    } else if (actionIds.has(el.action_id)) {
      problem(problems, `duplicate action_id in block: ${el.action_id}`, `${at}/action_id`);
    } else actionIds.add(el.action_id);
  }
  if (el.placeholder !== undefined) {
    text(el.placeholder, `${at}/placeholder`, problems, { max: 150, plainOnly: true });
  }
  switch (el.type) {
    case 'button':
      text(el.text, `${at}/text`, problems, { max: 75, plainOnly: true });
      maxLength(el.value, 2000, `${at}/value`, problems);
      maxLength(el.url, 3000, `${at}/url`, problems);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        problem(problems, 'must be primary or danger', `${at}/style`);
      }
      return;
    case 'static_select':
    case 'multi_static_select':
    case 'overflow':
    case 'radio_buttons':
    case 'checkboxes': {
      if (el.type.endsWith('static_select') && el.option_groups !== undefined) return;
      const max = el.type === 'overflow' ? 5 : el.type.endsWith('static_select') ? 100 : 10;
      const options = list(el.options, `${at}/options`, 1, max, problems);
      options.forEach((o, i) => option(o, `${at}/options/${i}`, problems));
      const initial = el.initial_option;
      if (isObject(initial) && !options.some((o) => sameOption(o, initial))) {
        problem(problems, 'must match one of the options', `${at}/initial_option`);
      }
      return;
    }
    case 'image':
      image(el, at, problems);
      return;
    default:
      // Pickers, inputs and external selects: nothing Canary's builders can get wrong
      // beyond the shared checks above.
      return;
  }
}

function option(o: unknown, at: string, problems: Problems): void {
  if (!isObject(o)) {
    problem(problems, 'must be an object', at);
    return;
  }
  text(o.text, `${at}/text`, problems, { max: 75 });
  if (typeof o.value !== 'string' || o.value.length > 150) {
    problem(problems, 'must be a string of at most 150 characters', `${at}/value`);
  }
}

const sameOption = (a: unknown, b: Record<string, unknown>) =>
  isObject(a) && a.value === b.value && isObject(a.text) && isObject(b.text) && a.text.text === b.text.text;

function image(el: Record<string, unknown>, at: string, problems: Problems): void {
  if (el.image_url === undefined && el.slack_file === undefined) {
    problem(problems, 'missing required field: image_url', at);
  }
  maxLength(el.image_url, 3000, `${at}/image_url`, problems);
  if (typeof el.alt_text !== 'string' || el.alt_text.length === 0 || el.alt_text.length > 2000) {
    problem(problems, 'must be a string of 1 to 2000 characters', `${at}/alt_text`);
  }
}

/** A text object: plain_text or mrkdwn, 1 to `max` characters. */
function text(
  obj: unknown,
  at: string,
  problems: Problems,
  { max, plainOnly = false }: { max: number; plainOnly?: boolean },
): void {
  if (!isObject(obj)) {
    problem(problems, 'missing required field: text object', at);
    return;
  }
  if (obj.type !== 'plain_text' && (plainOnly || obj.type !== 'mrkdwn')) {
    problem(problems, plainOnly ? 'must be plain_text' : 'must be plain_text or mrkdwn', `${at}/type`);
  }
  if (obj.type === 'mrkdwn' && obj.emoji !== undefined) {
    problem(problems, 'emoji is only allowed in plain_text', `${at}/emoji`);
  }
  if (typeof obj.text !== 'string' || obj.text.length === 0) {
    problem(problems, 'must be more than 0 characters', `${at}/text`);
  } else if (obj.text.length > max) {
    problem(problems, `must be less than ${max + 1} characters`, `${at}/text`);
  }
}

function list(value: unknown, at: string, min: number, max: number, problems: Problems): unknown[] {
  if (!Array.isArray(value)) {
    problem(problems, 'must be an array', at);
    return [];
  }
  if (value.length < min) problem(problems, `must provide at least ${min} items`, at);
  if (value.length > max) problem(problems, `no more than ${max} items allowed`, at);
  return value;
}

function maxLength(value: unknown, max: number, at: string, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== 'string') problem(problems, 'must be a string', at);
  else if (value.length > max) problem(problems, `must be less than ${max + 1} characters`, at);
}
