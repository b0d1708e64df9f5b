import { describe, expect, it } from 'vitest';
import { percentileOf } from './costs.js';
import type { SizeProfile } from './profile.js';
import { planWindows, simulate } from './simulate.js';
import { burst, steady, timestamps } from './traffic.js';

/** A size whose every invocation takes `durationMs` and every cold start `initMs` more. */
const fixed = (durationMs: number, initMs = 0): SizeProfile => ({
  memoryMB: 1024,
  architecture: 'x86_64',
  source: 'statistics',
  durationSamples: 1,
  initSamples: 1,
  p50DurationMs: durationMs,
  meanDurationMs: durationMs,
  meanInitMs: initMs,
  sampleDuration: () => durationMs,
  sampleInit: () => initMs,
});

const limits = { idleTimeoutS: 300, concurrencyLimit: 1000, provisioned: 0 };
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('the simulation', () => {
  it('holds Little’s law: mean concurrency = rate × duration, and Poisson quantiles (M/D/∞)', () => {
    const t = steady(100);
    const s = simulate(t, fixed(200), limits, [{ start: 0, length: 1800 }], 300, 1);
    // Concurrency of M/D/∞ is Poisson(λd) = Poisson(20): mean 20, p50 20, p99 31.
    expect(Math.abs(mean(s.concurrencySamples) - 20)).toBeLessThan(1);
    expect(percentileOf(s.concurrencySamples, 50)).toBeGreaterThanOrEqual(19);
    expect(percentileOf(s.concurrencySamples, 50)).toBeLessThanOrEqual(21);
    expect(percentileOf(s.concurrencySamples, 99)).toBeGreaterThanOrEqual(29);
    expect(percentileOf(s.concurrencySamples, 99)).toBeLessThanOrEqual(33);
    expect(s.served).toBe(s.arrivals);
    expect(s.coldStarts / s.served).toBeLessThan(0.002);
    expect(s.billedMs).toBe(200 * s.served);
  });

  it('evicts after the idle timeout: one request every 10 min is always cold at 5 min, warm at 15', () => {
    const t = timestamps(
      Array.from({ length: 12 }, (_, i) => i * 600),
      'every 10 min',
    );
    const window = [{ start: 0, length: t.periodS }];
    const short = simulate(t, fixed(100, 250), { ...limits, idleTimeoutS: 300 }, window, 0, 1);
    const long = simulate(t, fixed(100, 250), { ...limits, idleTimeoutS: 900 }, window, 0, 1);
    expect(short.coldStarts).toBe(12);
    expect(long.coldStarts).toBe(1);
    // INIT billed as ceil(init + duration) − ceil(duration).
    expect(short.initBilledMs).toBe(12 * 250);
  });

  it('throttles past the concurrency limit (Erlang loss: 1 − 500/2000 at a demand of 2,000)', () => {
    const s = simulate(
      steady(1000),
      fixed(2000),
      { ...limits, concurrencyLimit: 500 },
      [{ start: 0, length: 60 }],
      30,
      2,
    );
    const throttled = s.throttledConcurrency / s.arrivals;
    expect(throttled).toBeGreaterThan(0.7);
    expect(throttled).toBeLessThan(0.8);
    expect(s.maxConcurrency).toBe(500);
  });

  it('starts at most 1,000 environments and then 100 per second (the scaling rate)', () => {
    // 2,000/s for 20 s of 30 s invocations: no environment frees up, 40,000 would be needed.
    const t = burst(0.0001, 2000, 20, 3600, 'burst');
    const s = simulate(t, fixed(30_000), { ...limits, concurrencyLimit: 100_000 }, [{ start: 0, length: 20 }], 0, 3);
    expect(s.coldStarts).toBeGreaterThanOrEqual(2990);
    expect(s.coldStarts).toBeLessThanOrEqual(3001);
    expect(s.throttledScaling).toBe(s.arrivals - s.coldStarts);
  });

  it('serves from provisioned environments first: N above peak concurrency leaves no cold start', () => {
    const s = simulate(
      steady(100),
      fixed(200, 300),
      { ...limits, provisioned: 45 },
      [{ start: 0, length: 600 }],
      60,
      4,
    );
    expect(s.coldStarts).toBe(0);
    expect(s.provisionedServed).toBe(s.served);
    expect(s.provisionedBilledMs).toBe(200 * s.served);
    expect(s.billedMs).toBe(0);
  });

  it('is reproducible: the same seed gives the same figures', () => {
    const run = (seed: number) => simulate(steady(50), fixed(120, 200), limits, [{ start: 0, length: 300 }], 60, seed);
    expect(run(9)).toEqual(run(9));
    expect(run(9).arrivals).not.toBe(run(10).arrivals);
  });

  it('chooses windows that fit the budget', () => {
    const w = planWindows(steady(50), 300_000, 900);
    expect(w.warmupS).toBe(960);
    expect(w.windows).toEqual([{ start: 0, length: 300_000 / 50 - 960 }]);
    const day = burst(10, 500, 60, 86_400, 'b');
    const plan = planWindows(day, 100_000, 900);
    expect(plan.windows.length).toBeGreaterThanOrEqual(8);
    // Every window with its warm-up stays near its share of the budget, and the burst has windows of its own.
    const expected = (a: number, b: number) => {
      let n = 0;
      for (let t = a; t < b; t += 0.5) n += day.rateAt(t) * 0.5;
      return n;
    };
    const total = plan.windows.reduce((n, w) => n + expected(w.start - (w.warmupS ?? 0), w.start + w.length), 0);
    expect(total).toBeLessThanOrEqual(120_000);
    expect(plan.windows.filter((w) => w.start < 60).length).toBeGreaterThanOrEqual(1);
    // The weights restore the period: Σ weight × window arrivals = the period's arrivals.
    const restored = plan.windows.reduce((n, w) => n + (w.weight ?? 1) * expected(w.start, w.start + w.length), 0);
    expect(Math.abs(restored - day.perPeriod) / day.perPeriod).toBeLessThan(0.02);
    const seconds = plan.windows.reduce((n, w) => n + (w.timeWeight ?? 1) * w.length, 0);
    expect(seconds).toBeCloseTo(86_400, 0);
  });
});
