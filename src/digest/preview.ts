// The digest a channel subscribed to the whole book would get, written to a folder for
// a person to inspect (`canary demo --slack-preview DIR`): the message's Block Kit JSON
// (digest.json, paste its blocks into Slack's Block Kit Builder) and its charts as
// PNG files beside it, which the image blocks name. It is read as on the morning after
// the latest completed scoring run, so an older sample book reads as fresh.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModel, type HealthModel } from '../health/model.ts';
import { DAY_MS } from '../health/signals.ts';
import { expectedScoresDay } from '../schedule/scoring.ts';
import type { ChartFiles } from '../slack/chart-files.ts';
import type { Database } from '../storage/db.ts';
import { latestCompletedRun } from '../storage/snapshots.ts';
import { previewChannel } from './manage.ts';

const MORNING_MS = 9 * 3_600_000;
/** A channel id no workspace has: the preview is of no channel's subscription. */
const PREVIEW_CHANNEL = 'C0PREVIEW00';

/** Writes digest.json and the digest's chart PNGs into `dir`; returns the files written. */
export async function writeDigestPreview(
  database: Database,
  dir: string,
  model: HealthModel = loadModel(),
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const files: ChartFiles = {
    async upload(png, filename) {
      const file = path.join(dir, filename);
      await writeFile(file, png);
      written.push(file);
      return { url: filename };
    },
  };
  const run = await latestCompletedRun(database.db);
  const now = run ? new Date(run.day.getTime() + DAY_MS + MORNING_MS) : new Date();
  const { message } = await previewChannel(
    { db: database.db, model, expectedDay: (at) => expectedScoresDay(null, at), charts: files },
    PREVIEW_CHANNEL,
    now,
  );
  const json = path.join(dir, 'digest.json');
  await writeFile(json, `${JSON.stringify(message, null, 2)}\n`);
  return [json, ...written];
}
