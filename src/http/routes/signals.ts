// POST /api/v1/signals: signals of any kind in one request ({ "signals": [{ "type":
// "usage", ...fields }] }), with the fields and aliases of the import kinds, written in
// one transaction or, if any item is invalid, not at all.
import type { ImportKind } from '../../ingest/kinds.ts';
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

export function postSignals(request: ApiRequest): Promise<Reply> {
  return ingestItems(request, itemsOf(request.body, 'signals', 'signal'), 'signal', planSignal);
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
