import { describe, expect, it } from 'vitest';
import { managedInstances } from './managed.js';
import type { SizeProfile } from './profile.js';
import { planWindows, simulate } from './simulate.js';
import { burst, steady } from './traffic.js';

const fixed = (durationMs: number, memoryMB = 1769): SizeProfile => ({
  memoryMB,
  architecture: 'arm64',
  source: 'statistics',
  durationSamples: 1,
  initSamples: 1,
  p50DurationMs: durationMs,
  meanDurationMs: durationMs,
  meanInitMs: 0,
  sampleDuration: () => durationMs,
  sampleInit: () => 0,
});

describe('Managed Instances sizing', () => {
  const options = { utilization: 0.5, minInstances: 1, runtime: 'nodejs22.x' };

  it('needs rate × CPU-seconds ÷ (vCPUs × utilisation) instances at steady traffic', () => {
    // 100/s × 0.2 CPU-s (200 ms at a full vCPU) = 20 vCPU busy; m7g.xlarge has 4, at 50 % → 10 instances.
    const m = managedInstances(steady(100), fixed(200), 'arm64', 1e6, options);
    expect(m.peakInstances).toBe(10);
    expect(m.instanceHoursPerMonth).toBeCloseTo(10 * 730, 6);
    expect(m.totalUSD).toBeCloseTo(10 * 730 * 0.1632 * 1.15 + 0.2, 6);
  });

  it('grows the fleet ahead of a burst: at most doubling per 5 minutes', () => {
    // 1/s with 400/s for 5 minutes every 2 hours: the burst needs 40 instances, the base 1.
    const m = managedInstances(burst(1, 400, 300, 7200, 'b'), fixed(200), 'arm64', 1e6, options);
    expect(m.peakInstances).toBe(40);
    // The steps before hold 20, 10, 5, 3, 2, then 1 for the rest of the 24 steps of the period.
    const steps = 40 + 20 + 10 + 5 + 3 + 2 + (24 - 6) * 1;
    expect(m.instanceHoursPerMonth).toBeCloseTo(((steps * 300) / 3600) * (730 / 2), 6);
  });
});

describe('stratified windows', () => {
  it('give the throttled share of the whole period within 3 points, from a tenth of its arrivals', () => {
    // 2/s with 400/s for 30 s every 20 min, 1 s invocations, limit 200: half of each burst is throttled.
    const t = burst(2, 400, 30, 1200, 'b');
    const limits = { idleTimeoutS: 300, concurrencyLimit: 200, provisioned: 0 };
    const whole = simulate(t, fixed(1000), limits, [{ start: 0, length: t.periodS }], 360, 5);
    const plan = planWindows(t, 1500, 300);
    expect(plan.windows.length).toBeGreaterThanOrEqual(8);
    const sampled = simulate(t, fixed(1000), limits, plan.windows, plan.warmupS, 5);
    const share = (s: typeof whole) => s.throttledConcurrency / s.arrivals;
    expect(share(whole)).toBeGreaterThan(0.35);
    expect(Math.abs(share(sampled) - share(whole))).toBeLessThan(0.03);
    expect(Math.abs(sampled.arrivals - whole.arrivals) / whole.arrivals).toBeLessThan(0.05);
  });
});
