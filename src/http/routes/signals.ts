// POST /api/v1/signals: signals of any kind in one request ({ "signals": [{ "type":
// "usage", ...fields }] }), with the fields and aliases of the import kinds, written in
// one transaction or, if any item is invalid, not at all. Once written, the surveys and
// tickets among them open or add to recovery cases as they arrive (a detractor's
// answer, an urgent ticket left waiting); a failure there is logged and does not undo
// or fail the ingestion (the sweep after scoring looks at the day's signals again).
import type { AlertRules } from '../../cases/rules.ts';
import type { Signal } from '../../cases/triggers.ts';
import type { ImportKind } from '../../ingest/kinds.ts';
import { RecordMapper } from '../../ingest/mapping.ts';
import { isObject } from '../../lib/json.ts';
import type { Logger } from '../../lib/log.ts';
import { openCasesForSignals } from '../../storage/cases-triggers.ts';
import type { Db } from '../../storage/db.ts';
import { ingestItems, itemsOf, type ApiRequest, type ItemPlan, type Reply } from '../api.ts';

/** The `type` of a signal item, and the import kind it is. */
const SIGNAL_TYPES = new Map<string, ImportKind>([
  ['usage', 'usage'],
  ['event', 'events'],
  ['ticket', 'tickets'],
  ['survey', 'surveys'],
  ['note', 'notes'],
  ['outcome', 'outcomes'],
]);

export interface SignalCases {
  rules: AlertRules;
  logger: Logger;
}

export function postSignals(cases: SignalCases) {
  return async (request: ApiRequest): Promise<Reply> => {
    const items = itemsOf(request.body, 'signals', 'signal');
    const reply = await ingestItems(request, items, 'signal', planSignal);
    await openCases(request.database.db, cases, items, request.now);
    return reply;
  };
}

function planSignal(item: Record<string, unknown>): ItemPlan {
  // `type` says which kind the item is; it is not one of its fields (for surveys and
  // outcomes it would otherwise be read as an alias of kind and outcome).
  const { type, ...fields } = item;
  const kind = typeof type === 'string' ? SIGNAL_TYPES.get(type) : undefined;
  if (!kind) {
    const got =
      typeof type === 'string' ? `"${type.slice(0, 40)}"` : type === undefined ? 'none' : 'a non-string';
    return {
      problem: {
        type: typeof type === 'string' ? type.slice(0, 40) : null,
        field: 'type',
        reason: `expected one of ${[...SIGNAL_TYPES.keys()].join(', ')}, got ${got}`,
      },
    };
  }
  return { kind, type: type as string, fields };
}

const CHUNK = 500;

/** The external ids of the surveys and tickets among written items, as the ingestion keyed them. */
function signalIds(items: unknown[]): { surveys: string[]; tickets: string[] } {
  const ids = { surveys: [] as string[], tickets: [] as string[] };
  const mappers = { surveys: new RecordMapper('surveys'), tickets: new RecordMapper('tickets') };
  items.forEach((item, index) => {
    if (!isObject(item)) return;
    const planned = planSignal(item);
    if ('problem' in planned || (planned.kind !== 'surveys' && planned.kind !== 'tickets')) return;
    const mapped = mappers[planned.kind].map({ row: index + 1, fields: planned.fields });
    if (mapped.ok) for (const r of mapped.records) ids[planned.kind].push(String(r.values.external_id));
  });
  return ids;
}

async function openCases(db: Db, cases: SignalCases, items: unknown[], now: Date): Promise<void> {
  try {
    const ids = signalIds(items);
    const signals: Signal[] = [];
    for (let i = 0; i < ids.surveys.length; i += CHUNK) {
      const rows = await db.surveyResponse.findMany({
        where: { externalId: { in: ids.surveys.slice(i, i + CHUNK) } },
        select: { id: true, accountId: true, kind: true, score: true, respondent: true, comment: true },
      });
      signals.push(...rows.map((r) => ({ ...r, kind: 'survey' as const, survey: r.kind })));
    }
    for (let i = 0; i < ids.tickets.length; i += CHUNK) {
      const rows = await db.ticket.findMany({
        where: { externalId: { in: ids.tickets.slice(i, i + CHUNK) } },
        select: {
          id: true,
          accountId: true,
          priority: true,
          status: true,
          subject: true,
          openedAt: true,
          resolvedAt: true,
        },
      });
      signals.push(...rows.map((r) => ({ ...r, kind: 'ticket' as const })));
    }
    if (!signals.length) return;
    const result = await openCasesForSignals(db, cases.rules, signals, now);
    if (result.opened.length || result.updated.length)
      cases.logger.info(
        { opened: result.opened, updated: result.updated },
        'recovery cases opened or added to by ingested signals',
      );
  } catch (err) {
    cases.logger.error(
      { err },
      'could not open recovery cases for the ingested signals (they are written; the sweep after scoring looks again)',
    );
  }
}
