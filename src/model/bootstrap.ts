import { seededRandom } from '../stats/random.js';
import {
  type DurationModel,
  type DurationPoint,
  fitDurationModel,
  modelDuration,
  type SizeCpu,
} from './duration-model.js';

/** A measured size with every duration it gave (the bootstrap resamples them). */
export interface SampledPoint extends Omit<DurationPoint, 'durationMs'> {
  samples: readonly number[];
}

export interface BootstrapOptions {
  /** Refits from resampled data; 400 keeps a 95 % percentile interval's ends stable to about a percent. */
  replicates?: number;
  /** The resampling is seeded so the same measurements always give the same interval. */
  seed?: number;
}

const medianOf = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export const toPoint = (p: SampledPoint): DurationPoint => ({ ...p, durationMs: medianOf(p.samples) });

/**
 * The fit and its bootstrap replicates: each replicate draws every size's durations again with replacement (as many
 * as were measured), takes their median and refits. The spread of the replicates' predictions is the uncertainty
 * the measurement noise puts on the curve; it does not cover a workload the model's form does not describe.
 */
export function fitWithBootstrap(
  points: readonly SampledPoint[],
  { replicates = 400, seed = 1 }: BootstrapOptions = {},
): { model: DurationModel; replicates: DurationModel[] } {
  const model = fitDurationModel(points.map(toPoint));
  const next = seededRandom(seed);
  const models: DurationModel[] = [];
  for (let r = 0; r < replicates; r++) {
    const resampled = points.map((p) => ({
      ...p,
      samples: p.samples.map(() => p.samples[Math.floor(next() * p.samples.length)] ?? Number.NaN),
    }));
    models.push(fitDurationModel(resampled.map(toPoint)));
  }
  return { model, replicates: models };
}

/** Percentile (linear between ranks) of unsorted values. */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.ceil(rank)] ?? a;
  return a + (b - a) * (rank - lo);
}

/** The replicates' 95 % percentile interval of the duration at a size (the fit's own value when there are none). */
export function durationInterval(
  model: DurationModel,
  replicates: readonly DurationModel[],
  memoryMB: number,
  cpu: SizeCpu = {},
): { durationMs: number; low: number; high: number } {
  const durationMs = modelDuration(model, memoryMB, cpu);
  if (replicates.length === 0) return { durationMs, low: durationMs, high: durationMs };
  const values = replicates.map((m) => modelDuration(m, memoryMB, cpu));
  // The point estimate stays inside its interval even where the bootstrap distribution is lopsided.
  return {
    durationMs,
    low: Math.min(durationMs, percentile(values, 0.025)),
    high: Math.max(durationMs, percentile(values, 0.975)),
  };
}
