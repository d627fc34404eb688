// Sending a message or view whose image blocks refer to uploaded charts. Slack finishes
// an upload asynchronously (a scan, then the file's type is known), and a surface that
// refers to a file in the first moment after files.completeUploadExternal can be
// refused as invalid_blocks ("invalid slack file") although the same blocks pass a
// second later (slackapi/python-slack-sdk#1521, node-slack-sdk#1865 and #2040).
// Slack's advice is to poll files.info until the file is processed, which needs the
// files:read scope (every file in every conversation Canary is in) and a round trip per
// poll on every answer. Instead a refused surface is sent once more after a pause, and
// then without its charts: the answer arrives, at worst without pictures.
import { RespondError, type types } from '@slack/bolt';
import { WebAPIPlatformError } from '@slack/web-api';
import type { Logger } from '../lib/log.ts';

/** How long Slack gets to process a new upload before the surface is sent again. */
const PROCESSING_PAUSE_MS = 1500;

const isChart = (b: types.AnyBlock) => b.type === 'image' && 'slack_file' in b;

/** Slack refused the blocks themselves (not the token, the channel or the network). */
function refusedBlocks(err: unknown): boolean {
  // A response_url answers a refusal with a 4xx and no detail bolt passes on.
  if (err instanceof RespondError) return err.statusCode >= 400 && err.statusCode < 500;
  return (
    err instanceof WebAPIPlatformError && ['invalid_blocks', 'invalid_arguments'].includes(err.data.error)
  );
}

export async function sendWithCharts<T extends { blocks: types.AnyBlock[] }>(
  surface: T,
  send: (surface: T) => Promise<unknown>,
  logger: Logger,
): Promise<void> {
  if (!surface.blocks.some(isChart)) {
    await send(surface);
    return;
  }
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await send(surface);
      return;
    } catch (err) {
      if (!refusedBlocks(err)) throw err;
      logger.warn({ err, attempt }, 'Slack refused blocks with charts (an upload not processed yet?)');
    }
    if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, PROCESSING_PAUSE_MS));
  }
  // The same surface, only its image blocks gone.
  await send({ ...surface, blocks: surface.blocks.filter((b) => !isChart(b)) } as T);
}
