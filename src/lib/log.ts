// Structured logging (pino). Secrets never reach a log line: known secret-bearing
// fields are redacted wherever they appear.
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
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
