import { LambenchError } from '../errors.js';
import { awsVisibleCpus, MB_PER_VCPU } from '../sandbox/cpus.js';

/**
 * Duration against memory, in the terms of lambench's CPU model (README "What the engine does like Lambda"): a size
 * of m MB gets m/1769 vCPU of CPU time and sees AWS's count of cores for m. Code that can keep `parallelism` cores
 * busy for `cpuMs` of one-vCPU work, and waits `ioMs` on things that no CPU share speeds up, takes
 *
 *   duration(m) = ioMs + cpuMs / min(m/1769, parallelism, visible cores(m))
 *
 * and a cold start adds `initMs` (init runs with the init boost, unthrottled, so it does not depend on m).
 */
export interface DurationModel {
  /** One-vCPU CPU work (ms): what scales with the CPU share. */
  cpuMs: number;
  /** Time that does not scale with the CPU share (waiting on I/O, the network, timers), ms. */
  ioMs: number;
  /** Cores the code can keep busy (≥ 1). */
  parallelism: number;
  /**
   * The points could not show more parallelism than this (the largest CPU share × visible cores among them): when
   * `parallelism` reached it, the code may use more, and sizes above it are predicted as if it could not.
   */
  parallelismObservable: number;
  parallelismAtLimit: boolean;
  /** The I/O part's share of the duration at 1769 MB (one vCPU): ioMs / (ioMs + cpuMs). */
  ioShare: number;
  /** Median Init Duration of the points that had one (null: none did). */
  initMs: number | null;
  /** Root mean square of the relative residuals at the points (0.05 = 5 %). */
  rmsRelativeError: number;
  points: number;
}

export interface DurationPoint {
  memoryMB: number;
  /** The measured duration (a median) at this size, ms. */
  durationMs: number;
  /** vCPUs of CPU time this size was given; default memory/1769 (a local host may have capped it). */
  cpuShare?: number;
  /** Cores the function saw; default AWS's count for the size. */
  visibleCpus?: number;
  initMs?: number | null;
}

/** Where a size's CPU stands: its share of CPU time and the cores it sees (AWS's, unless a host capped them). */
export interface SizeCpu {
  cpuShare?: number;
  visibleCpus?: number;
}

const shareOf = (memoryMB: number, cpu: SizeCpu) => cpu.cpuShare ?? memoryMB / MB_PER_VCPU;
const coresOf = (memoryMB: number, cpu: SizeCpu) => cpu.visibleCpus ?? awsVisibleCpus(memoryMB);

/** The most parallel CPU a size can give: its share, or its visible cores when fewer. */
export const cpuLimit = (memoryMB: number, cpu: SizeCpu = {}) =>
  Math.min(shareOf(memoryMB, cpu), coresOf(memoryMB, cpu));

/** The vCPUs the code runs on at this size: its share, capped by what it can use and what it sees. */
const effectiveCpus = (limit: number, parallelism: number) => Math.min(limit, Math.max(1, parallelism));

/** The model's duration at a size (AWS's share and cores by default; pass a host's to predict what it measures). */
export function modelDuration(
  model: Pick<DurationModel, 'cpuMs' | 'ioMs' | 'parallelism'>,
  memoryMB: number,
  cpu: SizeCpu = {},
): number {
  return model.ioMs + model.cpuMs / effectiveCpus(cpuLimit(memoryMB, cpu), model.parallelism);
}

interface Prepared {
  limit: number;
  duration: number;
  weight: number;
}

/**
 * Weighted least squares of d = io + cpu·x with io, cpu ≥ 0 (the weights make it relative error, which is what a
 * MAPE judges). Closed form for two unknowns; when the unconstrained optimum has a negative part, the better of the
 * two one-parameter fits is taken (the optimum then lies on that boundary).
 */
function linearFit(points: readonly Prepared[], parallelism: number): { io: number; cpu: number; sse: number } {
  let sw = 0;
  let sx = 0;
  let sxx = 0;
  let sd = 0;
  let sxd = 0;
  for (const p of points) {
    const x = 1 / effectiveCpus(p.limit, parallelism);
    sw += p.weight;
    sx += p.weight * x;
    sxx += p.weight * x * x;
    sd += p.weight * p.duration;
    sxd += p.weight * x * p.duration;
  }
  const sse = (io: number, cpu: number) =>
    points.reduce((sum, p) => sum + p.weight * (p.duration - io - cpu / effectiveCpus(p.limit, parallelism)) ** 2, 0);
  const det = sw * sxx - sx * sx;
  if (det > 1e-12 * sw * sxx) {
    const cpu = (sw * sxd - sx * sd) / det;
    const io = (sd - cpu * sx) / sw;
    if (cpu >= 0 && io >= 0) return { io, cpu, sse: sse(io, cpu) };
  }
  const cpuOnly = { io: 0, cpu: sxd / sxx };
  const ioOnly = { io: sd / sw, cpu: 0 };
  const a = sse(cpuOnly.io, cpuOnly.cpu);
  const b = sse(ioOnly.io, ioOnly.cpu);
  return a <= b ? { ...cpuOnly, sse: a } : { ...ioOnly, sse: b };
}

/** Parallelism is searched on this grid, then refined around the best cell. */
const PARALLELISM_STEP = 0.01;

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Fits cpuMs, ioMs and parallelism to measured (memory, duration) points: for each parallelism on a fine grid
 * between 1 and the most the points can show, the best non-negative (ioMs, cpuMs) by relative least squares; the
 * parallelism with the smallest error wins (the smallest one among equals, so a knee is never placed higher than the
 * points say). Needs two sizes with different CPU shares below the knee to tell the I/O part from the CPU part.
 */
export function fitDurationModel(points: readonly DurationPoint[]): DurationModel {
  const usable = points.filter((p) => Number.isFinite(p.durationMs) && p.durationMs > 0);
  const prepared: Prepared[] = usable.map((p) => ({
    limit: cpuLimit(p.memoryMB, p),
    duration: p.durationMs,
    weight: 1 / p.durationMs ** 2,
  }));
  const distinctShares = new Set(prepared.map((p) => Math.min(1, p.limit).toFixed(4)));
  if (distinctShares.size < 2) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `A duration model needs measured durations at two or more sizes with different CPU shares below 1769 MB, got ${usable.length} point(s) (${usable.map((p) => `${p.memoryMB} MB`).join(', ') || 'none'}).`,
      'Measure at least one size below 1769 MB and one at or above it.',
    );
  }
  const observable = Math.max(1, ...prepared.map((p) => p.limit));
  let best = { parallelism: 1, ...linearFit(prepared, 1) };
  const consider = (parallelism: number) => {
    const fit = linearFit(prepared, parallelism);
    // Strictly better only: among equal errors the smaller parallelism stays.
    if (fit.sse < best.sse * (1 - 1e-9)) best = { parallelism, ...fit };
  };
  const steps = Math.round((observable - 1) / PARALLELISM_STEP);
  for (let i = 1; i <= steps; i++) consider(1 + i * PARALLELISM_STEP);
  consider(observable);
  // Refine within the best cell (the error is smooth between the points' limits).
  const around = best.parallelism;
  for (let i = -10; i <= 10; i++) {
    const p = around + (i * PARALLELISM_STEP) / 10;
    if (p >= 1 && p <= observable) consider(p);
  }
  const { io, cpu, parallelism } = best;
  const residuals = prepared.map((p) => (p.duration - io - cpu / effectiveCpus(p.limit, parallelism)) / p.duration);
  return {
    cpuMs: cpu,
    ioMs: io,
    parallelism,
    parallelismObservable: observable,
    parallelismAtLimit: observable > 1 && parallelism >= observable - PARALLELISM_STEP,
    ioShare: io + cpu > 0 ? io / (io + cpu) : 0,
    initMs: median(usable.flatMap((p) => (typeof p.initMs === 'number' ? [p.initMs] : []))),
    rmsRelativeError: Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length),
    points: usable.length,
  };
}

/** "parallelism 1.98 (the most this host can show), I/O 12 % of the duration at 1769 MB" — for reports. */
export function describeModel(model: DurationModel): string {
  const p = model.parallelism.toFixed(2);
  const limit = model.parallelismAtLimit ? ` (the most these sizes can show: it may use more)` : '';
  return `parallelism ${p}${limit}, I/O ${Math.round(model.ioShare * 100)} % of the duration at ${MB_PER_VCPU} MB (CPU work ${model.cpuMs.toFixed(1)} ms at one vCPU, ${model.ioMs.toFixed(1)} ms that no CPU share speeds up)`;
}
