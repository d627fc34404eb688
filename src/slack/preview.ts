// What Canary shows in Slack, as files a person can inspect without a workspace (no
// screenshot of Slack can be taken here): an account's health card, the alert of its
// open recovery case, the portfolio message and an App Home view as Block Kit JSON
// that pastes into Slack's Block Kit Builder, and the chart PNGs they show. The answers are the ones the Slack app sends;
// only the charts differ: written next to the JSON, and shown through image_url
// placeholders that name the PNG files (the Builder cannot show files uploaded to a
// workspace, and nothing here is published).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AlertRules } from '../cases/rules.ts';
import type { HealthModel } from '../health/model.ts';
import type { Viewer } from '../storage/account-search.ts';
import { casesFor } from '../storage/cases.ts';
import type { Db } from '../storage/db.ts';
import { answers } from './answers.ts';
import { caseMessages } from './cases.ts';
import type { ChartFiles } from './chart-files.ts';

/** The host of the placeholder image URLs (.invalid: reserved, never resolves). */
export const PREVIEW_IMAGE_BASE = 'https://canary-preview.invalid/';

export interface PreviewOptions {
  dir: string;
  models: { readonly model: HealthModel };
  rules: AlertRules;
  now: Date;
  /** The account whose card (and the alert of its newest open case, if any) is written. */
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
  const now = () => options.now;
  const slack = answers({ db, models: options.models, charts, now });
  const surfaces: [string, { blocks: unknown[]; type?: string }][] = [
    ['health-card.json', { blocks: (await slack.card(options.accountId)).blocks }],
  ];
  const [open] = (await casesFor(db, { kind: 'account', accountId: options.accountId }, { limit: 1 })).cases;
  if (open) {
    const alert = await caseMessages({ db, rules: options.rules, now }).alert(open);
    surfaces.push(['alert.json', { blocks: alert.blocks }]);
  }
  surfaces.push(
    [
      'portfolio.json',
      { blocks: (await slack.command({ kind: 'portfolio' }, async () => options.viewer)).blocks },
    ],
    ['app-home.json', await slack.home(options.viewer)],
  );
  const written: string[] = [];
  for (const [name, surface] of surfaces) {
    const file = path.join(options.dir, name);
    await writeFile(file, `${JSON.stringify(surface, null, 2)}\n`);
    written.push(file);
  }
  return [...written, ...pictures];
}
