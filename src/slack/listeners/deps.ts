// What the listeners are given: the answers to send, the after-ack runner, the user
// directory, the memory of shares already posted, and the logger.
import type { Logger } from '../../lib/log.ts';
import type { AfterAck } from '../after-ack.ts';
import type { Answers } from '../answers.ts';
import type { Directory } from '../directory.ts';
import type { Once } from '../once.ts';

export interface ListenerDeps {
  answers: Answers;
  afterAck: AfterAck;
  directory: Directory;
  /** Share clicks already posted, so that a click delivered twice posts once. */
  shares: Once;
  logger: Logger;
}
