// Drives the scheduler in a running process (`canary serve`): a node-cron task ticks
// at the start of every minute, without overlapping itself (a slow tick lets the next
// minute's go), plus one tick at start so that what was missed while the process was
// down is caught up at once. Everything else (slots, time zones, claims) is the
// scheduler's: this is only the clock that calls it.
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/log.ts';
import { createScheduler, type Scheduler, type SchedulerDeps } from './scheduler.ts';

export interface RunningScheduler {
  scheduler: Scheduler;
  /** Stops ticking; resolves when the work in flight is done. */
  stop(): Promise<void>;
}

export function startScheduler(deps: SchedulerDeps): RunningScheduler {
  const scheduler = createScheduler(deps);
  const log = deps.logger.child({ component: 'scheduler', instance: scheduler.instance });
  const tick = () =>
    scheduler
      .tick()
      .catch((err: unknown) => log.error({ err }, 'scheduler tick failed; the next one tries again'));
  const task: ScheduledTask = createTask('* * * * *', tick, {
    name: 'canary-scheduler',
    noOverlap: true,
    logger: cronLogger(log),
  });
  void task.start();
  void tick();
  log.info('scheduler started: digests and the nightly scoring run, checked every minute');
  return {
    scheduler,
    async stop() {
      await task.destroy();
      await scheduler.stop();
    },
  };
}

/** node-cron's messages as Canary's log lines. */
function cronLogger(log: Logger) {
  return {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error, err?: Error) => log.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error) => log.debug(String(message)),
  };
}
