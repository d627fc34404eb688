// Segment calls (identify, group, track, page, screen, alias) in Canary's terms: the
// zod shapes a call must have, and the plan of writes a list of calls turns into:
// group calls become accounts, track/page/screen calls become usage events of an
// account, identify and group calls become contacts (so a later track call without a
// group id is attributed to its user's account). Pure: the caller looks up what the
// database already knows and carries the plan out.
import { z } from 'zod';
import { parseTimestamp } from './fields.ts';
import { isObject } from '../lib/json.ts';

const SEGMENT_CALL_TYPES = ['identify', 'group', 'track', 'page', 'screen', 'alias'] as const;

// Segment ids are strings, but some libraries send numbers; both are kept as text.
const idValue = z.union(
  [
    z
      .string()
      .max(200, { error: 'longer than 200 characters' })
      .refine((s) => s.trim() !== '', { error: 'must not be empty' }),
    z.number().finite(),
  ],
  { error: (issue) => (issue.input === undefined ? 'required' : 'expected a non-empty string or a number') },
);
const asId = (v: string | number) => String(v).trim();

const when = z
  .string({ error: 'expected an ISO 8601 timestamp' })
  .refine((s) => parseTimestamp(s.trim()) !== null, {
    error: 'expected an ISO 8601 timestamp such as 2026-03-31T14:05:00.000Z',
  });

const jsonObject = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' });
/** Properties of track/page/screen calls; a group id among them attributes the event. */
const properties = z.looseObject({ groupId: idValue.nullish() }, { error: 'expected a JSON object' });

const common = {
  messageId: z
    .string({ error: 'expected a string' })
    .max(200, { error: 'longer than 200 characters' })
    .optional(),
  userId: idValue.nullish(),
  anonymousId: idValue.nullish(),
  timestamp: when.nullish(),
  originalTimestamp: when.nullish(),
  receivedAt: when.nullish(),
  context: z.looseObject({ groupId: idValue.nullish() }, { error: 'expected a JSON object' }).nullish(),
};
// Events are stored under their messageId, which is what makes a re-sent call a no-op.
const eventId = z
  .string({ error: 'required (it identifies the event when Segment retries)' })
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'longer than 200 characters' });
const text = (max: number) =>
  z.string({ error: 'expected text' }).max(max, { error: `longer than ${max} characters` });

const identify = z.looseObject({
  ...common,
  type: z.literal('identify'),
  traits: z
    .looseObject(
      {
        email: text(320).nullish(),
        name: text(300).nullish(),
        firstName: text(150).nullish(),
        lastName: text(150).nullish(),
        company: z.looseObject({ id: idValue.nullish() }, { error: 'expected a JSON object' }).nullish(),
      },
      { error: 'expected a JSON object' },
    )
    .nullish(),
});
const group = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: idValue,
  traits: jsonObject.nullish(),
});
const track = z.looseObject({
  ...common,
  type: z.literal('track'),
  messageId: eventId,
  event: z.string({ error: 'required' }).refine((s) => s.trim() !== '', { error: 'must not be empty' }),
  properties: properties.nullish(),
});
/** page and screen calls have the same shape. */
const view = <T extends 'page' | 'screen'>(type: T) =>
  z.looseObject({
    ...common,
    type: z.literal(type),
    messageId: eventId,
    name: text(250).nullish(),
    properties: properties.nullish(),
  });
const page = view('page');
const screen = view('screen');
const alias = z.looseObject({ ...common, type: z.literal('alias') });
const call = z.discriminatedUnion('type', [identify, group, track, page, screen, alias]);

export type SegmentCall = z.infer<typeof call>;

/** A problem with one call of a request: which call (0-based), which of its fields, why. */
export interface CallProblem {
  index: number;
  type: string | null;
  field: string | null;
  reason: string;
}

/** The calls a request body holds: one call, or Segment's `{ type: 'batch', batch: [...] }`. */
export function segmentCalls(body: unknown): unknown[] | null {
  if (!isObject(body)) return null;
  if (body.type === 'batch') return Array.isArray(body.batch) ? body.batch : null;
  return [body];
}

/** Validates calls; every problem of every call, or the typed calls. */
export function parseSegmentCalls(
  raw: unknown[],
): { ok: true; calls: SegmentCall[] } | { ok: false; problems: CallProblem[]; invalid: number } {
  const calls: SegmentCall[] = [];
  const problems: CallProblem[] = [];
  let invalid = 0;
  raw.forEach((value, index) => {
    if (!isObject(value)) {
      invalid++;
      problems.push({ index, type: null, field: null, reason: 'expected a JSON object' });
      return;
    }
    const type = value.type;
    if (typeof type !== 'string' || !(SEGMENT_CALL_TYPES as readonly string[]).includes(type)) {
      invalid++;
      const got =
        typeof type === 'string' ? `"${type.slice(0, 40)}"` : type === undefined ? 'none' : 'a non-string';
      problems.push({
        index,
        type: null,
        field: 'type',
        reason: `expected one of ${SEGMENT_CALL_TYPES.join(', ')}, got ${got}`,
      });
      return;
    }
    const parsed = call.safeParse(value);
    if (parsed.success) calls.push(parsed.data);
    else {
      invalid++;
      for (const issue of parsed.error.issues)
        problems.push({ index, type, field: issue.path.join('.') || null, reason: issue.message });
    }
  });
  return invalid ? { ok: false, problems, invalid } : { ok: true, calls };
}

/** What the database knows about a user (a Contact), as far as Segment calls change it. */
export interface ContactState {
  /** External id of the user's account. */
  accountRef: string | null;
  email: string | null;
  name: string | null;
  traits: Record<string, unknown> | null;
}

/** What calls of one request say about a user; absent fields leave the contact as it is. */
export interface ContactUpdate {
  userId: string;
  accountRef?: string;
  email?: string;
  name?: string;
  traits?: Record<string, unknown>;
}

/** Which ids the calls mention: look these up before planning. */
export function referencedIds(calls: SegmentCall[]): { groupIds: string[]; userIds: string[] } {
  const groupIds = new Set<string>();
  const userIds = new Set<string>();
  for (const c of calls) {
    if (c.userId != null) userIds.add(asId(c.userId));
    const ref = groupRef(c);
    if (ref) groupIds.add(ref.id);
  }
  return { groupIds: [...groupIds], userIds: [...userIds] };
}

/** What the database already holds, for the ids referencedIds named. */
export interface Known {
  /** External ids of accounts that exist. */
  accounts: ReadonlySet<string>;
  contacts: ReadonlyMap<string, ContactState>;
}

/** Where a staged value came from: the call (0-based) and its field, for error reports. */
export interface CallField {
  index: number;
  field: string | null;
}

/** A record for one import kind, with the call field behind each of its fields. */
export interface PlannedRecord {
  row: number;
  fields: Record<string, unknown>;
  sources: Record<string, CallField>;
}

export interface SegmentPlan {
  /** Records of the accounts kind: group calls, and stubs for group ids not known yet. */
  accounts: PlannedRecord[];
  /** Records of the events kind. */
  events: PlannedRecord[];
  contacts: ContactUpdate[];
  /** Calls Canary has no use for (alias, identify without a userId). */
  ignored: number;
  /** Events whose account could not be told (no group id, user not linked to an account). */
  unattributed: number;
  /** Events whose messageId an earlier call of the same request already had. */
  duplicates: number;
}

// Group traits that are fields of the accounts kind, under names the kind accepts
// (`website` is an alias of domain, `seats` of seats_purchased). Other traits, such as
// `employees`, have no account field: employees are not seats bought.
const GROUP_TRAITS = ['name', 'industry', 'plan', 'arr', 'seats'] as const;
const DOMAIN_TRAITS = ['domain', 'website'] as const;

/** The account a call names directly, and in which field. */
function groupRef(c: SegmentCall): { id: string; field: string } | null {
  const pick = (value: string | number | null | undefined, field: string) =>
    value == null ? null : { id: asId(value), field };
  switch (c.type) {
    case 'group':
      return pick(c.groupId, 'groupId');
    case 'identify':
      return pick(c.traits?.company?.id, 'traits.company.id') ?? pick(c.context?.groupId, 'context.groupId');
    case 'track':
    case 'page':
    case 'screen':
      return pick(c.context?.groupId, 'context.groupId') ?? pick(c.properties?.groupId, 'properties.groupId');
    case 'alias':
      return null;
  }
}

/**
 * Turns validated calls into writes, in call order. An account is named by a group
 * call's `name` trait; a group id nobody named yet gets itself as its name, and an
 * existing account's name is never replaced by its group id. A track/page/screen
 * call without a group id is attributed through its user: a link made by a group or
 * identify call earlier in the same request, else the user's contact on file.
 */
export function planSegmentWrites(calls: SegmentCall[], known: Known, now: Date): SegmentPlan {
  const accounts = new Map<string, PlannedRecord>();
  const events: PlannedRecord[] = [];
  const contacts = new Map<string, ContactUpdate>();
  const links = new Map<string, string>();
  const eventIds = new Set<string>();
  const plan: SegmentPlan = {
    accounts: [],
    events,
    contacts: [],
    ignored: 0,
    unattributed: 0,
    duplicates: 0,
  };

  const account = (id: string, source: CallField): PlannedRecord => {
    let record = accounts.get(id);
    if (!record) {
      record = { row: source.index + 1, fields: { external_id: id }, sources: { external_id: source } };
      accounts.set(id, record);
    }
    return record;
  };
  const contact = (userId: string): ContactUpdate => {
    let update = contacts.get(userId);
    if (!update) contacts.set(userId, (update = { userId }));
    return update;
  };

  calls.forEach((c, index) => {
    const userId = c.userId == null ? null : asId(c.userId);
    const ref = groupRef(c);
    switch (c.type) {
      case 'group': {
        const record = account(ref!.id, { index, field: ref!.field });
        setTraits(record, c.traits ?? {}, index);
        if (userId) {
          contact(userId).accountRef = ref!.id;
          links.set(userId, ref!.id);
        }
        return;
      }
      case 'identify': {
        if (!userId) {
          plan.ignored++;
          return;
        }
        const update = contact(userId);
        const traits = c.traits ?? {};
        if (traits.email != null) update.email = traits.email;
        const name =
          traits.name ?? ([traits.firstName, traits.lastName].filter((n) => n != null).join(' ') || null);
        if (name != null) update.name = name;
        if (c.traits) update.traits = { ...update.traits, ...c.traits };
        if (ref) {
          if (!known.accounts.has(ref.id)) account(ref.id, { index, field: ref.field });
          update.accountRef = ref.id;
          links.set(userId, ref.id);
        }
        return;
      }
      case 'track':
      case 'page':
      case 'screen': {
        if (eventIds.has(c.messageId)) {
          plan.duplicates++;
          return;
        }
        eventIds.add(c.messageId);
        const linked = userId ? (links.get(userId) ?? known.contacts.get(userId)?.accountRef ?? null) : null;
        const accountRef = ref?.id ?? linked;
        if (!accountRef) {
          plan.unattributed++;
          return;
        }
        if (ref && !known.accounts.has(ref.id)) account(ref.id, { index, field: ref.field });
        events.push(eventRecord(c, index, accountRef, ref?.field ?? 'userId', now));
        return;
      }
      case 'alias':
        plan.ignored++;
        return;
    }
  });

  for (const [id, record] of accounts) {
    if (!known.accounts.has(id) && record.fields.name === undefined) {
      record.fields.name = id;
      record.sources.name = record.sources.external_id!;
    }
  }
  plan.accounts = [...accounts.values()];
  plan.contacts = [...contacts.values()];
  return plan;
}

/** Later calls' traits win; a missing, null or blank trait leaves the field alone (never erases it). */
function setTraits(record: PlannedRecord, traits: Record<string, unknown>, index: number): void {
  const set = (key: string) => {
    record.fields[key] = traits[key];
    record.sources[key] = { index, field: `traits.${key}` };
  };
  const given = (key: string) => traits[key] != null && String(traits[key]).trim() !== '';
  for (const key of GROUP_TRAITS) if (given(key)) set(key);
  const domain = DOMAIN_TRAITS.find(given);
  if (domain) {
    // Both name the same field; the kind refuses a record that gives it twice.
    for (const key of DOMAIN_TRAITS) delete record.fields[key];
    set(domain);
  }
}

function eventRecord(
  c: Extract<SegmentCall, { type: 'track' | 'page' | 'screen' }>,
  index: number,
  accountRef: string,
  accountField: string,
  now: Date,
): PlannedRecord {
  const name =
    c.type === 'track'
      ? c.event
      : `${c.type === 'page' ? 'Page' : 'Screen'} Viewed${c.name ? `: ${c.name}` : ''}`;
  const user =
    c.userId != null
      ? { value: asId(c.userId), field: 'userId' }
      : c.anonymousId != null
        ? { value: asId(c.anonymousId), field: 'anonymousId' }
        : null;
  const time = (['timestamp', 'originalTimestamp', 'receivedAt'] as const).find((key) => c[key] != null);
  const at = (field: string | null): CallField => ({ index, field });
  const record: PlannedRecord = {
    row: index + 1,
    fields: { event_id: c.messageId, account_id: accountRef, event: name, occurred_at: time ? c[time] : now },
    sources: {
      event_id: at('messageId'),
      account_id: at(accountField),
      event: at(c.type === 'track' ? 'event' : 'name'),
      occurred_at: at(time ?? null),
    },
  };
  if (user) {
    record.fields.user_id = user.value;
    record.sources.user_id = at(user.field);
  }
  if (c.properties) {
    record.fields.properties = c.properties;
    record.sources.properties = at('properties');
  }
  return record;
}

/** A contact after an update: given fields replace, traits are merged key by key. */
export function nextContactState(current: ContactState | undefined, update: ContactUpdate): ContactState {
  return {
    accountRef: update.accountRef ?? current?.accountRef ?? null,
    email: update.email ?? current?.email ?? null,
    name: update.name ?? current?.name ?? null,
    traits: update.traits ? { ...current?.traits, ...update.traits } : (current?.traits ?? null),
  };
}
