/**
 * A small, data-only description of a chart, built in TypeScript and drawn in the page by html-charts.ts. Other
 * features add to the reports through it: a series on a function's PowerTuning chart (the fitted model, the
 * published curve scaled to ours) or a whole chart (the planner's cost against traffic), without touching the
 * browser code.
 */
export interface ChartPoint {
  x: number;
  y: number;
}

/** line: solid with points; dashed: a secondary or reference curve; points: markers only; bar; band: an interval. */
export type SeriesStyle = 'line' | 'dashed' | 'dotted' | 'points' | 'bar' | 'band';

export interface ChartSeries {
  label: string;
  /** For a band, the upper edge. */
  points: ChartPoint[];
  /** For a band: the lower edge, at the same x values. */
  low?: ChartPoint[];
  style?: SeriesStyle;
  /** 'y2' = the right-hand axis (a chart with `y2`). */
  axis?: 'y' | 'y2';
  /**
   * Series of one group share a colour and a single legend entry named after the group (one function's median,
   * CI band and p90). Default: the series is its own group.
   */
  group?: string;
  /** CSS colour; default: the group's colour from the page's palette. */
  color?: string;
  /** Left out of the legend (a band whose meaning the axis title or a note gives). */
  hideInLegend?: boolean;
}

export interface AxisSpec {
  title: string;
  /** Logarithmic; when left undefined, `withAutoLog` decides from the data (LOG_RATIO). */
  log?: boolean;
  /** x only: the points' x are indexes into these names (a bar chart of variants rather than of memory sizes). */
  categories?: string[];
  /**
   * A count spanning decades (invocations a month): ticks placed by Chart.js and labelled compactly (10k, 2.5M, 1B;
   * powers of ten only on a log axis) rather than at the data's x values, whose full digits would overlap.
   */
  compact?: boolean;
}

export interface ChartSpec {
  /** Unique on its page; the canvas's id. */
  id: string;
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  /** A second y axis on the right (PowerTuning's view: duration left, cost right). */
  y2?: AxisSpec;
  series: ChartSeries[];
  /**
   * auto: the chart's own legend below the plot, limited to a fifth of its height, when it has at most
   * MAX_LEGEND_ENTRIES entries; otherwise none, and the page shows a shared legend (renderSharedLegend).
   * none: never (a dashboard thumbnail).
   */
  legend?: 'auto' | 'none';
  /** Shown instead of the chart when no series has a point. */
  empty: string;
  /** Plot height in CSS pixels (default 300). */
  height?: number;
}

/** Above this max/min ratio an axis is logarithmic: a 20× range on a linear axis squeezes the small end flat. */
export const LOG_RATIO = 20;
/** More legend entries than this take more room than the plot at 300 px; they move to one shared legend. */
export const MAX_LEGEND_ENTRIES = 6;

export const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
];

/** Whether positive values span more than LOG_RATIO (values ≤ 0 cannot go on a log axis and are ignored). */
export function wideRange(values: number[]): boolean {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) > LOG_RATIO;
}

const values = (spec: ChartSpec, pick: (p: ChartPoint) => number, axis?: 'y' | 'y2') =>
  spec.series
    .filter((s) => axis === undefined || (s.axis ?? 'y') === axis)
    .flatMap((s) => [...s.points, ...(s.low ?? [])].map(pick));

/** Sets `log` on every axis that does not say, by LOG_RATIO over its data. */
export function withAutoLog(spec: ChartSpec): ChartSpec {
  const decide = (axis: AxisSpec, data: number[]): AxisSpec => ({
    ...axis,
    log: axis.log ?? (axis.categories ? false : wideRange(data)),
  });
  return {
    ...spec,
    x: decide(
      spec.x,
      values(spec, (p) => p.x),
    ),
    y: decide(
      spec.y,
      values(spec, (p) => p.y, 'y'),
    ),
    ...(spec.y2
      ? {
          y2: decide(
            spec.y2,
            values(spec, (p) => p.y, 'y2'),
          ),
        }
      : {}),
  };
}

/** A copy with more series (a caller's extra curve on a chart built here). */
export function addSeries(spec: ChartSpec, ...series: ChartSeries[]): ChartSpec {
  return { ...spec, series: [...spec.series, ...series] };
}

export const legendEntries = (spec: ChartSpec): string[] => [
  ...new Set(spec.series.filter((s) => !s.hideInLegend).map((s) => s.group ?? s.label)),
];

export const hasData = (spec: ChartSpec): boolean => spec.series.some((s) => s.points.length > 0);

/**
 * Gives every group one colour across all the charts of a page (first seen, first colour), so a shared legend
 * holds for all of them. Series with a colour of their own keep it.
 */
export function assignColours(specs: ChartSpec[]): { specs: ChartSpec[]; colours: Map<string, string> } {
  const colours = new Map<string, string>();
  const colourOf = (group: string) => {
    if (!colours.has(group)) colours.set(group, PALETTE[colours.size % PALETTE.length] ?? '#111827');
    return colours.get(group) ?? '#111827';
  };
  const coloured = specs.map((spec) => ({
    ...spec,
    series: spec.series.map((s) => (s.color ? s : { ...s, color: colourOf(s.group ?? s.label) })),
  }));
  return { specs: coloured, colours };
}

/**
 * A published curve (figures at some sizes) scaled so it meets our median at `atMB`: absolute times differ between
 * machines, the shape should not. Undefined when either side lacks the reference size.
 */
export function scaledToMatch(
  label: string,
  published: Array<{ memoryMB: number; value: number | null }>,
  ours: Array<{ memoryMB: number; value: number | undefined }>,
  atMB: number,
): ChartSeries | undefined {
  const theirs = published.find((p) => p.memoryMB === atMB)?.value;
  const mine = ours.find((p) => p.memoryMB === atMB)?.value;
  if (!theirs || !mine) return undefined;
  const points = published.flatMap((p) => (p.value ? [{ x: p.memoryMB, y: (p.value / theirs) * mine }] : []));
  return { label, points, style: 'dashed', color: '#6b7280' };
}

/** A bar chart over named variants: one series per group of bars, `values[series][category]` (undefined: none). */
export function categoryChart(
  spec: Omit<ChartSpec, 'series' | 'x'> & { x: AxisSpec & { categories: string[] } },
  series: Array<{ label: string; values: Array<number | undefined> }>,
): ChartSpec {
  return withAutoLog({
    ...spec,
    series: series.map((s) => ({
      label: s.label,
      style: 'bar',
      points: s.values.flatMap((y, x) => (y === undefined || !Number.isFinite(y) ? [] : [{ x, y }])),
    })),
  });
}
