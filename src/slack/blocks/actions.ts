// The interactive parts of Canary's messages: the action_id of each button or select,
// and the value a "Share in channel" button carries, which names the answer so that it
// can be rendered again for the channel (an ephemeral message's blocks do not come back
// with the click).
import { z } from 'zod';
import { button, type Button } from './kit.ts';
import { LIMITS } from './text.ts';

export const ACTION = {
  /** Button; value: an answer (answerValue). */
  share: 'canary_share',
  /** Button; value: the account id, e.g. "42". */
  openCard: 'canary_open_card',
  /** static_select; selected_option.value: the account id. */
  pickAccount: 'canary_pick_account',
} as const;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const answerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('card'), accountId: z.number().int().positive(), day: isoDay }),
  z.strictObject({
    kind: z.literal('portfolio'),
    day: isoDay,
    industry: z.string().optional(),
    segment: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('at-risk'), day: isoDay, n: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('referrals'), day: isoDay }),
  z.strictObject({ kind: z.literal('movers'), day: isoDay }),
]);

/** An answer Canary can render again: which view, of which scored day (YYYY-MM-DD). */
export type Answer = z.infer<typeof answerSchema>;

/** The button's value for an answer (JSON); null when it would not fit Slack's 2000 characters. */
export function answerValue(answer: Answer): string | null {
  const value = JSON.stringify(answer);
  return value.length <= LIMITS.buttonValue ? value : null;
}

/** The answer a share button names, or null for a value Canary did not write. */
export function parseAnswer(value: string): Answer | null {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return null;
  }
  const parsed = answerSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** "Share in channel" for an answer; null when its value would not fit (the answer then stays private). */
export function shareButton(answer: Answer): Button | null {
  const value = answerValue(answer);
  return value === null ? null : button('Share in channel', ACTION.share, value);
}

export const openCardButton = (accountId: number): Button =>
  button('Open card', ACTION.openCard, String(accountId));
