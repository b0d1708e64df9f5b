import { mixSeed, seededRandom } from './random.js';

/** The median (mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface RatioInterval {
  /** candidate median / baseline median, from the data as measured. */
  ratio: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  /** Two-sided coverage of the interval (0.95 → 2.5 % cut at each end). */
  confidence?: number;
}

/** Median of `count` draws with replacement from `values`, into a reused buffer (the hot loop of the bootstrap). */
function resampledMedian(values: readonly number[], buffer: Float64Array, random: () => number): number {
  const n = values.length;
  for (let i = 0; i < n; i++) buffer[i] = values[Math.floor(random() * n)] as number;
  buffer.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (buffer[mid] as number) : ((buffer[mid - 1] as number) + (buffer[mid] as number)) / 2;
}

/**
 * Percentile bootstrap CI of median(candidate) / median(baseline): both groups resampled independently with
 * replacement, `resamples` times (default 2000), seeded. Distribution-free (durations are skewed and have outliers,
 * so a t interval on means would be misled by one slow call), and its unit is the one the threshold is stated in.
 */
export function bootstrapRatioOfMedians(
  baseline: readonly number[],
  candidate: readonly number[],
  options: BootstrapOptions = {},
): RatioInterval {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const random = seededRandom(mixSeed(options.seed ?? 1, baseline.length, candidate.length));
  const ratio = median(candidate) / median(baseline);
  if (baseline.length === 0 || candidate.length === 0) return { ratio: Number.NaN, low: Number.NaN, high: Number.NaN };
  const a = new Float64Array(baseline.length);
  const b = new Float64Array(candidate.length);
  const ratios = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    ratios[i] = resampledMedian(candidate, b, random) / resampledMedian(baseline, a, random);
  }
  ratios.sort();
  const cut = (1 - confidence) / 2;
  const at = (q: number) => ratios[Math.min(resamples - 1, Math.max(0, Math.floor(q * (resamples - 1))))] as number;
  return { ratio, low: at(cut), high: at(1 - cut) };
}
