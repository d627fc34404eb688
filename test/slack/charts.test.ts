// The charts are real PNGs of the expected size, the same bytes for the same input,
// still render with no data or hostile labels, and show what they claim: the colour
// bands behind the trend line, and a gap where days have no score. Render times are
// printed, not asserted (the machine is shared).
import { createCanvas, loadImage } from 'canvas';
import { describe, expect, it } from 'vitest';
import { healthChart, PALETTE, riskChart, TREND_DAYS, trendChart } from '../../src/slack/charts.ts';
import { BANDS, DAY, HOSTILE_NAMES, TODAY } from './blocks/fixtures.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function timed(what: string, render: () => Promise<Buffer>): Promise<Buffer> {
  const start = performance.now();
  const png = await render();
  console.log(`${what}: ${(performance.now() - start).toFixed(1)} ms`);
  return png;
}

/** The pixels of one column of a PNG, top to bottom, as [r, g, b]. */
async function column(png: Buffer, x: number): Promise<[number, number, number][]> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(x, 0, 1, img.height).data;
  return Array.from({ length: img.height }, (_, y) => [data[y * 4]!, data[y * 4 + 1]!, data[y * 4 + 2]!]);
}

const rgb = (hex: string) =>
  [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const near = (a: readonly number[], b: readonly number[], within = 40) =>
  a.every((v, i) => Math.abs(v - b[i]!) <= within);

const days = (n: number, index: (i: number) => number | null) =>
  Array.from({ length: n }, (_, i) => ({
    day: new Date(TODAY.getTime() - (n - 1 - i) * DAY),
    healthIndex: index(i),
  }));

describe('trend chart', () => {
  const input = {
    title: 'Acme',
    to: TODAY,
    series: days(TREND_DAYS, (i) => 80 - i / 3),
    bands: BANDS,
  };

  it('is an 800x400 PNG, the same bytes every time', async () => {
    await trendChart(input); // the first render loads chart.js and the fonts
    const png = await timed('trend chart', () => trendChart(input));
    expect(pngSize(png)).toEqual({ width: 800, height: 400 });
    expect((await trendChart(input)).equals(png)).toBe(true);
    const withComponents = await timed('trend chart with 3 component lines', () =>
      trendChart({
        ...input,
        components: ['Usage', 'Support', 'Sentiment'].map((label, c) => ({
          label,
          points: input.series.map((p) => ({ day: p.day, score: 40 + c * 15 })),
        })),
      }),
    );
    expect(withComponents.equals(png)).toBe(false);
  });

  it('shades the colour bands behind the line: green at the top, red at the bottom', async () => {
    const pixels = await column(await trendChart({ ...input, series: [] }), 400);
    const tinted = pixels.filter((p) => !near(p, [255, 255, 255], 6) && !near(p, rgb(PALETTE.grid), 6));
    const isGreenish = (p: readonly number[]) => p[1]! > p[0]! && p[1]! > p[2]!;
    const isReddish = (p: readonly number[]) => p[0]! > p[1]! && p[0]! > p[2]!;
    const firstGreen = pixels.findIndex(isGreenish);
    const lastRed = pixels.findLastIndex(isReddish);
    expect(tinted.length).toBeGreaterThan(100);
    expect(firstGreen).toBeGreaterThan(-1);
    expect(lastRed).toBeGreaterThan(firstGreen);
  });

  it('leaves a gap where days have no score', async () => {
    // Scored at 60 for the first and last 30 days only.
    const series = days(TREND_DAYS, (i) => (i < 30 || i >= 60 ? 60 : null));
    const png = await trendChart({ ...input, series });
    const line = rgb(PALETTE.index);
    const hasLine = async (x: number) => (await column(png, x)).some((p) => near(p, line));
    expect(await hasLine(200)).toBe(true);
    expect(await hasLine(440)).toBe(false);
    expect(await hasLine(700)).toBe(true);
  });

  it('renders with no score at all, and with hostile titles', async () => {
    expect(pngSize(await trendChart({ ...input, series: [] }))).toEqual({ width: 800, height: 400 });
    for (const title of HOSTILE_NAMES)
      expect(pngSize(await trendChart({ ...input, title }))).toEqual({ width: 800, height: 400 });
  });
});

describe('risk distribution chart', () => {
  const distribution = {
    low: { accounts: 512, arr: 4_200_000 },
    medium: { accounts: 438, arr: 5_000_000 },
    high: { accounts: 204, arr: 3_000_000 },
    critical: { accounts: 80, arr: 1_800_000 },
  };

  it('is an 800x400 PNG, deterministic, with each tier in its colour', async () => {
    await riskChart(distribution);
    const png = await timed('risk distribution chart', () => riskChart(distribution));
    expect(pngSize(png)).toEqual({ width: 800, height: 400 });
    expect((await riskChart(distribution)).equals(png)).toBe(true);
    // The low bar (first of four) is the tallest, in the low tier's green.
    const pixels = await column(png, 170);
    expect(pixels.some((p) => near(p, rgb(PALETTE.tier.low), 10))).toBe(true);
  });

  it('renders with no accounts', async () => {
    const none = {
      low: { accounts: 0, arr: 0 },
      medium: { accounts: 0, arr: 0 },
      high: { accounts: 0, arr: 0 },
      critical: { accounts: 0, arr: 0 },
    };
    expect(pngSize(await riskChart(none))).toEqual({ width: 800, height: 400 });
  });
});

describe('health by industry chart', () => {
  const rows = [
    { label: 'Software', accounts: 600, averageIndex: 72.1, arrAtRisk: 500_000 },
    { label: 'Retail', accounts: 400, averageIndex: 55, arrAtRisk: 400_000 },
    { label: '(none)', accounts: 234, averageIndex: null, arrAtRisk: 300_000 },
  ];

  it('is an 800x400 PNG, deterministic, each bar in the colour band of its average', async () => {
    await healthChart(rows, BANDS, 'industry');
    const png = await timed('health by industry chart', () => healthChart(rows, BANDS, 'industry'));
    expect(pngSize(png)).toEqual({ width: 800, height: 400 });
    expect((await healthChart(rows, BANDS, 'industry')).equals(png)).toBe(true);
    // Past the axis labels, a column crosses the green Software bar and the yellow Retail bar.
    const pixels = await column(png, 400);
    expect(pixels.some((p) => near(p, rgb(PALETTE.colour.green), 10))).toBe(true);
    expect(pixels.some((p) => near(p, rgb(PALETTE.colour.yellow), 10))).toBe(true);
  });

  it('renders with no groups, with many, and with hostile labels', async () => {
    expect(pngSize(await healthChart([], BANDS, 'segment'))).toEqual({ width: 800, height: 400 });
    const hostile = HOSTILE_NAMES.map((label, i) => ({
      label,
      accounts: i,
      averageIndex: i * 10,
      arrAtRisk: 0,
    }));
    expect(pngSize(await healthChart([...hostile, ...hostile], BANDS, 'industry'))).toEqual({
      width: 800,
      height: 400,
    });
  });
});
