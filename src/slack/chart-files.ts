// Charts as Slack files. A rendered PNG is uploaded with files.uploadV2 and no channel:
// the upload posts nothing, the file stays private to the app, and image blocks the
// app sends refer to it by id (slack_file). The same picture is uploaded once per
// process: files are keyed by a hash of their bytes, so an unchanged chart (the same
// account and day, the same portfolio) is sent again by id, already processed by Slack.
// A chart that cannot be uploaded is left out (null), never the answer it belongs to.
import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/log.ts';
import type { ChartImage } from './blocks/kit.ts';

export interface ChartFiles {
  /** The uploaded chart, or null when it could not be uploaded (logged). */
  upload(png: Buffer, filename: string, title: string): Promise<ChartImage | null>;
}

/** Files remembered; past this the oldest is forgotten (and uploaded again if asked for). */
const REMEMBERED = 1000;

export function chartFiles(client: WebClient, logger: Logger): ChartFiles {
  const uploaded = new Map<string, Promise<string>>();

  const send = async (png: Buffer, filename: string, title: string): Promise<string> => {
    const result = await client.filesUploadV2({ file: png, filename, title });
    const id = result.files[0]?.files?.[0]?.id;
    if (!id) throw new Error('files.uploadV2 answered without a file id');
    return id;
  };

  return {
    async upload(png, filename, title) {
      const key = createHash('sha256').update(png).digest('hex');
      let id = uploaded.get(key);
      if (!id) {
        id = send(png, filename, title);
        uploaded.set(key, id);
        if (uploaded.size > REMEMBERED) uploaded.delete(uploaded.keys().next().value!);
      }
      try {
        return { slackFileId: await id };
      } catch (err) {
        if (uploaded.get(key) === id) uploaded.delete(key);
        logger.warn({ err, filename }, 'chart upload failed: answering without the chart');
        return null;
      }
    },
  };
}
