import { describe, expect, it } from 'vitest';
import { hasData } from '../report/chart-spec.js';
import { chartScripts } from '../report/html-charts.js';
import { coldTrafficChart, costTrafficChart } from './charts.js';
import { planTraffic } from './plan.js';
import { fixture } from './test-helpers/fixture.js';

const { result, records } = fixture('x86_64', { 512: 100, 1024: 60 });
const plan = planTraffic(result, '20/s', { budget: 20_000, sweepBudget: 3_000, records: [records] });

describe('plan charts as ChartSpecs', () => {
  it('puts traffic (0.001× to 100×) on a log axis and the bills by the LOG_RATIO rule', () => {
    const cost = costTrafficChart(plan);
    expect(cost.x.log).toBe(true);
    expect(cost.x.compact).toBe(true);
    const ys = cost.series.flatMap((s) => s.points.map((p) => p.y));
    expect(cost.y.log).toBe(Math.max(...ys) / Math.min(...ys) > 20);
    expect(cost.series.map((s) => s.label)).toContain('on-demand arm64');
    const marker = cost.series.find((s) => s.label === 'planned traffic');
    expect(marker?.points).toEqual([{ x: plan.traffic.invocationsPerMonth, y: plan.winner?.monthly.totalUSD }]);
  });

  it('draws cold starts of the measured architecture only, solid at the short idle end, dashed at the long', () => {
    const cold = coldTrafficChart(plan);
    expect(cold.series.map((s) => [s.label, s.style ?? 'line'])).toEqual([
      [`on-demand x86_64 (${plan.simulation.idleMinutes[0]} min idle)`, 'line'],
      [`on-demand x86_64 (${plan.simulation.idleMinutes[1]} min idle)`, 'dashed'],
    ]);
    for (const s of cold.series) expect(s.points).toHaveLength(plan.sweep.length);
  });

  it('keeps a cold-start share of 0 on a linear axis (a log axis would drop it)', () => {
    const flat = {
      ...plan,
      sweep: plan.sweep.map((p) => ({
        ...p,
        best: Object.fromEntries(
          Object.entries(p.best).map(([f, b]) => [f, { ...b, coldStartRate: { longIdle: 0, shortIdle: 0.5 } }]),
        ),
      })),
    };
    expect(coldTrafficChart(flat).y.log).toBe(false);
  });

  it('draws nothing (and inlines no Chart.js) without a sweep', () => {
    const none = { ...plan, sweep: [], winner: null };
    const specs = [costTrafficChart(none), coldTrafficChart(none)];
    expect(specs.some(hasData)).toBe(false);
    expect(chartScripts(specs)).toBe('');
  });
});
