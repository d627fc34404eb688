// An account chosen in the pick list's select (more than five matches).
import type { AllMiddlewareArgs, BlockStaticSelectAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.ts';
import { showCard } from './show-card.ts';

export function pickAccount(deps: ListenerDeps) {
  return async (args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockStaticSelectAction>) => {
    await args.ack();
    await showCard(deps, args, 'pick account', args.action.selected_option?.value);
  };
}
