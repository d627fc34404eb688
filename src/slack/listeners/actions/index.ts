// The buttons and selects in Canary's messages and App Home.
import type { App, BlockButtonAction, BlockStaticSelectAction } from '@slack/bolt';
import { ACTION } from '../../blocks/actions.ts';
import type { ListenerDeps } from '../deps.ts';
import { openCard } from './open-card.ts';
import { pickAccount } from './pick-account.ts';
import { share } from './share.ts';

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTION.openCard, openCard(deps));
  app.action<BlockStaticSelectAction>(ACTION.pickAccount, pickAccount(deps));
  app.action<BlockButtonAction>(ACTION.share, share(deps));
}
