// The slash commands Canary answers: `/health`.
import type { App } from '@slack/bolt';
import { COMMAND } from '../../blocks/help.ts';
import type { ListenerDeps } from '../deps.ts';
import { health } from './health.ts';

export function register(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, health(deps));
}
