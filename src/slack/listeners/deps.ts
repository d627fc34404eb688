// What the listeners are given: the answers to send, the after-ack runner, the user
// directory, the memory of shares already posted, recovery cases, and the logger.
import type { AlertRules } from '../../cases/rules.ts';
import type { Logger } from '../../lib/log.ts';
import type { Db } from '../../storage/db.ts';
import type { AfterAck } from '../after-ack.ts';
import type { Answers } from '../answers.ts';
import type { CaseMessages } from '../cases.ts';
import type { Directory } from '../directory.ts';
import type { Once } from '../once.ts';

/** What the case buttons and modals need: storage, the alert rules, the clock, the messages, and the outbox. */
export interface CaseDeps {
  db: Db;
  rules: AlertRules;
  now: () => Date;
  messages: CaseMessages;
  /** Asks the case jobs for a pass now: the alert updated in place, its thread line and DMs sent. */
  kick(): void;
}

export interface ListenerDeps {
  answers: Answers;
  afterAck: AfterAck;
  directory: Directory;
  /** Share clicks already posted, so that a click delivered twice posts once. */
  shares: Once;
  cases: CaseDeps;
  logger: Logger;
}
