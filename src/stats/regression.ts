import { bootstrapRatioOfMedians, median } from './bootstrap.js';
import { mixSeed } from './random.js';

/** What the gate compares, per size: one value per invocation (higher is worse for all four). */
export const METRICS = ['duration', 'coldStart', 'maxMemory', 'cost'] as const;
export type Metric = (typeof METRICS)[number];

export interface SizeSamples {
  memoryMB: number;
  /** Duration (ms) of each measured invocation. */
  duration: number[];
  /** Init + first duration (ms) of each cold start. */
  coldStart: number[];
  /** Max memory used (MB) of each invocation. */
  maxMemory: number[];
  /** Cost (USD) of each measured invocation, at its billed duration. */
  cost: number[];
}

export interface RegressionOptions {
  /** Worse by more than this fraction (0.05 = 5 %) counts as a regression, if significant. */
  threshold: number;
  /** Two-sided coverage of each ratio's CI (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples per size and metric (default 2000). */
  resamples?: number;
  seed?: number;
  /** Fewer values than this on either side and the metric is not judged (default 6). */
  minSamples?: number;
}

/**
 * regressed: the whole CI lies above 1 + threshold (worse by more than the threshold, with confidence);
 * improved: it lies below 1 − threshold; within: it lies within ±threshold (any change is smaller than the threshold); inconclusive: it straddles a bound;
 * too-few: not enough values on one side to judge (a default tune has one cold start per size).
 */
export type Verdict = 'regressed' | 'improved' | 'within' | 'inconclusive' | 'too-few';

export interface MetricComparison {
  metric: Metric;
  baseline: { n: number; median: number };
  candidate: { n: number; median: number };
  ratio: number;
  low: number;
  high: number;
  verdict: Verdict;
}

export interface SizeComparison {
  memoryMB: number;
  metrics: MetricComparison[];
  regressed: Metric[];
}

export interface RegressionReport {
  method: 'bootstrap CI of the ratio of medians';
  threshold: number;
  confidence: number;
  resamples: number;
  seed: number;
  sizes: SizeComparison[];
  /** Sizes that regressed in at least one metric. */
  regressedSizes: number[];
  /** Sizes measured on one side only: not compared. */
  baselineOnly: number[];
  candidateOnly: number[];
  regressed: boolean;
}

function verdictOf(low: number, high: number, threshold: number): Verdict {
  if (low > 1 + threshold) return 'regressed';
  if (high < 1 - threshold) return 'improved';
  if (low >= 1 - threshold && high <= 1 + threshold) return 'within';
  return 'inconclusive';
}

function compareMetric(
  metric: Metric,
  base: readonly number[],
  cand: readonly number[],
  options: Required<RegressionOptions>,
  seed: number,
): MetricComparison {
  const sides = {
    baseline: { n: base.length, median: median(base) },
    candidate: { n: cand.length, median: median(cand) },
  };
  const tooFew = base.length < options.minSamples || cand.length < options.minSamples;
  // A baseline median of 0 (a target that reports no memory) has no ratio to judge.
  if (tooFew || !(sides.baseline.median > 0)) {
    const ratio = sides.candidate.median / sides.baseline.median;
    return { metric, ...sides, ratio, low: Number.NaN, high: Number.NaN, verdict: 'too-few' };
  }
  const ci = bootstrapRatioOfMedians(base, cand, { ...options, seed });
  return { metric, ...sides, ...ci, verdict: verdictOf(ci.low, ci.high, options.threshold) };
}

/**
 * The regression gate's decision, as a pure function of the samples: per size present on both sides and per
 * metric, a seeded bootstrap CI of candidate median / baseline median and a verdict. Only `regressed` verdicts
 * fail the gate, so noise alone (a CI that merely reaches past the threshold) never does.
 */
export function decideRegression(
  baseline: readonly SizeSamples[],
  candidate: readonly SizeSamples[],
  options: RegressionOptions,
): RegressionReport {
  const full: Required<RegressionOptions> = {
    threshold: options.threshold,
    confidence: options.confidence ?? 0.95,
    resamples: options.resamples ?? 2000,
    seed: options.seed ?? 1,
    minSamples: options.minSamples ?? 6,
  };
  const bySize = new Map(candidate.map((c) => [c.memoryMB, c]));
  const baseSizes = new Set(baseline.map((b) => b.memoryMB));
  const sizes: SizeComparison[] = [];
  for (const base of [...baseline].sort((a, b) => a.memoryMB - b.memoryMB)) {
    const cand = bySize.get(base.memoryMB);
    if (!cand) continue;
    const metrics = METRICS.map((metric, i) =>
      compareMetric(metric, base[metric], cand[metric], full, mixSeed(full.seed, base.memoryMB, i)),
    );
    sizes.push({
      memoryMB: base.memoryMB,
      metrics,
      regressed: metrics.filter((m) => m.verdict === 'regressed').map((m) => m.metric),
    });
  }
  const regressedSizes = sizes.filter((s) => s.regressed.length > 0).map((s) => s.memoryMB);
  return {
    method: 'bootstrap CI of the ratio of medians',
    threshold: full.threshold,
    confidence: full.confidence,
    resamples: full.resamples,
    seed: full.seed,
    sizes,
    regressedSizes,
    baselineOnly: [...baseSizes].filter((m) => !bySize.has(m)).sort((a, b) => a - b),
    candidateOnly: candidate
      .map((c) => c.memoryMB)
      .filter((m) => !baseSizes.has(m))
      .sort((a, b) => a - b),
    regressed: regressedSizes.length > 0,
  };
}
