// What a channel's digest subscription says, checked: the channel, the schedule and its
// time zone, the filters that pick the part of the book it covers (segment, industry,
// owner, minimum ARR, risk tiers) and the sections it shows. The CLI and the Slack
// command hand over what a person typed; every problem comes back at once, in words.
// Pure.
import { money } from '../cli/format.ts';
import { RISK_TIERS, type RiskTier } from '../health/model.ts';
import { parseSchedule, parseTimeZone, ScheduleError, type Schedule } from '../schedule/cron.ts';

/** The parts a digest can show, in the order it shows them. */
export const SECTIONS = ['at-risk', 'dropped', 'referrals', 'renewals', 'cases', 'charts'] as const;
export type DigestSection = (typeof SECTIONS)[number];

export interface DigestFilters {
  segment?: string;
  industry?: string;
  /** The owning CSM's email or Slack id. */
  owner?: string;
  minArr?: number;
  riskTiers?: RiskTier[];
}

/** What a person asks for, as typed (lists as comma-separated text or arrays). */
export interface SubscriptionRequest {
  schedule: string;
  timeZone: string;
  segment?: string;
  industry?: string;
  owner?: string;
  minArr?: string | number;
  tiers?: string | readonly string[];
  sections?: string | readonly string[];
}

export interface SubscriptionSettings {
  schedule: Schedule;
  timeZone: string;
  filters: DigestFilters;
  sections: DigestSection[];
}

export class DigestInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const MAX_FILTER_TEXT = 200;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,30}$/;

/** A Slack channel id (digests post by id: a name can change); a DigestInputError otherwise. */
export function parseChannelId(raw: string): string {
  const id = raw.trim();
  if (!CHANNEL_ID.test(id))
    throw new DigestInputError([
      `"${raw.slice(0, 100)}" is not a Slack channel id: expected one like C0123456789 (in Slack: the channel's details, at the bottom of About)`,
    ]);
  return id;
}

/** `50000`, `50k`, `$1.5M`, `250,000`: an amount of ARR. */
function parseAmount(raw: string | number): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : null;
  const match = /^\$?\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM]?)$/.exec(raw.trim());
  if (!match) return null;
  const n = Number(match[1]!.replace(/,/g, ''));
  return n * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase()] ?? 1);
}

const listOf = (v: string | readonly string[]) =>
  (typeof v === 'string' ? v.split(',') : v).map((s) => s.trim().toLowerCase()).filter(Boolean);

/** The request checked, or a DigestInputError listing every problem. */
export function readSubscription(request: SubscriptionRequest): SubscriptionSettings {
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      problems.push(err.message);
      return undefined;
    }
  };
  const schedule = attempt(() => parseSchedule(request.schedule));
  const timeZone = attempt(() => parseTimeZone(request.timeZone));

  const filters: DigestFilters = {};
  for (const key of ['segment', 'industry', 'owner'] as const) {
    const value = request[key]?.trim();
    if (!value) continue;
    if (value.length > MAX_FILTER_TEXT) problems.push(`${key}: at most ${MAX_FILTER_TEXT} characters`);
    else filters[key] = value;
  }
  if (request.minArr !== undefined && request.minArr !== '') {
    const amount = parseAmount(request.minArr);
    if (amount === null)
      problems.push(`minimum ARR "${request.minArr}": expected an amount such as 50000, 50k or $1.5M`);
    else if (amount > 0) filters.minArr = amount;
  }
  if (request.tiers !== undefined) {
    const tiers = listOf(request.tiers);
    const unknown = tiers.filter((t) => !(RISK_TIERS as readonly string[]).includes(t));
    if (unknown.length)
      problems.push(
        `unknown risk tier ${unknown.map((t) => `"${t}"`).join(', ')}: expected ${RISK_TIERS.join(', ')}`,
      );
    else if (tiers.length) filters.riskTiers = RISK_TIERS.filter((t) => tiers.includes(t));
  }
  let sections: DigestSection[] = [...SECTIONS];
  if (request.sections !== undefined) {
    const asked = listOf(request.sections);
    const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
    if (unknown.length)
      problems.push(
        `unknown section ${unknown.map((s) => `"${s}"`).join(', ')}: expected ${SECTIONS.join(', ')}`,
      );
    else if (!asked.length) problems.push(`no sections given: expected some of ${SECTIONS.join(', ')}`);
    else sections = SECTIONS.filter((s) => asked.includes(s));
  }
  if (problems.length || !schedule || !timeZone) throw new DigestInputError(problems);
  return { schedule, timeZone, filters, sections };
}

/** The filters in words, for a digest's heading and listings; null when the digest covers the whole book. */
export function describeFilters(f: DigestFilters): string | null {
  const parts = [
    ...(f.segment ? [`segment ${f.segment}`] : []),
    ...(f.industry ? [`industry ${f.industry}`] : []),
    ...(f.owner ? [`owner ${f.owner}`] : []),
    ...(f.minArr ? [`ARR ≥ ${money(f.minArr)}`] : []),
    ...(f.riskTiers?.length ? [`${f.riskTiers.join(' or ')} risk`] : []),
  ];
  return parts.length ? parts.join(' · ') : null;
}
