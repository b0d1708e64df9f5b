import type { ConfigResult, TuneResult } from '../tuner/types.js';
import { type ChartSeries, type ChartSpec, withAutoLog } from './chart-spec.js';

const measured = (r: TuneResult) => r.configs.filter((c) => c.durationMs);
const at = (pick: (c: ConfigResult) => number | undefined) => (c: ConfigResult) => {
  const y = pick(c);
  return y === undefined ? [] : [{ x: c.memoryMB, y }];
};
const weak = (r: TuneResult) => measured(r).some((c) => (c.durationMs?.count ?? 0) < 6);
const bandLabel = (r: TuneResult) => (weak(r) ? 'median range (min–max, n < 6)' : 'median 95 % CI');

export const DURATION_COLOUR = '#2563eb';
export const COST_COLOUR = '#d97706';

/**
 * PowerTuning's classic view: median duration (with its CI) on the left axis and cost per 1M invocations on the
 * right, against memory. `extra` adds curves (a fitted model, a published curve scaled to ours) on the duration axis
 * unless they say `axis: 'y2'`.
 */
export function powerTuningChart(result: TuneResult, id: string, extra: ChartSeries[] = []): ChartSpec {
  const pts = measured(result);
  return withAutoLog({
    id,
    title: 'Duration and cost by memory',
    x: { title: 'memory (MB)' },
    y: { title: 'median duration (ms)' },
    y2: { title: 'USD per 1M invocations' },
    empty: 'No data for this chart (no successful invocations).',
    series: [
      {
        label: bandLabel(result),
        points: pts.flatMap(at((c) => c.durationMs?.ci95[1])),
        low: pts.flatMap(at((c) => c.durationMs?.ci95[0])),
        style: 'band',
        color: DURATION_COLOUR,
      },
      { label: 'median duration', points: pts.flatMap(at((c) => c.durationMs?.p50)), color: DURATION_COLOUR },
      {
        label: 'cost per 1M',
        points: pts.flatMap(at((c) => c.costUSD?.per1M)),
        axis: 'y2',
        style: 'dashed',
        color: COST_COLOUR,
      },
      ...extra,
    ],
  });
}

/** Several results on shared charts, one colour (group) per result: duration, cost, and cold starts. */
export function overviewCharts(results: TuneResult[], labels: string[]): ChartSpec[] {
  const label = (i: number) => labels[i] ?? results[i]?.function ?? String(i);
  const duration: ChartSeries[] = results.flatMap((r, i) => [
    {
      label: `${label(i)} ${bandLabel(r)}`,
      group: label(i),
      points: measured(r).flatMap(at((c) => c.durationMs?.ci95[1])),
      low: measured(r).flatMap(at((c) => c.durationMs?.ci95[0])),
      style: 'band' as const,
    },
    { label: `${label(i)} median`, group: label(i), points: measured(r).flatMap(at((c) => c.durationMs?.p50)) },
    {
      label: `${label(i)} p90`,
      group: label(i),
      points: measured(r).flatMap(at((c) => c.durationMs?.p90)),
      style: 'dotted' as const,
    },
  ]);
  const cost: ChartSeries[] = results.map((r, i) => ({
    label: `${label(i)} cost per 1M`,
    group: label(i),
    points: measured(r).flatMap(at((c) => c.costUSD?.per1M)),
  }));
  const init: ChartSeries[] = results.map((r, i) => ({
    label: `${label(i)} Init Duration p50`,
    group: label(i),
    points: r.configs.flatMap(at((c) => c.initDurationMs?.p50)),
    style: 'bar' as const,
  }));
  return [
    {
      id: 'duration-chart',
      title: 'Duration by memory (solid: median with its CI, dotted: p90)',
      x: { title: 'memory (MB)' },
      y: { title: 'duration (ms)' },
      series: duration,
      empty: 'No data for this chart (no successful invocations).',
    },
    {
      id: 'cost-chart',
      title: 'Cost per 1M invocations by memory',
      x: { title: 'memory (MB)' },
      y: { title: 'USD per 1M invocations' },
      series: cost,
      empty: 'No data for this chart (no successful invocations).',
    },
    {
      id: 'init-chart',
      title: 'Cold starts: Init Duration p50 by memory',
      // Bars need a linear x axis to keep their width.
      x: { title: 'memory (MB)', log: false },
      y: { title: 'Init Duration (ms)' },
      series: init,
      empty: 'No data for this chart (no cold starts).',
    },
  ].map(withAutoLog);
}

/** Init Duration of one result, as bars (the cold-start chart of a single-function report). */
export function initChart(result: TuneResult, id: string): ChartSpec {
  return withAutoLog({
    id,
    title: 'Cold starts: Init Duration p50 by memory',
    x: { title: 'memory (MB)', log: false },
    y: { title: 'Init Duration (ms)' },
    series: [
      {
        label: 'Init Duration p50',
        points: result.configs.flatMap(at((c) => c.initDurationMs?.p50)),
        style: 'bar',
        color: '#0891b2',
      },
    ],
    empty: 'No data for this chart (no cold starts).',
  });
}

/**
 * The thumbnail of a dashboard card: one result → its PowerTuning view; several → their median durations (the
 * card's table is the legend, by colour).
 */
export function keyChart(results: TuneResult[], labels: string[], id: string): ChartSpec {
  if (results.length === 1 && results[0]) return { ...powerTuningChart(results[0], id), legend: 'none', height: 170 };
  return withAutoLog({
    id,
    title: 'Median duration by memory',
    x: { title: 'memory (MB)' },
    y: { title: 'median (ms)' },
    legend: 'none',
    height: 170,
    empty: 'No data (no successful invocations).',
    series: results.map((r, i) => ({
      label: labels[i] ?? r.function,
      points: measured(r).flatMap(at((c) => c.durationMs?.p50)),
    })),
  });
}
