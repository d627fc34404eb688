// The App Home, published each time a user opens Canary's Home tab: the portfolio at a
// glance and the accounts they own (by their Slack id, or by the email Slack has for
// them). Bolt acknowledges events itself; a retried delivery is published again, which
// is harmless (views.publish replaces the view) and covers a first delivery that never
// ran. A failure publishes the short error message instead, so the tab never stays blank.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { sendWithCharts } from '../../deliver.ts';
import type { ListenerDeps } from '../deps.ts';

export function appHomeOpened(deps: ListenerDeps) {
  return async ({ event, client }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    const user = event.user;
    await deps.afterAck.run({
      what: 'home',
      fields: { user },
      work: async () => {
        const email = await deps.directory.emailOf(user);
        const view = await deps.answers.home({ slackId: user, email });
        await sendWithCharts(view, (v) => client.views.publish({ user_id: user, view: v }), deps.logger);
      },
      report: (m) => client.views.publish({ user_id: user, view: { type: 'home', blocks: m.blocks } }),
    });
  };
}
