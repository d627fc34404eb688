// POST /api/v1/segment: Segment calls, one per request (Segment's webhook destination)
// or `{ "type": "batch", "batch": [...] }`. Looks up what the database knows about the
// calls' groups and users, plans the writes (ingest/segment.ts), writes accounts and
// usage events in one ingestion, then the contacts.
import type { Rejection } from '../../ingest/ingest.ts';
import {
  parseSegmentCalls,
  planSegmentWrites,
  referencedIds,
  segmentCalls,
  type PlannedRecord,
  type SegmentCall,
  type SegmentPlan,
} from '../../ingest/segment.ts';
import { findIdentities, saveContacts } from '../../storage/contacts.ts';
import {
  apiReason,
  checkItemCount,
  HttpError,
  ingestAll,
  ingested,
  invalidItems,
  typeCounts,
  type ApiRequest,
  type ItemError,
  type Reply,
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
    const known = await findIdentities(db, referencedIds(calls));
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
