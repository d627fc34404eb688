// How Canary's figures read in Slack: colour and risk-tier emoji, the small bars of a
// component breakdown, the trend of the index, shares and one-decimal figures as
// `canary report` prints them, the colour band a value falls in, and an account's
// name in a line of a list.
import { signed } from '../../health/explain.ts';
import type { Colour, RiskTier } from '../../health/model.ts';
import { escapeText } from './text.ts';

export const COLOUR_EMOJI: Record<Colour, string> = { green: '🟢', yellow: '🟡', red: '🔴' };
export const TIER_EMOJI: Record<RiskTier, string> = { low: '🟢', medium: '🟡', high: '🟠', critical: '🔴' };

export const pct = (share: number) => `${Math.round(share * 100)}%`;
export const one = (n: number | null) => (n === null ? '-' : n.toFixed(1));

const BAR_STEPS = 10;

/** A 0-100 score as ten steps: `▰▰▰▰▰▰▱▱▱▱` for 62; all empty without data. */
export function bar(score: number | null): string {
  const full = score === null ? 0 : Math.round((Math.min(100, Math.max(0, score)) / 100) * BAR_STEPS);
  return '▰'.repeat(full) + '▱'.repeat(BAR_STEPS - full);
}

/** A band of the model's colour scale (model.bands.colour). */
export interface ColourBand {
  label: Colour;
  from: number;
  to: number;
}

/** The colour band a Health Index falls in, by the rule scoring grades with (a band's `to` is exclusive, except 100). */
export function colourOf(bands: readonly ColourBand[], value: number): Colour {
  const found = bands.find((b) => value >= b.from && (value < b.to || (b.to === 100 && value <= 100)));
  return (found ?? bands[0]!).label;
}

/** `↓ -6 over 7 days · -14 over 30 days`: the arrow follows the shorter window that has a change. */
export function trend(change7: number | null, change30: number | null): string {
  const lead = change7 ?? change30;
  if (lead === null) return 'no earlier Health Index to compare with';
  const arrow = Math.round(lead) > 0 ? '↑' : Math.round(lead) < 0 ? '↓' : '→';
  const parts = [
    ...(change7 === null ? [] : [`${signed(change7)} over 7 days`]),
    ...(change30 === null ? [] : [`${signed(change30)} over 30 days`]),
  ];
  return `${arrow} ${parts.join(' · ')}`;
}

/** The name an account goes by: its name, or its external id when the name is blank. */
export const nameOf = (a: { name: string; externalId: string }) => a.name.trim() || a.externalId;

const NAME_IN_LIST = 80;
const ID_IN_LIST = 40;

/** `*Acme* (acme-1)`, escaped and short enough for a line of a list. */
export function listName(a: { name: string; externalId: string }): string {
  return `*${escapeText(nameOf(a), NAME_IN_LIST)}* (${escapeText(a.externalId, ID_IN_LIST)})`;
}
