// What the listeners are given: the answers to send, the after-ack runner, the user
// directory, the memory of shares already posted, recovery cases, digests, and the logger.
import type { AlertRules } from '../../cases/rules.ts';
import type { Allowed } from '../../digest/manage.ts';
import type { DigestSources } from '../../digest/prepare.ts';
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

/** What `/health digest …` needs: storage, what a preview is made of, who may change digests, the clock. */
export interface DigestDeps {
  db: Db;
  /** The model in use, the day scores are expected of, the app's chart uploads, the cases waiting. */
  sources(): DigestSources;
  /** Who may subscribe and unsubscribe channels and list every channel's digest (slack/digests.ts). */
  allowed: Allowed;
  /** Whether that is the rules' managers only (else anyone), for the help to say. */
  managersOnly: boolean;
  now: () => Date;
}

export interface ListenerDeps {
  answers: Answers;
  afterAck: AfterAck;
  directory: Directory;
  /** Share clicks already posted, so that a click delivered twice posts once. */
  shares: Once;
  cases: CaseDeps;
  digests: DigestDeps;
  logger: Logger;
}
