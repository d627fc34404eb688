// The blocks Canary's views are made of, each held to Slack's limits as it is built:
// text is cut (never rejected), lists of fields and elements are capped. Builders
// compose these instead of writing Block Kit JSON by hand.
import type { types } from '@slack/bolt';
import { clipMrkdwn, LIMITS, plain, type KnownBlock } from './text.ts';

export type Button = types.Button;

/** Where an image block's picture comes from: a public URL, or a file uploaded to Slack (files.uploadV2). */
export type ChartImage = { url: string } | { slackFileId: string };

export const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text, LIMITS.header) });

export const divider = (): KnownBlock => ({ type: 'divider' });

/** A section of Canary-built mrkdwn (user parts already escaped), optionally with a button or select beside it. */
export function section(text: string, accessory?: types.SectionBlockAccessory): KnownBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: clipMrkdwn(text, LIMITS.sectionText) },
    ...(accessory ? { accessory } : {}),
  };
}

/** A section of two-column fields (mrkdwn), at most Slack's 10. */
export function fields(texts: readonly string[]): KnownBlock {
  return {
    type: 'section',
    fields: texts
      .slice(0, LIMITS.fields)
      .map((text) => ({ type: 'mrkdwn' as const, text: clipMrkdwn(text, LIMITS.fieldText) })),
  };
}

/** A context line (small grey mrkdwn), at most Slack's 10 elements. */
export function context(texts: readonly string[]): KnownBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn' as const, text: clipMrkdwn(text, LIMITS.contextText) })),
  };
}

export function button(label: string, actionId: string, value: string): Button {
  return { type: 'button', text: plain(label, LIMITS.buttonText), action_id: actionId, value };
}

export function actions(elements: readonly types.ActionsBlockElement[]): KnownBlock {
  return { type: 'actions', elements: elements.slice(0, LIMITS.actionsElements) };
}

/** An image block for a chart; `alt` says in words what the chart shows. */
export function image(chart: ChartImage, alt: string, title: string): KnownBlock {
  const source = 'url' in chart ? { image_url: chart.url } : { slack_file: { id: chart.slackFileId } };
  return {
    type: 'image',
    ...source,
    alt_text: plain(alt, LIMITS.altText).text,
    title: plain(title, LIMITS.imageTitle),
  };
}
