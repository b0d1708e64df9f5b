import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { decideRegression } from '../stats/regression.js';
import { pricingOf, sizeSamples } from './saved-run.js';
import { fakePlan, fakeTarget } from './test-helpers/fake-target.js';
import { tune } from './tune.js';

/**
 * A noisy function: log-normal spread (sigma 0.15) and a slow outlier (3×) one call in 20, seeded, times `factor`.
 */
const noisyFunction = (seed: number, factor = 1) => {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return fakeTarget({
    durationMs: (memoryMB) => factor * (25_600 / memoryMB) * Math.exp(0.15 * gaussian()) * (random() < 0.05 ? 3 : 1),
  });
};

const plan = (seed: number) =>
  fakePlan({ memorySizes: [128, 512], invocations: 20, warmup: 1, order: 'interleaved', seed });

async function regressedCount(runs: number, factor: number, threshold: number): Promise<number> {
  let regressed = 0;
  for (let seed = 0; seed < runs; seed++) {
    const baseline = await tune(noisyFunction(2 * seed), plan(seed));
    const candidate = await tune(noisyFunction(2 * seed + 1, factor), plan(seed + 1000));
    const report = decideRegression(
      sizeSamples(baseline.records, pricingOf(baseline.result)),
      sizeSamples(candidate.records, pricingOf(candidate.result)),
      { threshold, seed, resamples: 1000 },
    );
    if (report.regressed) regressed++;
  }
  return regressed;
}

describe('regression gate on a seeded noisy fake target', () => {
  it('does not fail on noise: 200 self-comparisons at a 5 % threshold, false positives ≤ 1 %', async () => {
    // Each comparison judges 2 sizes × duration, cost, max memory; the cold start (1 per side) is not judged.
    expect(await regressedCount(200, 1, 0.05)).toBeLessThanOrEqual(2);
  });

  it('fails a 30 % slowdown at a 5 % threshold (≥ 95 % of 100 seeded runs), and not at a 40 % one', async () => {
    expect(await regressedCount(100, 1.3, 0.05)).toBeGreaterThanOrEqual(95);
    expect(await regressedCount(100, 1.3, 0.4)).toBeLessThanOrEqual(1);
  });
});
