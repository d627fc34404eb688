// Owns the recovery cases a digest lists as waiting for an owner: those not resolved
// and assigned to nobody, on accounts of the part of the book the digest covers (its
// filters, read as the digest reads them: storage/portfolio.ts filteredBook, on the
// latest completed scoring run's day), the longest waiting first, with how many there
// are in all. One query over the open cases, whose count stays small however large
// the book; the accounts shown are read for the cases listed only.
import type { CasesWaiting } from '../digest/prepare.ts';
import { filteredBook } from './portfolio.ts';
import { latestCompletedRun } from './snapshots.ts';

export const casesWaiting: CasesWaiting = async (db, filters, limit) => {
  const run = await latestCompletedRun(db);
  // No scored day, no book: the digest says there are no scores yet.
  if (!run) return { items: [], total: 0 };
  const { from, where } = filteredBook(filters, run.day);
  const rows = await db.$queryRaw<{ id: unknown; total: unknown }[]>`
    SELECT c.id, COUNT(*) OVER () AS total FROM recovery_cases c
    WHERE c.state <> 'resolved' AND c.assignee_slack_id IS NULL
      AND c.account_id IN (SELECT s.account_id ${from} WHERE ${where})
    ORDER BY c.opened_at, c.id
    LIMIT ${limit}`;
  if (!rows.length) return { items: [], total: 0 };
  const ids = rows.map((r) => Number(r.id));
  const cases = await db.recoveryCase.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      summary: true,
      openedAt: true,
      account: { select: { id: true, externalId: true, name: true, arr: true } },
    },
  });
  const byId = new Map(cases.map((c) => [c.id, c]));
  return {
    items: ids.flatMap((id) => {
      const c = byId.get(id);
      // Resolved or deleted between the two reads: left out.
      if (!c) return [];
      const { account: a } = c;
      return [
        {
          id: c.id,
          account: { accountId: a.id, externalId: a.externalId, name: a.name, arr: a.arr },
          reason: c.summary,
          openedAt: c.openedAt,
        },
      ];
    }),
    total: Number(rows[0]!.total),
  };
};
