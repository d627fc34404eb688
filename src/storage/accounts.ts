// Reading accounts: listing with filters, finding one by id, domain or name, and a
// per-account summary of the signals on file. Every question is a query; no table is
// read whole.
import { Prisma, type Db } from './db.ts';

export interface AccountFilter {
  segment?: string;
  industry?: string;
  owner?: string;
  limit?: number;
  offset?: number;
}

/** The accounts a filter selects: one definition for the page and its count. */
function accountWhere(filter: AccountFilter) {
  return {
    segment: filter.segment,
    industry: filter.industry,
    ...(filter.owner ? { OR: [{ ownerEmail: filter.owner }, { ownerSlackId: filter.owner }] } : {}),
  };
}

export function listAccounts(db: Db, filter: AccountFilter = {}) {
  return db.account.findMany({
    where: accountWhere(filter),
    orderBy: [{ arr: 'desc' }, { name: 'asc' }],
    take: filter.limit ?? 50,
    skip: filter.offset ?? 0,
  });
}

export function countAccounts(db: Db, filter: AccountFilter = {}) {
  return db.account.count({ where: accountWhere(filter) });
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Accounts matching what a person typed: the external id, the domain or the name
 * exactly (ignoring case) if any account has it; otherwise names containing it.
 */
export async function findAccounts(db: Db, query: string, limit = 10) {
  const q = query.trim();
  if (!q) return [];
  const exact = await db.account.findUnique({ where: { externalId: q } });
  if (exact) return [exact];
  const lower = q.toLowerCase();
  const rows = await db.$queryRaw<{ id: number }[]>(
    Prisma.sql`SELECT id FROM accounts WHERE lower(name) = ${lower} OR lower(domain) = ${lower} ORDER BY name LIMIT ${limit}`,
  );
  const ids = rows.length
    ? rows
    : await db.$queryRaw<{ id: number }[]>(
        Prisma.sql`SELECT id FROM accounts WHERE lower(name) LIKE ${`%${escapeLike(lower)}%`} ESCAPE '\\' ORDER BY name LIMIT ${limit}`,
      );
  if (!ids.length) return [];
  return db.account.findMany({
    where: { id: { in: ids.map((r) => Number(r.id)) } },
    orderBy: { name: 'asc' },
  });
}

/** What is on file for an account: counts and the latest dates of each signal. */
export async function signalSummary(db: Db, accountId: number) {
  const [usage, lastUsage, events, tickets, openTickets, surveys, lastNps, notes, outcomes, facts] =
    await Promise.all([
      db.usageMetric.count({ where: { accountId } }),
      db.usageMetric.aggregate({ where: { accountId }, _max: { day: true }, _min: { day: true } }),
      db.usageEvent.count({ where: { accountId } }),
      db.ticket.count({ where: { accountId } }),
      db.ticket.count({ where: { accountId, status: { in: ['open', 'pending'] } } }),
      db.surveyResponse.count({ where: { accountId } }),
      db.surveyResponse.findFirst({ where: { accountId, kind: 'nps' }, orderBy: { respondedAt: 'desc' } }),
      db.sentimentNote.count({ where: { accountId } }),
      db.accountOutcome.findMany({ where: { accountId }, orderBy: { occurredOn: 'desc' }, take: 5 }),
      db.crmFact.count({ where: { accountId } }),
    ]);
  return {
    usageMetrics: usage,
    usageFrom: lastUsage._min.day,
    usageTo: lastUsage._max.day,
    usageEvents: events,
    tickets,
    openTickets,
    surveyResponses: surveys,
    latestNps: lastNps ? { score: lastNps.score, at: lastNps.respondedAt } : null,
    sentimentNotes: notes,
    outcomes,
    crmFacts: facts,
  };
}
