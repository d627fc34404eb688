// "Share in channel": the answer is rendered again from the button's value (a click on
// an ephemeral message brings none of its blocks back), posted in the channel through
// the click's response_url with who shared it (no channel membership needed), and the
// private copy is deleted. A click Slack delivers twice is posted once: clicks are
// remembered for ten minutes by user, message and answer, in memory per process,
// which is enough because the private copy is gone after the first share.
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { parseAnswer } from '../../blocks/actions.ts';
import { inChannel } from '../../blocks/share.ts';
import { sendWithCharts } from '../../deliver.ts';
import type { ListenerDeps } from '../deps.ts';

export function share(deps: ListenerDeps) {
  return async ({
    ack,
    action,
    body,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>) => {
    await ack();
    const user = body.user.id;
    const fields = { user, channel: body.channel?.id };
    if (!respond) {
      deps.logger.warn(fields, 'share clicked where there is nothing to share into');
      return;
    }
    const click = [user, body.container.message_ts, action.value].join(' ');
    if (!deps.shares.first(click)) {
      deps.logger.info(fields, 'share clicked again: posted once already');
      return;
    }
    await deps.afterAck.run({
      what: 'share',
      fields,
      work: async () => {
        const answer = parseAnswer(action.value ?? '');
        if (!answer) throw new Error('a share button whose value Canary did not write');
        const shared = inChannel(await deps.answers.render(answer), user);
        await sendWithCharts(
          shared,
          (m) => respond({ response_type: 'in_channel', replace_original: false, ...m }),
          deps.logger,
        );
        if (body.container.is_ephemeral) await respond({ delete_original: true });
      },
      report: (m) => respond({ response_type: 'ephemeral', replace_original: false, ...m }),
    });
  };
}
