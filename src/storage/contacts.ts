// Contacts: the people at customer accounts that Segment identify and group calls
// describe. Reads which of them (and which accounts) exist, and writes the changes a
// Segment plan (ingest/segment.ts) asks for.
import { canonicalJson } from '../ingest/fields.ts';
import { nextContactState, type ContactState, type ContactUpdate, type Known } from '../ingest/segment.ts';
import { isObject } from '../lib/json.ts';
import type { Db, Prisma } from './db.ts';

export interface ContactCounts {
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Which accounts and contacts exist, among those the calls name: one query each. */
export async function findIdentities(db: Db, ids: { groupIds: string[]; userIds: string[] }): Promise<Known> {
  const [accounts, contacts] = await Promise.all([
    ids.groupIds.length
      ? db.account.findMany({ where: { externalId: { in: ids.groupIds } }, select: { externalId: true } })
      : [],
    ids.userIds.length
      ? db.contact.findMany({
          where: { externalId: { in: ids.userIds } },
          select: {
            externalId: true,
            email: true,
            name: true,
            traits: true,
            account: { select: { externalId: true } },
          },
        })
      : [],
  ]);
  return {
    accounts: new Set(accounts.map((a) => a.externalId)),
    contacts: new Map(
      contacts.map((c): [string, ContactState] => [
        c.externalId,
        {
          accountRef: c.account?.externalId ?? null,
          email: c.email,
          name: c.name,
          traits: isObject(c.traits) ? c.traits : null,
        },
      ]),
    ),
  };
}

/** Creates and updates the contacts the calls describe; a contact that would not change is not written. */
export async function saveContacts(
  db: Db,
  updates: ContactUpdate[],
  known: Known,
  now: Date,
): Promise<ContactCounts> {
  const counts: ContactCounts = { records: updates.length, inserted: 0, updated: 0, unchanged: 0 };
  const refs = [...new Set(updates.flatMap((u) => (u.accountRef ? [u.accountRef] : [])))];
  const accountIds = new Map(
    refs.length
      ? (
          await db.account.findMany({
            where: { externalId: { in: refs } },
            select: { id: true, externalId: true },
          })
        ).map((a) => [a.externalId, a.id])
      : [],
  );
  const writes = [];
  for (const update of updates) {
    const before = known.contacts.get(update.userId);
    const after = nextContactState(before, update);
    if (before && canonicalJson({ ...before }) === canonicalJson({ ...after })) {
      counts.unchanged++;
      continue;
    }
    const data = {
      email: after.email,
      name: after.name,
      traits: (after.traits ?? undefined) as Prisma.InputJsonObject | undefined,
      updatedAt: now,
      // The ingestion above created every account a call named, so the id is there.
      ...(update.accountRef ? { accountId: accountIds.get(update.accountRef) ?? null } : {}),
    };
    if (before) {
      counts.updated++;
      writes.push(db.contact.update({ where: { externalId: update.userId }, data }));
    } else {
      counts.inserted++;
      writes.push(db.contact.create({ data: { externalId: update.userId, ...data } }));
    }
  }
  if (writes.length) await db.$transaction(writes);
  return counts;
}
