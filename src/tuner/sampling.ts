import type { TunePlan } from './plan.js';
import { medianCi95, percentile } from './stats.js';
import { countsAsResult, type InvocationRecord, type SizeSampling } from './types.js';

/** Below 6 values no order statistics give a 95 % CI of the median (stats.ts returns [min, max]). */
const CI_MIN_COUNT = 6;

/** The larger side of the median's 95 % CI, relative to the median: 0.04 = the CI lies within ±4 %. */
export function ciRelativeHalfWidth(durations: readonly number[]): number | null {
  if (durations.length < CI_MIN_COUNT) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  if (!(median > 0)) return null;
  const [lo, hi] = medianCi95(sorted);
  return Math.max(median - lo, hi - median) / median;
}

/** Invocations of a size that count towards its n: everything but warm-ups, failed calls included. */
export const measuredCount = (records: readonly InvocationRecord[]): number => records.filter((r) => !r.warmup).length;

/**
 * Where a size stands under the plan's stopping rule. Fixed -n: done at n invocations. Adaptive (--precision):
 * done when at least min-n invocations are in and the median's 95 % CI lies within ±precision of it (reached), or
 * at max-n (not reached). Durations of successful (or allowed-error) invocations only, as in the statistics.
 */
export function samplingStatus(records: readonly InvocationRecord[], plan: TunePlan): SizeSampling & { done: boolean } {
  const measured = records.filter((r) => !r.warmup);
  const n = measured.length;
  if (plan.precision === undefined) {
    return { n, precisionReached: false, ciHalfWidth: null, done: n >= plan.invocations };
  }
  const halfWidth = ciRelativeHalfWidth(measured.filter(countsAsResult).map((r) => r.durationMs));
  const reached = n >= (plan.minInvocations ?? 1) && halfWidth !== null && halfWidth <= plan.precision;
  return {
    n,
    precisionReached: reached,
    ciHalfWidth: halfWidth === null ? null : Math.round(halfWidth * 10_000) / 10_000,
    done: reached || n >= plan.invocations,
  };
}
