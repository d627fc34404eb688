// Canary's charts as PNG images for Slack image blocks: an account's Health Index over
// 90 days on the model's colour bands, the accounts per risk tier, and the average
// Health Index per industry (or segment). One palette for all three; sized and lettered
// to stay readable in Slack's ~360 px preview; rendered with chart.js on node-canvas,
// one renderer per image size, made on first use.
import type { ChartConfiguration, Plugin } from 'chart.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { money } from '../cli/format.ts';
import { RISK_TIERS, type Colour, type RiskTier } from '../health/model.ts';
import { DAY_MS } from '../health/signals.ts';
import { colourOf, type ColourBand } from './blocks/format.ts';
import type { HealthRow } from './blocks/portfolio.ts';
import { plain } from './blocks/text.ts';

export const PALETTE = {
  colour: { green: '#2e9e5b', yellow: '#e3a008', red: '#d64545' } satisfies Record<Colour, string>,
  tier: { low: '#2e9e5b', medium: '#e3a008', high: '#e8742a', critical: '#8b1a1a' } satisfies Record<
    RiskTier,
    string
  >,
  index: '#1d3f72',
  components: ['#5b8def', '#9b6bd6', '#d66bb5', '#3fb5c9', '#8a8a8a', '#b59a5b'],
  noData: '#9ca3af',
  text: '#1f2328',
  grid: '#d0d7de',
  background: '#ffffff',
} as const;

/** Alpha of the colour bands behind the trend line: visible, never louder than the line. */
const BAND_ALPHA = '30';
const SIZE = { width: 800, height: 400 } as const;
const FONT = { family: 'DejaVu Sans', title: 26, axis: 20, ticks: 18 } as const;

const renderers = new Map<string, ChartJSNodeCanvas>();

function renderer(width: number, height: number): ChartJSNodeCanvas {
  const key = `${width}x${height}`;
  let r = renderers.get(key);
  if (!r) {
    r = new ChartJSNodeCanvas({
      width,
      height,
      backgroundColour: PALETTE.background,
      chartCallback: (chart) => {
        chart.defaults.font.family = FONT.family;
        chart.defaults.font.size = FONT.ticks;
        chart.defaults.color = PALETTE.text;
      },
    });
    renderers.set(key, r);
  }
  return r;
}

function render(config: ChartConfiguration): Promise<Buffer> {
  return renderer(SIZE.width, SIZE.height).renderToBuffer(config, 'image/png');
}

/** A label from user data (an account or industry name) as a chart can show it: one line, short. */
const label = (raw: string, max: number) => plain(raw, max).text;

const title = (text: string) => ({
  display: true,
  text,
  font: { size: FONT.title, weight: 'bold' as const },
  padding: { bottom: 12 },
});
const axisTitle = (text: string) => ({ display: true, text, font: { size: FONT.axis } });

/** Writes `text` across the middle of the plot when there is nothing to draw. */
const emptyNote = (text: string | null): Plugin => ({
  id: 'canaryEmptyNote',
  afterDraw(chart) {
    if (text === null) return;
    const { ctx, chartArea: a } = chart;
    ctx.save();
    ctx.fillStyle = PALETTE.noData;
    ctx.font = `${FONT.axis}px "${FONT.family}"`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, (a.left + a.right) / 2, (a.top + a.bottom) / 2);
    ctx.restore();
  },
});

/** Writes each bar's figure at its end, so the chart reads without the axis. */
const barFigures = (figures: readonly string[]): Plugin => ({
  id: 'canaryBarFigures',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const horizontal = chart.options.indexAxis === 'y';
    ctx.save();
    ctx.fillStyle = PALETTE.text;
    ctx.font = `bold ${FONT.ticks}px "${FONT.family}"`;
    ctx.textAlign = horizontal ? 'left' : 'center';
    ctx.textBaseline = horizontal ? 'middle' : 'bottom';
    chart.getDatasetMeta(0).data.forEach((bar, i) => {
      const { x, y } = bar.getProps(['x', 'y'], true) as { x: number; y: number };
      ctx.fillText(figures[i] ?? '', horizontal ? x + 8 : x, horizontal ? y : y - 6);
    });
    ctx.restore();
  },
});

export const TREND_DAYS = 90;

export interface TrendChartInput {
  /** Usually the account's name. */
  title: string;
  /** The last day shown; the chart covers the TREND_DAYS days up to it. */
  to: Date;
  /** The Health Index by day (indexSeries fits); a day missing or null is a gap. */
  series: readonly { day: Date; healthIndex: number | null }[];
  /** The model's colour bands (model.bands.colour), shaded behind the line. */
  bands: readonly ColourBand[];
  /** Component scores by day, drawn as thin lines under the index. */
  components?: readonly { label: string; points: readonly { day: Date; score: number | null }[] }[];
}

const dayKey = (d: Date) => Math.floor(d.getTime() / DAY_MS);
const shortDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** The Health Index over 90 days, the colour bands shaded behind it, gaps where a day has no score. */
export function trendChart(input: TrendChartInput): Promise<Buffer> {
  const last = dayKey(input.to);
  const days = Array.from({ length: TREND_DAYS }, (_, i) => last - TREND_DAYS + 1 + i);
  const byDay = <T>(points: readonly T[], keyOf: (p: T) => Date, value: (p: T) => number | null) => {
    const values = new Map(points.map((p) => [dayKey(keyOf(p)), value(p)]));
    return days.map((d) => values.get(d) ?? null);
  };
  const index = byDay(
    input.series,
    (p) => p.day,
    (p) => p.healthIndex,
  );
  // A day scored between two gaps has no line to be part of: it shows as a dot.
  const alone = index.map((v, i) => (v !== null && index[i - 1] == null && index[i + 1] == null ? 6 : 0));
  const bands = input.bands;
  const shading: Plugin = {
    id: 'canaryBands',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: a, scales } = chart;
      const y = scales.y!;
      ctx.save();
      for (const b of bands) {
        const top = y.getPixelForValue(b.to);
        ctx.fillStyle = PALETTE.colour[b.label] + BAND_ALPHA;
        ctx.fillRect(a.left, top, a.right - a.left, y.getPixelForValue(b.from) - top);
      }
      ctx.restore();
    },
  };
  const components = (input.components ?? []).map((c, i) => ({
    label: label(c.label, 30),
    data: byDay(
      c.points,
      (p) => p.day,
      (p) => p.score,
    ),
    borderColor: PALETTE.components[i % PALETTE.components.length],
    borderWidth: 2,
    pointRadius: 0,
    spanGaps: false,
  }));
  return render({
    type: 'line',
    data: {
      labels: days.map((d) => shortDay.format(new Date(d * DAY_MS))),
      datasets: [
        {
          label: 'Health Index',
          data: index,
          borderColor: PALETTE.index,
          backgroundColor: PALETTE.index,
          borderWidth: 5,
          pointRadius: alone,
          spanGaps: false,
        },
        ...components,
      ],
    },
    options: {
      animation: false,
      responsive: false,
      plugins: {
        title: title(label(input.title, 60)),
        legend: { display: components.length > 0, labels: { font: { size: FONT.ticks } } },
      },
      scales: {
        x: {
          title: axisTitle('Date'),
          ticks: { maxTicksLimit: 7, maxRotation: 0, autoSkip: true },
          grid: { color: PALETTE.grid },
        },
        y: {
          min: 0,
          max: 100,
          title: axisTitle('Health Index'),
          ticks: { stepSize: 25 },
          grid: { color: PALETTE.grid },
        },
      },
    },
    plugins: [
      shading,
      emptyNote(index.every((v) => v === null) ? `No Health Index in the last ${TREND_DAYS} days` : null),
    ],
  });
}

/** Accounts per risk tier, low to critical, each bar in its tier's colour, with the tier's ARR under it. */
export function riskChart(
  distribution: Readonly<Record<RiskTier, { accounts: number; arr: number }>>,
): Promise<Buffer> {
  const counts = RISK_TIERS.map((t) => distribution[t].accounts);
  return render({
    type: 'bar',
    data: {
      labels: RISK_TIERS.map((t) => [t, `${money(distribution[t].arr)} ARR`]),
      datasets: [
        { label: 'Accounts', data: counts, backgroundColor: RISK_TIERS.map((t) => PALETTE.tier[t]) },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      // Room above the tallest bar for its figure.
      layout: { padding: { top: 28 } },
      plugins: { title: title('Accounts per risk tier'), legend: { display: false } },
      scales: {
        x: { title: axisTitle('Risk tier'), grid: { display: false } },
        y: {
          beginAtZero: true,
          title: axisTitle('Accounts'),
          ticks: { precision: 0 },
          grid: { color: PALETTE.grid },
        },
      },
    },
    plugins: [
      barFigures(counts.map((n) => n.toLocaleString('en-US'))),
      emptyNote(counts.every((n) => n === 0) ? 'No scored accounts' : null),
    ],
  });
}

/** Bars a health chart shows at most; the title says when there are more groups. */
const HEALTH_BARS = 10;

/** Average Health Index per industry or segment, each bar in the colour band it falls in, with account counts. */
export function healthChart(
  rows: readonly HealthRow[],
  bands: readonly ColourBand[],
  by: 'industry' | 'segment',
): Promise<Buffer> {
  const shown = rows.slice(0, HEALTH_BARS);
  const more = rows.length > shown.length ? ` (${shown.length} of ${rows.length})` : '';
  return render({
    type: 'bar',
    data: {
      labels: shown.map((r) => `${label(r.label, 22)} (${r.accounts.toLocaleString('en-US')})`),
      datasets: [
        {
          label: 'Average Health Index',
          data: shown.map((r) => r.averageIndex ?? 0),
          backgroundColor: shown.map((r) =>
            r.averageIndex === null ? PALETTE.noData : PALETTE.colour[colourOf(bands, r.averageIndex)],
          ),
        },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      indexAxis: 'y',
      // Room right of a full bar for its figure.
      layout: { padding: { right: 48 } },
      plugins: { title: title(`Health by ${by}${more}`), legend: { display: false } },
      scales: {
        x: { min: 0, max: 100, title: axisTitle('Average Health Index'), grid: { color: PALETTE.grid } },
        y: { title: axisTitle(`${by[0]!.toUpperCase()}${by.slice(1)} (accounts)`), grid: { display: false } },
      },
    },
    plugins: [
      barFigures(
        shown.map((r) => (r.averageIndex === null ? 'no data' : String(Math.round(r.averageIndex)))),
      ),
      emptyNote(shown.length === 0 ? 'No accounts' : null),
    ],
  });
}
