// `canary accounts list|show`: what is in the book, from the terminal.
import type { Command } from 'commander';
import { countAccounts, listAccounts, signalSummary } from '../../storage/accounts.ts';
import { oneAccount, UserError, withDatabase } from '../context.ts';
import { day, int, money, table } from '../format.ts';

export function register(program: Command): void {
  const accounts = program.command('accounts').description('list and inspect accounts');
  accounts
    .command('list')
    .description('accounts by ARR, with filters')
    .option('--segment <segment>')
    .option('--industry <industry>')
    .option('--owner <email or Slack id>')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--offset <n>', 'skip this many', (v) => Number.parseInt(v, 10), 0)
    .option('--json', 'print JSON lines instead of a table')
    .action(
      async (options: {
        segment?: string;
        industry?: string;
        owner?: string;
        limit: number;
        offset: number;
        json?: boolean;
      }) => {
        if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 10_000)
          throw new UserError('--limit must be 1-10000', 2);
        if (!Number.isInteger(options.offset) || options.offset < 0)
          throw new UserError('--offset must be 0 or more', 2);
        await withDatabase(async ({ db }) => {
          const [rows, total] = await Promise.all([listAccounts(db, options), countAccounts(db, options)]);
          if (options.json) {
            for (const a of rows) console.log(JSON.stringify(a));
            return;
          }
          if (!rows.length)
            return console.log(
              total
                ? 'No accounts on this page.'
                : 'No accounts. Import some with: canary import accounts FILE (or try: canary demo)',
            );
          console.log(
            table(
              ['id', 'name', 'segment', 'industry', 'ARR', 'renewal', 'owner'],
              rows.map((a) => [
                a.externalId,
                a.name,
                a.segment ?? '-',
                a.industry ?? '-',
                money(a.arr),
                day(a.renewalDate),
                a.ownerEmail ?? '-',
              ]),
            ),
          );
          console.log(
            `\n${int(options.offset + 1)}-${int(options.offset + rows.length)} of ${int(total)} accounts`,
          );
        });
      },
    );
  accounts
    .command('show')
    .description('one account: its facts and the signals on file')
    .argument('<id or name>', 'external id, domain, or (part of) the name')
    .action(async (query: string) => {
      await withDatabase(async ({ db }) => {
        const a = await oneAccount(db, query);
        const s = await signalSummary(db, a.id);
        const lines: [string, string][] = [
          ['id', a.externalId],
          ['domain', a.domain ?? '-'],
          ['industry / segment', `${a.industry ?? '-'} / ${a.segment ?? '-'}`],
          ['lifecycle stage / plan', `${a.lifecycleStage ?? '-'} / ${a.plan ?? '-'}`],
          ['ARR', money(a.arr)],
          ['seats purchased', a.seatsPurchased === null ? '-' : int(a.seatsPurchased)],
          ['contract start / renewal', `${day(a.contractStart)} / ${day(a.renewalDate)}`],
          ['owner', [a.ownerEmail, a.ownerSlackId].filter(Boolean).join(' ') || '-'],
          [
            'usage',
            s.usageMetrics
              ? `${int(s.usageMetrics)} metric values, ${day(s.usageFrom)} to ${day(s.usageTo)}`
              : 'none',
          ],
          ['usage events', int(s.usageEvents)],
          ['tickets', `${int(s.tickets)} (${int(s.openTickets)} open or pending)`],
          [
            'survey responses',
            `${int(s.surveyResponses)}${s.latestNps ? `, latest NPS ${s.latestNps.score} on ${day(s.latestNps.at)}` : ''}`,
          ],
          ['sentiment notes', int(s.sentimentNotes)],
          ['CRM facts recorded', int(s.crmFacts)],
          [
            'outcomes',
            s.outcomes
              .map(
                (o) =>
                  `${o.kind} ${day(o.occurredOn)}${o.arrChange ? ` (${o.arrChange > 0 ? '+' : ''}${money(o.arrChange)})` : ''}`,
              )
              .join(', ') || 'none',
          ],
        ];
        if (a.attributes && typeof a.attributes === 'object') {
          for (const [k, v] of Object.entries(a.attributes)) lines.push([`attribute ${k}`, String(v)]);
        }
        const width = Math.max(...lines.map(([k]) => k.length));
        console.log(a.name);
        for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);
      });
    });
}
