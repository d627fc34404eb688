// POST /api/v1/accounts: accounts to create or update ({ "accounts": [...] }), with the
// fields and aliases of `canary import accounts`, written in one transaction or, if
// any item is invalid, not at all.
import { ingestItems, itemsOf, type ApiRequest, type Reply } from '../api.ts';

export function postAccounts(request: ApiRequest): Promise<Reply> {
  return ingestItems(request, itemsOf(request.body, 'accounts', 'account'), 'account', (fields) => ({
    kind: 'accounts',
    type: 'account',
    fields,
  }));
}
