// `canary demo --slack-preview DIR` as a user runs it (a real process, a real database
// on each provider): it writes the health card of the book's declining account with
// the largest ARR, the alert of its drop case, the portfolio message and its owner's
// App Home as Block Kit JSON
// within Slack's limits, with image placeholders naming the chart PNGs written beside
// them, and a channel's digest of the whole book with its charts, and prints where they are.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateBook } from '../../src/demo/book.ts';
import { ACTION } from '../../src/slack/blocks/actions.ts';
import { CASE_ACTION } from '../../src/slack/blocks/case-actions.ts';
import { PREVIEW_IMAGE_BASE } from '../../src/slack/preview.ts';
import { blankDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';
import { expectSafe } from './blocks/limits.ts';

const run = promisify(execFile);
const AS_OF = '2026-11-21';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

// The JSON is read loosely; each assertion says what it must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Block = any;

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let blank: ReturnType<typeof blankDatabase>;
  let files: Scratch;
  beforeEach(() => {
    blank = blankDatabase(provider);
    files = scratch();
  });
  afterEach(async () => {
    await blank.remove();
    files.remove();
  });

  it("writes the card, the alert, the portfolio, the App Home and a channel's digest as Block Kit JSON, with their chart PNGs", async () => {
    const out = path.join(files.dir, 'preview');
    const { stdout, stderr } = await run(
      process.execPath,
      [
        path.resolve('bin/canary.js'),
        'demo',
        ...['--accounts', '30', '--as-of', AS_OF, '--dir', path.join(files.dir, 'csv')],
        ...['--slack-preview', out, '--no-progress'],
      ],
      { env: { ...process.env, DATABASE_URL: blank.url }, timeout: 120_000 },
    );
    expect(stderr).toBe('');

    const book = generateBook({ seed: 42, asOf: new Date(`${AS_OF}T00:00:00Z`), accounts: 30 });
    const declining = new Set(
      book.stories.filter((s) => s.story === 'declining').map((s) => s.accountExternalId),
    );
    const featured = book.accounts
      .filter((a) => declining.has(a.externalId))
      .sort((a, b) => b.arr - a.arr)[0]!;
    const owner = `<@${featured.ownerSlackId}>`;

    const printed = stdout
      .split('\n')
      .filter((l) => l.startsWith(`  ${out}`))
      .map((l) => l.trim());
    const isDigest = (file: string) => path.basename(file).startsWith('digest');
    const listed = printed.filter((f) => !isDigest(f));
    expect(listed.slice(0, 4)).toEqual(
      ['health-card.json', 'alert.json', 'portfolio.json', 'app-home.json'].map((f) => path.join(out, f)),
    );
    const read = (name: string) => JSON.parse(readFileSync(path.join(out, name), 'utf8'));

    const card = read('health-card.json');
    expect(card.blocks[0].text.text).toBe(featured.name);
    expectSafe({ text: featured.name, blocks: card.blocks }, [owner]);
    const alert = read('alert.json');
    expect(alert.blocks[0].text.text).toBe(`Sharp drop: ${featured.name}`);
    expectSafe({ text: featured.name, blocks: alert.blocks }, [owner]);
    const actions = alert.blocks.find((b: Block) => b.type === 'actions').elements;
    expect(actions.map((e: Block) => e.action_id)).toEqual([
      CASE_ACTION.acknowledge,
      CASE_ACTION.assign,
      CASE_ACTION.escalate,
      CASE_ACTION.resolve,
      CASE_ACTION.snooze,
      ACTION.openCard,
    ]);
    const portfolio = read('portfolio.json');
    expect(portfolio.blocks[0].text.text).toBe('Portfolio');
    expectSafe({ text: 'Portfolio', blocks: portfolio.blocks });
    const home = read('app-home.json');
    expect(home.type).toBe('home');
    expectSafe(home);
    expect(JSON.stringify(home.blocks)).toContain(featured.name);

    const images = [card, portfolio, home].flatMap((s) => s.blocks.filter((b: Block) => b.type === 'image'));
    expect(images).toHaveLength(5);
    const pictures = new Set<string>();
    for (const image of images) {
      expect(image.slack_file).toBeUndefined();
      expect(image.image_url.startsWith(PREVIEW_IMAGE_BASE)).toBe(true);
      const file = path.join(out, decodeURIComponent(image.image_url.slice(PREVIEW_IMAGE_BASE.length)));
      expect(readFileSync(file).subarray(0, 4)).toEqual(PNG);
      pictures.add(file);
    }
    // The trend, the risk distribution and health by industry; the App Home shows the portfolio's two again.
    expect(pictures.size).toBe(3);
    expect(listed.slice(4).sort()).toEqual([...pictures].sort());
    for (const file of listed) expect(existsSync(file)).toBe(true);

    // The digest, listed after the rest: its JSON, then the PNGs its image blocks name.
    const digestFiles = printed.filter(isDigest);
    expect(printed.slice(-digestFiles.length)).toEqual(digestFiles);
    expect(digestFiles[0]).toBe(path.join(out, 'digest.json'));
    const digest = read('digest.json');
    expect(digest.blocks[0].text.text).toBe('Canary digest');
    expectSafe(digest);
    const charts = digest.blocks.filter((b: Block) => b.type === 'image').map((b: Block) => b.image_url);
    expect(charts).toEqual(['digest-risk.png', 'digest-health-by-industry.png']);
    expect(digestFiles.slice(1)).toEqual(charts.map((c: string) => path.join(out, c)));
    for (const file of digestFiles.slice(1)) expect(readFileSync(file).subarray(0, 4)).toEqual(PNG);
  });
});
