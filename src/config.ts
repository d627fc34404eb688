// Canary's configuration from the environment, validated once at the edge. This is
// the only module that reads process.env; everything else receives a Config.
import { z } from 'zod';
import { parseSchedule, parseTimeZone, ScheduleError, type Schedule } from './schedule/cron.ts';

/** The embedded SQLite file, created on first use. */
export const DEFAULT_DATABASE_URL = 'file:./data/canary.db';

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** The health model file; the built-in default model when unset. */
  HEALTH_MODEL_FILE: z.string().min(1).optional(),
  /** The alert rules file (recovery cases); the built-in default rules when unset. */
  ALERT_RULES_FILE: z.string().min(1).optional(),
  // Read as given here, checked by slackConfig: only `canary serve` needs them.
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_API_URL: z.string().optional(),
  // Read as given here, checked by scheduleConfig: only the scheduler (canary serve) needs them.
  SCORING_SCHEDULE: z.string().default('daily 02:00'),
  SCORING_TZ: z.string().default('UTC'),
  DIGEST_CATCHUP_HOURS: z.string().default('6'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Slack's Web API; another base URL serves GovSlack, a proxy or a test double. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** What the Slack app needs: Socket Mode when there is an app-level token, else HTTP. */
export type SlackConfig = { botToken: string; apiUrl: string } & (
  { mode: 'socket'; appToken: string } | { mode: 'http'; signingSecret: string }
);

// Messages name what is wrong and where to find the right value, never the value:
// these are secrets. (A value given is text, so a type error means it is missing.)
const botToken = z
  .string({ error: "missing: the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page" })
  .regex(/^xoxb-[\w-]+$/, { error: 'expected a bot token, starting with xoxb- (not a user or app token)' });
const appToken = z.string().regex(/^xapp-[\w-]+$/, {
  error: 'expected an app-level token, starting with xapp- (Socket Mode); unset it for HTTP',
});
const signingSecret = z
  .string({
    error:
      "missing: the Signing Secret from the app's Basic Information page (HTTP mode; set SLACK_APP_TOKEN instead for Socket Mode)",
  })
  .regex(/^[A-Za-z0-9]+$/, { error: 'expected the Signing Secret: letters and digits only' });
const apiUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://slack.com/api/' })
  .refine((u) => !/[?#]/.test(u), { error: 'expected a base URL without ?query or #fragment' })
  // Method names are appended to it: https://slack.com/api/ + chat.postMessage.
  .transform((u) => (u.endsWith('/') ? u : `${u}/`))
  .default(DEFAULT_SLACK_API_URL);
const socketMode = z
  .object({ SLACK_BOT_TOKEN: botToken, SLACK_APP_TOKEN: appToken, SLACK_API_URL: apiUrl })
  .transform((v): SlackConfig => ({
    mode: 'socket',
    botToken: v.SLACK_BOT_TOKEN,
    appToken: v.SLACK_APP_TOKEN,
    apiUrl: v.SLACK_API_URL,
  }));
const httpMode = z
  .object({ SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: apiUrl })
  .transform((v): SlackConfig => ({
    mode: 'http',
    botToken: v.SLACK_BOT_TOKEN,
    signingSecret: v.SLACK_SIGNING_SECRET,
    apiUrl: v.SLACK_API_URL,
  }));

/**
 * The Slack settings `canary serve` needs, checked: a ConfigError names every
 * variable that is missing or malformed, in one message. Socket Mode receives events
 * over a connection opened with the app-level token, so only HTTP mode, where Slack's
 * requests must be verified, needs the signing secret.
 */
export function slackConfig(config: Config): SlackConfig {
  const parsed = (config.SLACK_APP_TOKEN === undefined ? httpMode : socketMode).safeParse(config);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(
      `canary serve needs the Slack app's settings in the environment:\n${lines.join('\n')}`,
    );
  }
  return parsed.data;
}

/** What the scheduler runs: the nightly scoring run (null: `off`, scored by other means) and how late a missed digest is still posted. */
export interface ScheduleConfig {
  scoring: { schedule: Schedule; timeZone: string } | null;
  catchupHours: number;
}

/** The scheduler's settings, checked: a ConfigError names every variable that is wrong, in one message. */
export function scheduleConfig(config: Config): ScheduleConfig {
  const problems: string[] = [];
  const read = <T>(variable: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      problems.push(`  ${variable}: ${err.message}`);
      return undefined;
    }
  };
  const off = config.SCORING_SCHEDULE.trim().toLowerCase() === 'off';
  const schedule = off ? null : read('SCORING_SCHEDULE', () => parseSchedule(config.SCORING_SCHEDULE));
  const timeZone = read('SCORING_TZ', () => parseTimeZone(config.SCORING_TZ));
  const catchupHours = Number(config.DIGEST_CATCHUP_HOURS);
  if (!(catchupHours >= 0 && catchupHours <= 168))
    problems.push('  DIGEST_CATCHUP_HOURS: expected a number of hours from 0 to 168 (a week)');
  if (problems.length)
    throw new ConfigError(`invalid schedule settings in the environment:\n${problems.join('\n')}`);
  return { scoring: schedule && timeZone ? { schedule, timeZone } : null, catchupHours };
}

/** Reads ./.env into process.env (variables already set win), when the file exists. */
export function loadDotEnv(file = '.env'): void {
  try {
    process.loadEnvFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
