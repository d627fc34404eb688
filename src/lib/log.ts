// Structured logging (pino). Secrets never reach a log line: known secret-bearing
// fields are redacted wherever they appear. Slack's tokens and signing secret are
// secrets, and so are a request's signature and response_url (whoever holds one can
// answer in the user's conversation for half an hour).
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      base: { app: 'canary' },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
          '*.password',
          'DATABASE_URL',
          'botToken',
          '*.botToken',
          'appToken',
          '*.appToken',
          'signingSecret',
          '*.signingSecret',
          'SLACK_BOT_TOKEN',
          'SLACK_APP_TOKEN',
          'SLACK_SIGNING_SECRET',
          '*.SLACK_BOT_TOKEN',
          '*.SLACK_APP_TOKEN',
          '*.SLACK_SIGNING_SECRET',
          'response_url',
          '*.response_url',
          'responseUrl',
          '*.responseUrl',
          'headers["x-slack-signature"]',
          '*.headers["x-slack-signature"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
