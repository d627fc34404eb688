// `canary digest subscribe|unsubscribe|pause|resume|list|preview`: channels' digests
// from the terminal. Subscribing a channel again replaces its settings; preview prints
// the digest the channel would get now, as text or as the message's Block Kit JSON.
import type { Command } from 'commander';
import { scheduleConfig } from '../../config.ts';
import type { Digest } from '../../digest/compose.ts';
import {
  DigestPermissionError,
  listDigests,
  pauseChannel,
  previewChannel,
  subscribeChannel,
  unsubscribeChannel,
  type ListedDigest,
} from '../../digest/manage.ts';
import { DigestInputError, describeFilters } from '../../digest/subscription.ts';
import { expectedScoresDay } from '../../schedule/scoring.ts';
import { localTime } from '../../schedule/slots.ts';
import { getConfig, getModel, UserError, withDatabase } from '../context.ts';
import { day, int, money, table } from '../format.ts';

const CLI = { userId: 'cli', allowed: () => true } as const;

interface SubscribeOptions {
  schedule: string;
  tz: string;
  segment?: string;
  industry?: string;
  owner?: string;
  minArr?: string;
  tier?: string;
  sections?: string;
}

/** A digest's problem as the user's to fix. */
async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DigestInputError) throw new UserError(err.problems.join('\n'), 2);
    if (err instanceof DigestPermissionError) throw new UserError(err.message);
    throw err;
  }
}

const next = (d: ListedDigest) => (d.next ? localTime(d.next, d.timeZone) : d.paused ? 'paused' : '-');

export function register(program: Command): void {
  const digest = program.command('digest').description("manage channels' digests (posted by canary serve)");
  digest
    .command('subscribe')
    .description("subscribe a channel to a digest, or change its digest's settings")
    .argument('<channel>', 'the Slack channel id, e.g. C0123456789')
    .requiredOption(
      '--schedule <when>',
      '"weekdays 09:00", "daily 08:30", "mondays 09:00" or a cron expression',
    )
    .requiredOption('--tz <zone>', 'IANA time zone the schedule is read in, e.g. Europe/Paris')
    .option('--segment <segment>')
    .option('--industry <industry>')
    .option('--owner <email or Slack id>')
    .option('--min-arr <amount>', 'only accounts with at least this ARR, e.g. 50000 or 50k')
    .option('--tier <tiers>', 'only accounts in these risk tiers, e.g. high,critical')
    .option('--sections <sections>', 'at-risk,dropped,referrals,renewals,cases,charts (default: all)')
    .action(async (channel: string, o: SubscribeOptions) => {
      await withDatabase(({ db }) =>
        asUserError(async () => {
          const now = new Date();
          const { digest: d, created } = await subscribeChannel(
            db,
            { channelId: channel, userId: CLI.userId },
            {
              schedule: o.schedule,
              timeZone: o.tz,
              segment: o.segment,
              industry: o.industry,
              owner: o.owner,
              minArr: o.minArr,
              tiers: o.tier,
              sections: o.sections,
            },
            { allowed: CLI.allowed, now },
          );
          console.log(
            `${created ? 'Subscribed' : 'Updated'} ${d.channelId}: ${d.schedule} (${d.timeZone}), ` +
              `${describeFilters(d.filters) ?? 'the whole book'}; sections ${d.sections.join(', ')}. Next: ${next(d)}.`,
          );
        }),
      );
    });
  digest
    .command('unsubscribe')
    .description("remove a channel's digest")
    .argument('<channel>')
    .action(async (channel: string) => {
      await withDatabase(({ db }) =>
        asUserError(async () => {
          if (!(await unsubscribeChannel(db, { channelId: channel, userId: CLI.userId }, CLI)))
            throw new UserError(`${channel} has no digest`);
          console.log(`Unsubscribed ${channel}.`);
        }),
      );
    });
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    digest
      .command(name)
      .description(
        paused ? "pause a channel's digest" : "resume a channel's digest (missed slots are not caught up)",
      )
      .argument('<channel>')
      .action(async (channel: string) => {
        await withDatabase(({ db }) =>
          asUserError(async () => {
            const d = await pauseChannel(db, { channelId: channel, userId: CLI.userId }, paused, {
              ...CLI,
              now: new Date(),
            });
            if (!d) throw new UserError(`${channel} has no digest`);
            console.log(paused ? `Paused ${d.channelId}.` : `Resumed ${d.channelId}. Next: ${next(d)}.`);
          }),
        );
      });
  }
  digest
    .command('list')
    .description('every digest: channel, schedule, filters, sections, next slot, last error')
    .option('--json')
    .action(async ({ json }: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        const digests = await listDigests(db, new Date());
        if (json) return console.log(JSON.stringify(digests, null, 2));
        if (!digests.length)
          return console.log(
            'No digests. Subscribe a channel with: canary digest subscribe CHANNEL --schedule ... --tz ...',
          );
        console.log(
          table(
            ['channel', 'schedule', 'filters', 'sections', 'next', 'last error'],
            digests.map((d) => [
              d.channelId,
              `${d.schedule} (${d.timeZone})`,
              describeFilters(d.filters) ?? 'whole book',
              d.sections.join(','),
              next(d),
              d.lastError ? `${d.lastError} (${day(d.lastErrorAt)})` : '-',
            ]),
          ),
        );
      });
    });
  digest
    .command('preview')
    .description("the channel's digest as it would be posted now (the whole book's when it has none)")
    .argument('<channel>')
    .option('--json', "print the message's Block Kit JSON")
    .action(async (channel: string, { json }: { json?: boolean }) => {
      const { scoring } = scheduleConfig(getConfig());
      const model = getModel();
      await withDatabase(({ db }) =>
        asUserError(async () => {
          const preview = await previewChannel(
            { db, model, expectedDay: (at) => expectedScoresDay(scoring, at) },
            channel,
            new Date(),
          );
          if (json) return console.log(JSON.stringify(preview.message, null, 2));
          if (!preview.subscribed) console.log(`${channel} has no digest; this is the whole book's.\n`);
          console.log(formatDigest(preview.digest));
        }),
      );
    });
}

/** A digest for the terminal. */
export function formatDigest(d: Digest): string {
  const out = [`Canary digest${d.filterText ? `: ${d.filterText}` : ''}`];
  if (!d.day || !d.portfolio)
    return [...out, 'No scores yet: Canary has not completed a scoring run.'].join('\n');
  out.push(`Scores of ${day(d.day)}; changes since ${day(d.since)}`);
  if (d.staleSince)
    out.push(`! The scoring of ${day(d.staleSince)} has not completed: these scores are older.`);
  const p = d.portfolio;
  const one = (n: number | null) => (n === null ? '-' : n.toFixed(1));
  const change =
    d.averageChange === null ? '' : ` (${d.averageChange > 0 ? '+' : ''}${d.averageChange.toFixed(1)})`;
  out.push(
    '',
    `Average Health Index ${one(p.averageIndex)}${change} · at risk ${Math.round(p.atRiskShare * 100)}%, ${money(p.arrAtRisk)} ARR · ` +
      `referral-ready ${Math.round(p.referralReadyRate * 100)}% · ${int(p.scored)} accounts scored`,
  );
  const who = (a: { name: string; externalId: string }) => `${a.name} (${a.externalId})`;
  const list = <T>(title: string, l: { items: T[]; total: number } | null, line: (item: T) => string) => {
    if (!l) return;
    out.push('', `${title}: ${int(l.total)}`);
    for (const item of l.items) out.push(`  ${line(item)}`);
    if (l.total > l.items.length) out.push(`  …and ${int(l.total - l.items.length)} more`);
  };
  list(
    'At risk, most valuable first',
    d.atRisk,
    (a) =>
      `[tier ${a.valueTier}] ${who(a)}: ${one(a.healthIndex)} ${a.riskTier}, ${money(a.arr)} ARR\n      ${a.explanation}`,
  );
  list(
    `Dropped since ${day(d.since)}`,
    d.dropped,
    (m) => `${who(m)}: ${one(m.from)} -> ${one(m.to)}  ${m.explanation}`,
  );
  list(
    'Referral-ready, newly ready first',
    d.referrals,
    (a) => `${who(a)}${a.newlyReady ? ' (new)' : ''}: readiness ${one(a.referralScore)}; ask for ${a.ask}`,
  );
  list(
    'Renewals in the next 90 days with weak scores',
    d.renewals,
    (r) =>
      `${who(r)}: renews ${day(r.renewalDate)} (${r.daysToRenewal} days), ${one(r.healthIndex)} ${r.riskTier ?? ''}`,
  );
  list('Open cases waiting for an owner', d.cases, (c) => `#${c.id} ${who(c.account)}: ${c.reason}`);
  return out.join('\n');
}
