// The modals' submissions Canary handles.
import type { App } from '@slack/bolt';
import { CASE_VIEW } from '../../blocks/case-actions.ts';
import type { ListenerDeps } from '../deps.ts';
import { caseSubmission } from './case-submit.ts';

export function register(app: App, deps: ListenerDeps): void {
  app.view(CASE_VIEW.assign, caseSubmission(deps, 'assign'));
  app.view(CASE_VIEW.resolve, caseSubmission(deps, 'resolve'));
  app.view(CASE_VIEW.snooze, caseSubmission(deps, 'snooze'));
}
