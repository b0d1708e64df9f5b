import { type ChartSeries, type ChartSpec, withAutoLog } from '../report/chart-spec.js';
import type { PlanResult } from './plan.js';

/** One colour per family (pricing model + architecture), the same on both charts so they read together. */
const FAMILY_COLOURS: Record<string, string> = {
  'on-demand x86_64': '#2563eb',
  'on-demand arm64': '#16a34a',
  'provisioned x86_64': '#9333ea',
  'provisioned arm64': '#ea580c',
  'managed-instances x86_64': '#0891b2',
  'managed-instances arm64': '#dc2626',
};

/** Tall enough that the six families' legend (three rows at 390 px, limited to a fifth of the height) is not cut. */
const HEIGHT = 380;

const TRAFFIC_AXIS = { title: 'invocations per month', compact: true } as const;

/** The families the sweep priced, in the palette's order. */
const sweptFamilies = (plan: PlanResult) =>
  Object.keys(FAMILY_COLOURS).filter((f) => plan.sweep.some((p) => p.best[f]));

/** The sweep's points of one family: its best size's figure at each traffic. */
function sweepSeries(
  plan: PlanResult,
  family: string,
  y: (best: NonNullable<PlanResult['sweep'][number]['best'][string]>) => number,
): ChartSeries['points'] {
  return plan.sweep.flatMap((p) => {
    const best = p.best[family];
    return best ? [{ x: p.invocationsPerMonth, y: y(best) }] : [];
  });
}

/** The month's bill of every family's best size against traffic, and the winner at the planned traffic. */
export function costTrafficChart(plan: PlanResult): ChartSpec {
  const series: ChartSeries[] = sweptFamilies(plan).map((family) => ({
    label: family,
    color: FAMILY_COLOURS[family] ?? '#111827',
    points: sweepSeries(plan, family, (b) => b.totalUSD),
  }));
  if (plan.winner && series.length) {
    // Out of the legend (six families fill it); the caption names the marker.
    series.push({
      label: 'planned traffic',
      style: 'points',
      color: '#111827',
      hideInLegend: true,
      points: [{ x: plan.traffic.invocationsPerMonth, y: plan.winner.monthly.totalUSD }],
    });
  }
  return withAutoLog({
    id: 'cost-traffic-chart',
    title: 'Monthly cost against traffic (black point: the winner at the planned traffic)',
    x: TRAFFIC_AXIS,
    y: { title: 'USD per month' },
    series,
    empty: 'No sweep in this plan.',
    height: HEIGHT,
  });
}

/**
 * On-demand cold starts against traffic at both idle ends. Only the measured architectures: cold starts depend on the
 * durations alone, so an architecture priced from the other's durations would repeat its curve.
 */
export function coldTrafficChart(plan: PlanResult): ChartSpec {
  const measured = new Set<string>(plan.simulation.durations.map((d) => d.architecture));
  const [shortIdle, longIdle] = plan.simulation.idleMinutes;
  const series = sweptFamilies(plan)
    .filter((f) => f.startsWith('on-demand ') && measured.has(f.split(' ')[1] ?? ''))
    .flatMap((family): ChartSeries[] => [
      {
        label: `${family} (${shortIdle} min idle)`,
        color: FAMILY_COLOURS[family] ?? '#111827',
        points: sweepSeries(plan, family, (b) => 100 * b.coldStartRate.shortIdle),
      },
      {
        label: `${family} (${longIdle} min idle)`,
        style: 'dashed',
        color: FAMILY_COLOURS[family] ?? '#111827',
        points: sweepSeries(plan, family, (b) => 100 * b.coldStartRate.longIdle),
      },
    ]);
  // A share that reaches 0 cannot go on a log axis (its points would vanish): linear then, else the LOG_RATIO rule.
  const zero = series.some((s) => s.points.some((p) => p.y <= 0));
  return withAutoLog({
    id: 'cold-traffic-chart',
    title: 'Cold starts against traffic (on-demand)',
    x: TRAFFIC_AXIS,
    y: { title: 'cold starts (% of invocations)', ...(zero ? { log: false } : {}) },
    series,
    empty: 'No sweep in this plan.',
    height: HEIGHT,
  });
}

/** plan.html's charts, in page order. */
export const planCharts = (plan: PlanResult): ChartSpec[] => [costTrafficChart(plan), coldTrafficChart(plan)];
