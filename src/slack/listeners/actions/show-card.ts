// Where a card opened from a click goes: in a private message (a pick list, a list of
// accounts) it replaces that message; from a message everyone sees (an alert) it comes
// as a new private one beside it; from the App Home, which has no message to answer
// into, it arrives in the user's messages with Canary.
import type { AllMiddlewareArgs, BlockAction, RespondFn } from '@slack/bolt';
import type { SlackMessage } from '../../blocks/text.ts';
import { sendWithCharts } from '../../deliver.ts';
import type { ListenerDeps } from '../deps.ts';

export async function showCard(
  deps: ListenerDeps,
  { body, client, respond }: Pick<AllMiddlewareArgs, 'client'> & { body: BlockAction; respond?: RespondFn },
  what: string,
  accountIdText: string | undefined,
): Promise<void> {
  const user = body.user.id;
  const send: (m: SlackMessage) => Promise<unknown> = respond
    ? (m) =>
        respond({ response_type: 'ephemeral', replace_original: body.container.is_ephemeral === true, ...m })
    : (m) => client.chat.postMessage({ channel: user, ...m });
  await deps.afterAck.run({
    what,
    fields: { user, from: body.container.type },
    work: async () => {
      const accountId = Number(accountIdText);
      if (!Number.isSafeInteger(accountId))
        throw new Error(`not an account id: ${String(accountIdText).slice(0, 40)}`);
      await sendWithCharts(await deps.answers.card(accountId), send, deps.logger);
    },
    report: send,
  });
}
