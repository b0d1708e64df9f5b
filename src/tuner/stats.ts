import type { Summary } from './types.js';

/** Percentile by linear interpolation between closest ranks (R's type 7, numpy's default). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (rank - lo);
}

/** PowerTuning's computeAverageDuration: drop floor(n × 0.2) values at each end, average the rest. */
export function trimmedMean(sorted: readonly number[], cut = 0.2): number {
  const drop = Math.floor(sorted.length * cut);
  const kept = sorted.slice(drop, sorted.length - drop);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), in log space so large n stays exact enough. */
function binomialCdfHalf(n: number, k: number): number {
  let logCoefficient = 0;
  let total = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logCoefficient += Math.log((n - i + 1) / i);
    total += Math.exp(logCoefficient - n * Math.LN2);
  }
  return total;
}

/**
 * Distribution-free 95 % CI of the median: order statistics x(j) and x(n+1-j) with the largest j such that
 * P(Binomial(n, ½) ≤ j-1) ≤ 2.5 %. Below n = 6 no j qualifies and the interval is [min, max] (coverage < 95 %).
 */
export function medianCi95(sorted: readonly number[]): [number, number] {
  const n = sorted.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  let j = 0;
  while (j + 1 <= n / 2 && binomialCdfHalf(n, j) <= 0.025) j++;
  if (j === 0) return [sorted[0] ?? Number.NaN, sorted[n - 1] ?? Number.NaN];
  return [sorted[j - 1] ?? Number.NaN, sorted[n - j] ?? Number.NaN];
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function summarize(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const [lo, hi] = medianCi95(sorted);
  return {
    count: n,
    mean: round(mean),
    trimmedMean: round(trimmedMean(sorted)),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    ci95: [round(lo), round(hi)],
    min: round(sorted[0] ?? 0),
    max: round(sorted[n - 1] ?? 0),
    stddev: round(Math.sqrt(variance)),
  };
}
