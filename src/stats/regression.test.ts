import { describe, expect, it } from 'vitest';
import { bootstrapRatioOfMedians, median } from './bootstrap.js';
import { seededRandom } from './random.js';
import { decideRegression, type SizeSamples } from './regression.js';

const lognormal = (random: () => number, sigma: number) =>
  Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));

const samples = (memoryMB: number, values: number[], coldStart: number[] = [100]): SizeSamples => ({
  memoryMB,
  duration: values,
  coldStart,
  maxMemory: values.map(() => 40),
  cost: values.map((v) => (v * memoryMB) / 1e9),
});

describe('bootstrap CI of the ratio of medians', () => {
  it('is reproducible from its seed and covers the true ratio', () => {
    const random = seededRandom(3);
    const a = Array.from({ length: 30 }, () => 100 * lognormal(random, 0.1));
    const b = Array.from({ length: 30 }, () => 130 * lognormal(random, 0.1));
    const ci = bootstrapRatioOfMedians(a, b, { seed: 9 });
    expect(bootstrapRatioOfMedians(a, b, { seed: 9 })).toEqual(ci);
    expect(ci.ratio).toBeCloseTo(median(b) / median(a), 12);
    expect(ci.low).toBeLessThan(ci.ratio);
    expect(ci.high).toBeGreaterThan(ci.ratio);
    expect(ci.low).toBeLessThan(1.3);
    expect(ci.high).toBeGreaterThan(1.3);
    expect(ci.low).toBeGreaterThan(1.15);
  });

  it('holds the true ratio about 95 % of the time (coverage over 400 seeded pairs)', () => {
    let covered = 0;
    for (let seed = 0; seed < 400; seed++) {
      const random = seededRandom(seed);
      const a = Array.from({ length: 20 }, () => 100 * lognormal(random, 0.2));
      const b = Array.from({ length: 20 }, () => 110 * lognormal(random, 0.2));
      const ci = bootstrapRatioOfMedians(a, b, { seed, resamples: 1000 });
      if (ci.low <= 1.1 && 1.1 <= ci.high) covered++;
    }
    // Measured over 1,000 pairs: 97.0 % at n = 10, 95.6 % at n = 20, 96.2 % at n = 50. Over 400, 90 % is 5 sd below.
    expect(covered / 400).toBeGreaterThan(0.9);
  });
});

describe('decideRegression', () => {
  it('names regressed sizes and metrics, and leaves one cold start per side unjudged', () => {
    const random = seededRandom(1);
    const base = [128, 512].map((m) =>
      samples(
        m,
        Array.from({ length: 20 }, () => (12800 / m) * lognormal(random, 0.05)),
      ),
    );
    const slower = base.map((s) => ({
      ...s,
      ...samples(
        s.memoryMB,
        s.duration.map((d) => d * (s.memoryMB === 128 ? 1.3 : 1)),
      ),
    }));
    const report = decideRegression(base, slower, { threshold: 0.05 });
    expect(report.regressedSizes).toEqual([128]);
    expect(report.sizes[0]?.regressed).toEqual(['duration', 'cost']);
    const byMetric = Object.fromEntries(report.sizes[0]!.metrics.map((m) => [m.metric, m.verdict]));
    expect(byMetric).toEqual({
      duration: 'regressed',
      coldStart: 'too-few',
      maxMemory: 'within',
      cost: 'regressed',
    });
    const same = report.sizes[1]?.metrics.find((m) => m.metric === 'duration');
    expect(same?.ratio).toBe(1);
    expect(['within', 'inconclusive']).toContain(same?.verdict);
    // Above the change, nothing fails.
    expect(decideRegression(base, slower, { threshold: 0.4 }).regressed).toBe(false);
    // The other direction is an improvement, never a failure.
    const faster = decideRegression(slower, base, { threshold: 0.05 });
    expect(faster.regressed).toBe(false);
    expect(faster.sizes[0]?.metrics[0]?.verdict).toBe('improved');
  });

  it('compares only the sizes both sides have, and says which it left out', () => {
    const a = [samples(128, [1, 2, 3, 4, 5, 6]), samples(256, [1, 2, 3, 4, 5, 6])];
    const b = [samples(256, [1, 2, 3, 4, 5, 6]), samples(1024, [1, 2, 3, 4, 5, 6])];
    const report = decideRegression(a, b, { threshold: 0.05 });
    expect(report.sizes.map((s) => s.memoryMB)).toEqual([256]);
    expect(report).toMatchObject({ baselineOnly: [128], candidateOnly: [1024], regressed: false });
  });
});
