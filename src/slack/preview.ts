// What Canary shows in Slack, as files a person can inspect without a workspace (no
// screenshot of Slack can be taken here): an account's health card, the portfolio
// message and an App Home view as Block Kit JSON that pastes into Slack's Block Kit
// Builder, and the chart PNGs they show. The answers are the ones the Slack app sends;
// only the charts differ: written next to the JSON, and shown through image_url
// placeholders that name the PNG files (the Builder cannot show files uploaded to a
// workspace, and nothing here is published).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HealthModel } from '../health/model.ts';
import type { Viewer } from '../storage/account-search.ts';
import type { Db } from '../storage/db.ts';
import { answers } from './answers.ts';
import type { ChartFiles } from './chart-files.ts';

/** The host of the placeholder image URLs (.invalid: reserved, never resolves). */
export const PREVIEW_IMAGE_BASE = 'https://canary-preview.invalid/';

export interface PreviewOptions {
  dir: string;
  models: { readonly model: HealthModel };
  now: Date;
  /** The account whose card is written. */
  accountId: number;
  /** Whose App Home is written. */
  viewer: Viewer;
}

/** Writes the previews into `dir` (which must exist); returns the files written, JSON first. */
export async function writeSlackPreview(db: Db, options: PreviewOptions): Promise<string[]> {
  const pictures = new Set<string>();
  const charts: ChartFiles = {
    async upload(png, filename) {
      const file = path.join(options.dir, filename);
      if (!pictures.has(file)) await writeFile(file, png);
      pictures.add(file);
      return { url: PREVIEW_IMAGE_BASE + encodeURIComponent(filename) };
    },
  };
  const slack = answers({ db, models: options.models, charts, now: () => options.now });
  const surfaces: [string, { blocks: unknown[]; type?: string }][] = [
    ['health-card.json', { blocks: (await slack.card(options.accountId)).blocks }],
    ['portfolio.json', { blocks: (await slack.command('portfolio')).blocks }],
    ['app-home.json', await slack.home(options.viewer)],
  ];
  const written: string[] = [];
  for (const [name, surface] of surfaces) {
    const file = path.join(options.dir, name);
    await writeFile(file, `${JSON.stringify(surface, null, 2)}\n`);
    written.push(file);
  }
  return [...written, ...pictures];
}
