// POST /api/v1/segment: Segment calls, one per request (Segment's webhook destination)
// or `{ "type": "batch", "batch": [...] }`. Looks up what the database knows about the
// calls' groups and users, plans the writes (ingest/segment.ts), writes accounts and
// usage events in one ingestion, then the contacts.
import { canonicalJson } from '../../ingest/fields.ts';
import type { Rejection } from '../../ingest/ingest.ts';
import {
  nextContactState,
  parseSegmentCalls,
  planSegmentWrites,
  referencedIds,
  segmentCalls,
  type ContactState,
  type ContactUpdate,
  type Known,
  type PlannedRecord,
  type SegmentCall,
  type SegmentPlan,
} from '../../ingest/segment.ts';
import type { Db, Prisma } from '../../storage/db.ts';
import {
  apiReason,
  checkItemCount,
  HttpError,
  ingestAll,
  ingested,
  invalidItems,
  isObject,
  typeCounts,
  type ApiRequest,
  type ItemError,
  type Reply,
  type TypeCounts,
} from '../api.ts';

export async function postSegment(request: ApiRequest): Promise<Reply> {
  const raw = segmentCalls(request.body);
  if (!raw)
    throw new HttpError(
      400,
      'invalid_body',
      'expected a Segment call (a JSON object with a type) or {"type": "batch", "batch": [...]}',
    );
  checkItemCount(raw.length, 'call');
  const parsed = parseSegmentCalls(raw);
  if (!parsed.ok) throw invalidItems(raw.length, 'call', parsed.invalid, parsed.problems);
  const { calls } = parsed;

  return request.write(async (session) => {
    const { db } = request.database;
    const known = await lookUp(db, referencedIds(calls));
    const plan = planSegmentWrites(calls, known, request.now);
    const outcome = await ingestAll(
      session,
      [
        { kind: 'accounts', records: plan.accounts },
        { kind: 'events', records: plan.events },
      ],
      request.now,
    );
    if (!outcome.ok)
      throw invalidItems(
        raw.length,
        'call',
        outcome.rejected,
        outcome.rejections.flatMap((r) => callErrors(calls, plan, r)),
      );
    // Contacts are written after the ingestion committed, outside its transaction. If
    // this fails, the request fails with a 5xx and Segment sends it again; every write
    // here is idempotent (accounts by groupId, events by messageId, contacts by
    // userId), so the retry completes the contacts and changes nothing else.
    const contacts = await saveContacts(db, plan.contacts, known, request.now);
    const counts = (kind: string) => typeCounts(outcome.counts.find((c) => c.kind === kind)!);
    return ingested(
      raw.length,
      { account: counts('accounts'), event: counts('events'), contact: contacts },
      { ignored: plan.ignored, unattributed: plan.unattributed, duplicates: plan.duplicates },
    );
  });
}

/** Which accounts and contacts exist, among those the calls name: one query each. */
async function lookUp(db: Db, ids: { groupIds: string[]; userIds: string[] }): Promise<Known> {
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

/** A rejected account or event, pointed back at the calls and fields its values came from. */
function callErrors(calls: SegmentCall[], plan: SegmentPlan, rejection: Rejection): ItemError[] {
  const records = rejection.kind === 'accounts' ? plan.accounts : plan.events;
  const record: PlannedRecord = records.find((r) => r.row === rejection.row)!;
  return rejection.problems.map((p) => {
    const source =
      p.column !== null && Object.hasOwn(record.sources, p.column)
        ? record.sources[p.column]!
        : { index: record.row - 1, field: p.column };
    return {
      index: source.index,
      type: calls[source.index]!.type,
      field: source.field,
      reason: apiReason(p),
    };
  });
}

/** Creates and updates the contacts the calls describe; a contact that would not change is not written. */
async function saveContacts(db: Db, updates: ContactUpdate[], known: Known, now: Date): Promise<TypeCounts> {
  const counts: TypeCounts = { records: updates.length, inserted: 0, updated: 0, unchanged: 0 };
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
