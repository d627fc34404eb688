// The buttons and selects in Canary's messages and App Home.
import type { App, BlockButtonAction, BlockOverflowAction, BlockStaticSelectAction } from '@slack/bolt';
import { ACTION } from '../../blocks/actions.ts';
import { CASE_ACTION } from '../../blocks/case-actions.ts';
import type { ListenerDeps } from '../deps.ts';
import { acknowledgeCase, caseLink, escalateCase, openCase, snoozeCase } from './case-buttons.ts';
import { openModalButton } from './case-modals.ts';
import { openCard } from './open-card.ts';
import { pickAccount } from './pick-account.ts';
import { share } from './share.ts';

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTION.openCard, openCard(deps));
  app.action<BlockStaticSelectAction>(ACTION.pickAccount, pickAccount(deps));
  app.action<BlockButtonAction>(ACTION.share, share(deps));
  app.action<BlockButtonAction>(CASE_ACTION.acknowledge, acknowledgeCase(deps));
  app.action<BlockButtonAction>(CASE_ACTION.assign, openModalButton(deps, 'assign'));
  app.action<BlockOverflowAction>(CASE_ACTION.snooze, snoozeCase(deps));
  app.action<BlockButtonAction>(CASE_ACTION.escalate, escalateCase(deps));
  app.action<BlockButtonAction>(CASE_ACTION.resolve, openModalButton(deps, 'resolve'));
  app.action<BlockButtonAction>(CASE_ACTION.open, openCase(deps));
  app.action<BlockButtonAction>(CASE_ACTION.link, caseLink());
}
