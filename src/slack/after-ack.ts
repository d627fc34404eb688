// The work Canary does once Slack has its ack. Each task runs under a short reference:
// a failure is logged with it and reaches the user as a short private message carrying
// the same reference, never silence; a finished task logs how long it took. Tasks in
// flight are counted, so that shutdown can let them finish before the database closes.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../lib/log.ts';
import { errorMessage } from './blocks/errors.ts';
import type { SlackMessage } from './blocks/text.ts';

export interface Task {
  /** What is answered, for the log: `command`, `share`, `home`, ... */
  what: string;
  /** Fields for the log line (who asked, where); never a token or a response_url. */
  fields: Record<string, unknown>;
  work: () => Promise<void>;
  /** How the user hears of a failure (privately). */
  report: (message: SlackMessage) => Promise<unknown>;
}

export interface AfterAck {
  run(task: Task): Promise<void>;
  /** Resolves once no task is running. */
  idle(): Promise<void>;
}

const FAILURE = "something went wrong on Canary's side; please try again in a moment";

export function afterAck(logger: Logger): AfterAck {
  const running = new Set<Promise<void>>();

  async function attempt({ what, fields, work, report }: Task): Promise<void> {
    const started = performance.now();
    try {
      await work();
      logger.info({ answer: what, ...fields, ms: Math.round(performance.now() - started) }, 'answered');
    } catch (err) {
      const ref = randomBytes(4).toString('hex');
      logger.error({ answer: what, ...fields, ref, err }, 'could not answer');
      try {
        await report(errorMessage(FAILURE, ref));
      } catch (reportErr) {
        logger.error({ answer: what, ref, err: reportErr }, 'could not tell the user either');
      }
    }
  }

  return {
    run(task) {
      const done = attempt(task);
      running.add(done);
      return done.finally(() => running.delete(done));
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
