// `/health …`: acknowledged at once, with no body, whatever the database is doing; the
// answer follows on the command's response_url, private to the user. A delivery Slack
// retries (x-slack-retry-num) is acknowledged and not answered again: Slack retries only
// what was not acked within 3 seconds, and since the ack comes first, the first delivery
// was either answered already (answering again would post twice) or never reached a
// running Canary, in which case Slack has already told the user that the command failed
// and running it again is theirs to do. At most once, never twice. `/health digest …`
// changes or shows the digest of the channel it was run in (digest.ts).
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommand } from '../../command.ts';
import { sendWithCharts } from '../../deliver.ts';
import type { ListenerDeps } from '../deps.ts';
import { digestAnswer } from './digest.ts';

export function health(deps: ListenerDeps) {
  return async ({ ack, command, respond, context }: AllMiddlewareArgs & SlackCommandMiddlewareArgs) => {
    await ack();
    const fields = { user: command.user_id, channel: command.channel_id };
    if (context.retryNum) {
      deps.logger.info(
        { ...fields, retryNum: context.retryNum },
        'Slack retried /health: not answered twice',
      );
      return;
    }
    await deps.afterAck.run({
      what: 'command',
      fields,
      work: async () => {
        const q = parseCommand(command.text);
        const answer =
          q.kind === 'digest'
            ? await digestAnswer(deps, q.digest, { channelId: command.channel_id, userId: command.user_id })
            : await deps.answers.command(q, async () => ({
                slackId: command.user_id,
                email: await deps.directory.emailOf(command.user_id),
              }));
        await sendWithCharts(answer, (m) => respond({ response_type: 'ephemeral', ...m }), deps.logger);
      },
      report: (m) => respond({ response_type: 'ephemeral', ...m }),
    });
  };
}
