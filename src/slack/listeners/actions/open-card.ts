// "Open card" beside an account in a pick list, a list or the App Home.
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.ts';
import { showCard } from './show-card.ts';

export function openCard(deps: ListenerDeps) {
  return async (args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await args.ack();
    await showCard(deps, args, 'open card', args.action.value);
  };
}
