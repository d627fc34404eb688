// The recovery cases' background work in a running Canary: every 15 seconds, and at
// once when kicked (after a button changed a case, after scoring opened cases), one
// pass does what the clock owes (snoozes ended, reminders, escalations), sends the
// outbox and updates messages in place. Passes in a process never overlap: a kick
// during a pass asks for one more after it. Several replicas may run passes at the same
// moment: storage's claims and idempotency keys let each thing happen once.
import type { AlertRules } from '../cases/rules.ts';
import type { Logger } from '../lib/log.ts';
import { runDueActions, type OpenResult } from '../storage/cases.ts';
import { openCasesAfterScoring } from '../storage/cases-triggers.ts';
import type { Database } from '../storage/db.ts';
import type { CaseSender } from './cases-sender.ts';

export interface PassReport {
  woken: number;
  reminded: number;
  escalated: number;
  posted: number;
  failed: number;
  updated: number;
}

export interface CaseJobs {
  /** Passes every 15 s from now on, the first at once. */
  start(): void;
  /** A pass soon, without waiting for it. */
  kick(): void;
  /** A pass that starts after this call (after the one running, if any), and what it did. */
  tick(): Promise<PassReport>;
  /** Opens or adds to the cases of a scored day (after a scoring run), then kicks. */
  afterScoring(day: Date): Promise<OpenResult>;
  /** No more passes; resolves when the one running has finished. */
  stop(): Promise<void>;
}

export const PASS_EVERY_MS = 15_000;

export function caseJobs(deps: {
  database: Database;
  rules: AlertRules;
  sender: CaseSender;
  logger: Logger;
  clock: () => Date;
}): CaseJobs {
  const { database, rules, sender, clock } = deps;
  const log = deps.logger.child({ component: 'cases' });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** A pass asked for and not started yet: further asks join it. */
  let queued: Promise<PassReport> | null = null;
  /** The latest pass asked for, settled or not. */
  let latest: Promise<unknown> = Promise.resolve();

  async function pass(): Promise<PassReport> {
    const now = clock();
    const due = await runDueActions(database.db, rules, now);
    const sent = await sender.sendDue(now);
    const updated = await sender.updateDue();
    const report = { ...due, ...sent, updated };
    if (Object.values(report).some((n) => n > 0)) log.info(report, 'recovery cases: clock and outbox');
    return report;
  }

  function tick(): Promise<PassReport> {
    if (queued) return queued;
    const next = latest.then(() => {
      queued = null;
      return pass();
    });
    queued = next;
    latest = next.catch((err: unknown) =>
      log.error({ err }, 'recovery case pass failed; the next one tries again'),
    );
    return next;
  }

  const kick = () => {
    if (!stopped) tick().catch(() => {}); // logged by `latest`
  };

  return {
    start() {
      timer = setInterval(kick, PASS_EVERY_MS);
      timer.unref();
      kick();
    },
    kick,
    tick,
    async afterScoring(day) {
      const opened = await openCasesAfterScoring(database, rules, day, clock());
      log.info(
        { day, opened: opened.opened.length, updated: opened.updated.length, unchanged: opened.unchanged },
        'recovery cases after scoring',
      );
      kick();
      return opened;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await latest;
    },
  };
}
