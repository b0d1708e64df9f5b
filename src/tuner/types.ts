import type { NetworkDescription } from '../services/network/index.js';
import type { PickConfidence } from './confidence.js';
/** One invocation as measured: kept as a line of invocations.jsonl so every report can be rebuilt. */
export interface InvocationRecord {
  memoryMB: number;
  requestId: string;
  cold: boolean;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs: number | null;
  maxMemoryUsedMB: number;
  functionError: string | null;
  errorType: string | null;
  errorMessage?: string;
  /** Wall time seen by the client, request to response. */
  clientMs: number;
  payloadName?: string;
  startedAt: string;
  /** A warm-up invocation: not in the duration statistics, but its cold start is in the cold-start ones. */
  warmup?: boolean;
  /** The error type is one of --allowed-errors: the call failed, but it counts as a result (PowerTuning's allowedExceptions). */
  allowedError?: boolean;
  /** The version the runtime ran on (v22.23.5), where the target says. */
  runtimeVersion?: string;
}

/** A successful invocation, or one whose error type was allowed: both are measured as results. */
export const countsAsResult = (r: InvocationRecord): boolean => r.errorType === null || r.allowedError === true;

export interface Summary {
  count: number;
  mean: number;
  /** PowerTuning's trimmed mean: 20 % of the values cut at each end. */
  trimmedMean: number;
  p50: number;
  p90: number;
  p99: number;
  /** 95 % confidence interval of the median (binomial order statistics). */
  ci95: [number, number];
  min: number;
  max: number;
  stddev: number;
}

export interface ConfigResult {
  memoryMB: number;
  invocations: number;
  errors: number;
  errorTypes: Record<string, number>;
  /** Invocations that failed with an allowed error type (counted as results, not in `errors`); absent when none. */
  allowedErrors?: Record<string, number>;
  /** Set when the size could not run at all (e.g. the configuration was rejected). */
  failure?: { errorType: string; message: string };
  durationMs: Summary | null;
  billedDurationMs: Summary | null;
  initDurationMs: Summary | null;
  /** Init Duration + the first invocation's duration, for cold starts. */
  coldStartMs: Summary | null;
  maxMemoryUsedMB: number;
  /** perMonth: the month's bill at TuneResult.monthly's rate (tiers, optionally the free tier), when asked for. */
  costUSD: { perInvocation: number; per1M: number; perMonth?: number } | null;
  coldStarts: number;
  cpuCapped: boolean;
  /** Cores the function saw at this size (AWS's vCPU count, capped by a local host); absent in older results. */
  visibleCpus?: number;
  /** Adaptive sampling (--precision): the n this size needed and whether its precision was reached. */
  sampling?: SizeSampling;
}

export interface SizeSampling {
  /** Invocations measured (warm-ups not counted). */
  n: number;
  /** The median's 95 % CI lay within ±precision of it before max-n. */
  precisionReached: boolean;
  /** The CI's larger side relative to the median (0.04 = ±4 %); null below 6 successful invocations. */
  ciHalfWidth: number | null;
}

/** How the run sampled: the order, its seed, and (adaptive) the precision asked for with its bounds. */
export interface TuneSampling {
  order: 'sequential' | 'interleaved';
  seed?: number;
  precision?: number;
  minN?: number;
  maxN?: number;
}

export interface TuneEnvironment {
  target: 'local' | 'aws';
  region: string;
  /** The architecture costs are priced at: --arch, or the function's own. */
  architecture: 'x86_64' | 'arm64';
  /** The region costs are priced in (--region, or the target's); absent in results from before it was recorded. */
  pricingRegion?: string;
  isolation?: string;
  hostCpus?: number;
  cpuModel?: string;
  initCpuBoost?: boolean;
  /**
   * Local: the network model environments had (src/services/network/model.ts: bandwidth by memory size, latency
   * per operation, where it deviates from AWS), or `{ model: 'none' }`; absent on AWS and in older results.
   */
  network?: NetworkDescription;
  /** The function's runtime (nodejs22.x) and the version it ran on (v22.23.5; absent where the target does not say). */
  runtime?: string;
  runtimeVersion?: string;
  /** The node that ran lambench itself. */
  node: string;
  /** Requested sizes above what the host can give full CPU to (local) — their CPU was capped. */
  cappedMemorySizes: number[];
  startedAt: string;
  finishedAt: string;
}

export interface TuneResult {
  function: string;
  target: 'local' | 'aws';
  strategy: 'cost' | 'speed' | 'balanced';
  balancedWeight: number;
  /** Sizes within this fraction of the best counted as tied (tuner/strategy.ts); absent in older results: 0. */
  tolerance?: number;
  best: { memoryMB: number; durationMs: number; costUSD: number } | null;
  recommendation: string;
  /** How often bootstrap resamples of the invocations pick each size (tuner/confidence.ts); absent in older results. */
  confidence?: PickConfidence;
  configs: ConfigResult[];
  visualization: string;
  environment: TuneEnvironment;
  /** The rate the configs' costUSD.perMonth is priced at (--per-month, --free-tier); absent when not asked for. */
  monthly?: { invocations: number; freeTier: boolean };
  /** Absent in results from before the order was recorded (they ran sequentially). */
  sampling?: TuneSampling;
}
