// "Share in channel": the in-channel version of a private answer, the same blocks
// without the share button (an actions block left empty goes too), and a line saying
// who shared it.
import { ACTION } from './actions.ts';
import { context } from './kit.ts';
import { LIMITS, mention, type KnownBlock, type SlackMessage } from './text.ts';

export function inChannel(answer: SlackMessage, sharedBy: string): SlackMessage {
  const blocks: KnownBlock[] = [];
  for (const b of answer.blocks) {
    if (b.type !== 'actions') {
      blocks.push(b);
      continue;
    }
    const elements = b.elements.filter((e) => !('action_id' in e && e.action_id === ACTION.share));
    if (elements.length) blocks.push({ ...b, elements });
  }
  const who = mention(sharedBy);
  const line = context([who ? `Shared by ${who}` : 'Shared from Canary']);
  return { text: answer.text, blocks: [...blocks.slice(0, LIMITS.messageBlocks - 1), line] };
}
