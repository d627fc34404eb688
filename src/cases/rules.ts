// The alert rules file (ALERT_RULES_FILE, or the built-in default-rules.yaml): which
// findings open a recovery case, which channel each case's alert goes to, how many
// alerts a channel takes a day, when an unacknowledged case is reminded of and
// escalated, and who may do what. Its shape (zod), the checks that need the whole file,
// and loading it with errors that name the file, the path inside it and what was
// expected. Every key is documented in the README ("Recovery cases and alerts").
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RISK_TIERS } from '../health/model.ts';
import {
  checkSchema,
  parseConfigText,
  problemsText,
  readConfigText,
  type Fail,
  type Problem,
} from '../lib/config-file.ts';

/** Why a case is open: the rule that opened it. One open case per account and reason. */
export const REASONS = ['drop', 'risk_tier', 'renewal', 'detractor', 'ticket'] as const;
export type Reason = (typeof REASONS)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;

// Channel ids, not names: a channel keeps its id when it is renamed, and chat.update
// and the per-channel budget need the id anyway.
const channelId = z.string().regex(/^[CG][A-Z0-9]{6,}$/, {
  error: "expected a Slack channel id such as C0123ABCDEF (in Slack: the channel's details, at the bottom)",
});
const slackUser = /^[UW][A-Z0-9]{6,}$/;
const person = z.string().refine((s) => slackUser.test(s) || /^[^@\s]+@[^@\s]+$/.test(s), {
  error: 'expected a Slack user id such as U0123ABCDEF or an email address',
});
const oneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: 'expected a value or a list of values',
});
const hours = z.number({ error: 'expected a number of hours' }).positive({ error: 'must be above 0' });

const route = z.strictObject({
  /** Every field given must match the account (a list means any of; case is ignored). */
  when: z.strictObject({
    segment: oneOrMore.optional(),
    industry: oneOrMore.optional(),
    /** The account's owner: their Slack user id or email. */
    owner: oneOrMore.optional(),
  }),
  channel: channelId,
});

const routing = z.strictObject({
  /** Tried in order; the first whose `when` matches the account names the channel. */
  routes: z.array(route).default([]),
  /** Where the alerts of accounts no route matches go; null: nowhere (the case still opens). */
  default: channelId.nullable(),
});
export type Routing = z.infer<typeof routing>;

/** A rule's own routing, instead of the file's `routing`. */
const routed = { routing: routing.optional() };

export const rulesSchema = z.strictObject({
  /** Each rule opens cases of its reason; a rule left out opens none. */
  rules: z.strictObject({
    /** A sharp drop: any of the health model's drop rules found one on the scored day. */
    drop: z.strictObject({ ...routed }).optional(),
    /** Entry into one of these risk tiers (or a worse one) since the previous snapshot. */
    risk_tier: z.strictObject({ tiers: z.array(z.enum(RISK_TIERS)).min(1), ...routed }).optional(),
    /** The renewal date within this many days while the Health Index is below a score. */
    renewal: z
      .strictObject({
        within_days: z.number().int({ error: 'expected whole days' }).min(1).max(3650),
        index_below: z.number().min(0).max(100, { error: 'a Health Index is 0-100' }),
        ...routed,
      })
      .optional(),
    /** An NPS answer at or below this score (a detractor: 0-6 on NPS's own scale). */
    detractor: z.strictObject({ nps_at_most: z.number().int().min(0).max(10), ...routed }).optional(),
    /** A ticket of these priorities still unresolved this many hours after it was opened. */
    ticket: z
      .strictObject({ priorities: z.array(z.enum(PRIORITIES)).min(1), unresolved_hours: hours, ...routed })
      .optional(),
  }),
  routing,
  /** Alerts a channel takes in a UTC day; past it, new cases are batched into one summary message. */
  budget: z.strictObject({
    daily: z.number().int().min(0),
    /** A different budget for some channels, by channel id. */
    channels: z.record(channelId, z.number().int().min(0)).default({}),
  }),
  /** While a case stays open (nobody acknowledged it), counted from when it became open. */
  reminders: z.strictObject({
    /** A reminder in the alert's thread, mentioning the owner. */
    remind_after_hours: hours,
    /** The case is escalated, and said so in the manager channel. */
    escalate_after_hours: hours,
    /** Where escalations are posted; null: only in the alert's thread. */
    manager_channel: channelId.nullable(),
  }),
  people: z.strictObject({
    /** Slack user ids or emails of the managers: they may assign, escalate and resolve any case. */
    managers: z.array(person).default([]),
  }),
});

export type AlertRules = z.infer<typeof rulesSchema>;

export class AlertRulesError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(problemsText(file, 'alert rules', problems));
  }
}

const failWith =
  (file: string): Fail =>
  (problems) => {
    throw new AlertRulesError(file, problems);
  };

function crossCheck(rules: AlertRules): Problem[] {
  const problems: Problem[] = [];
  const checkRouting = (r: Routing, at: string) =>
    r.routes.forEach((route, i) => {
      if (Object.keys(route.when).length === 0)
        problems.push({
          path: `${at}.routes[${i}].when`,
          message: 'name at least one of segment, industry, owner',
        });
    });
  checkRouting(rules.routing, 'routing');
  for (const reason of REASONS) {
    const own = rules.rules[reason]?.routing;
    if (own) checkRouting(own, `rules.${reason}.routing`);
  }
  const { remind_after_hours: remind, escalate_after_hours: escalate } = rules.reminders;
  if (escalate < remind)
    problems.push({
      path: 'reminders.escalate_after_hours',
      message: `escalating (${escalate} h) before the reminder (${remind} h) leaves nothing to remind of`,
    });
  return problems;
}

/** Validates parsed rules; throws AlertRulesError naming every problem. */
export function validateRules(raw: unknown, file: string): AlertRules {
  const rules = checkSchema(rulesSchema, raw, failWith(file));
  const problems = crossCheck(rules);
  if (problems.length) throw new AlertRulesError(file, problems);
  return rules;
}

export function parseRulesText(text: string, file: string): AlertRules {
  return validateRules(parseConfigText(text, file, failWith(file)), file);
}

export const DEFAULT_RULES_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'default-rules.yaml',
);

export function loadRules(file = DEFAULT_RULES_FILE): AlertRules {
  return parseRulesText(readConfigText(file, failWith(file)), file);
}
