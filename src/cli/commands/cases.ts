// `canary cases`: list recovery cases, and show one with its whole audit trail and
// where its alert stands. Also the step `canary score` and `canary demo` end with:
// opening (or adding to) the cases of the day they scored last.
import type { Command } from 'commander';
import { STATES } from '../../cases/case.ts';
import { AlertRulesError, loadRules, type AlertRules } from '../../cases/rules.ts';
import { caseWithEvents, casesFor, type CaseMessage, type StateFilter } from '../../storage/cases.ts';
import { openCasesAfterScoring } from '../../storage/cases-triggers.ts';
import type { Database } from '../../storage/db.ts';
import { getConfig, oneAccount, UserError, withDatabase } from '../context.ts';
import { int, money, table } from '../format.ts';

/** The alert rules: ALERT_RULES_FILE, or the built-in default. */
export function getAlertRules(): AlertRules {
  const file = getConfig().ALERT_RULES_FILE;
  try {
    return file ? loadRules(file) : loadRules();
  } catch (err) {
    throw err instanceof AlertRulesError ? new UserError(err.message) : err;
  }
}

/** After scoring: opens or adds to the cases of `day` and says how many. */
export async function casesAfterScoring(database: Database, day: Date): Promise<void> {
  const result = await openCasesAfterScoring(database, getAlertRules(), day, new Date());
  console.log(
    `Recovery cases: ${int(result.opened.length)} opened, ${int(result.updated.length)} added to, ${int(result.unchanged)} already known (see \`canary cases list\`).`,
  );
}

const STATE_CHOICES = [...STATES, 'unresolved', 'any'] as const;

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

interface ListOptions {
  state: string;
  account?: string;
  limit: string;
}

export function register(program: Command): void {
  const cases = program
    .command('cases')
    .description('recovery cases: list them, or show one with its audit trail');

  cases
    .command('list')
    .description('list recovery cases, newest first (default: those not resolved)')
    .option('--state <state>', `${STATE_CHOICES.join(', ')}`, 'unresolved')
    .option('--account <account>', "one account's cases (id, domain or name)")
    .option('--limit <n>', 'how many', '50')
    .action(async (options: ListOptions) => {
      if (!(STATE_CHOICES as readonly string[]).includes(options.state))
        throw new UserError(`--state expects one of ${STATE_CHOICES.join(', ')}, got "${options.state}"`, 2);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new UserError('--limit must be a whole number from 1 to 10000', 2);
      await withDatabase(async ({ db }) => {
        const filter = options.account
          ? { kind: 'account' as const, accountId: (await oneAccount(db, options.account)).id }
          : { kind: 'all' as const };
        const { cases: found, total } = await casesFor(db, filter, {
          state: options.state as StateFilter,
          limit,
        });
        if (!found.length) {
          console.log('No recovery cases match.');
          return;
        }
        console.log(
          table(
            ['case', 'state', 'reason', 'account', 'ARR', 'assignee', 'opened', 'what happened'],
            found.map(({ case: c, account: a }) => [
              c.id,
              c.state,
              c.reason,
              clip(`${a.externalId} ${a.name}`, 40),
              money(a.arr),
              c.assigneeSlackId ?? '-',
              when(c.openedAt),
              clip(c.summary, 60),
            ]),
          ),
        );
        if (total > found.length) console.log(`…and ${int(total - found.length)} more (--limit)`);
      });
    });

  cases
    .command('show <id>')
    .description('one case: its account, state, outcome, alert and full audit trail')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new UserError(`expected a case number, got "${id}"`, 2);
      await withDatabase(async ({ db }) => {
        const found = await caseWithEvents(db, Number(id));
        if (!found) throw new UserError(`there is no case #${id}`);
        const { case: c, account: a, message } = found;
        const lines = [
          `Case #${c.id}: ${c.reason} on ${a.name} (${a.externalId}), ${c.state}`,
          `  what happened: ${c.summary}${c.timesFired > 1 ? ` (fired ${c.timesFired} times, latest ${when(c.lastFiredAt)})` : ''}`,
          `  opened ${when(c.openedAt)}, version ${c.version}`,
          `  owner: ${a.ownerSlackId ?? a.ownerEmail ?? '-'}; assignee: ${c.assigneeSlackId ?? '-'}${c.dueOn ? `, due ${c.dueOn.toISOString().slice(0, 10)}` : ''}`,
        ];
        if (c.snoozedUntil) lines.push(`  snoozed until ${when(c.snoozedUntil)}`);
        if (c.state === 'resolved')
          lines.push(`  outcome: ${c.outcome ?? '-'}${c.note ? `; note: ${c.note}` : ''}`);
        lines.push(`  alert: ${messageLine(found.channel, message)}`);
        console.log(lines.join('\n'));
        console.log(
          `\n${table(
            ['at', 'who', 'action', 'from', 'to', 'note / details'],
            found.events.map((e) => [
              when(e.at),
              e.actor,
              e.action,
              e.fromState ?? '-',
              e.toState,
              clip(
                [e.note, e.details ? JSON.stringify(e.details) : null].filter(Boolean).join(' ') || '-',
                80,
              ),
            ]),
          )}`,
        );
      });
    });
}

function messageLine(channel: string | null, m: CaseMessage | null): string {
  if (!channel) return 'none: the alert rules route it to no channel';
  if (!m) return `to ${channel}, not queued`;
  const where = m.kind === 'summary' ? `in the budget summary of ${channel}` : `to ${channel}`;
  if (m.status === 'sent') return `${where}, posted (ts ${m.ts})`;
  const error = m.lastError ? `; last error: ${m.lastError}` : '';
  return `${where}, ${m.status} after ${m.attempts} attempt${m.attempts === 1 ? '' : 's'}${error}`;
}
