import { LambenchError } from '../errors.js';
import { durationInterval, fitWithBootstrap } from '../model/bootstrap.js';
import { type DurationModel, modelDuration } from '../model/duration-model.js';
import { sampledPoints } from '../model/from-tune.js';
import { invocationCost } from '../pricing/cost.js';
import { awsVisibleCpus } from '../sandbox/cpus.js';
import type { Target } from '../targets/types.js';
import { sharesOf } from '../tuner/confidence.js';
import type { PayloadSpec, Strategy } from '../tuner/plan.js';
import { STRATEGIES } from '../tuner/plan.js';
import { bestBy, type StrategyOptions } from '../tuner/strategy.js';
import { type TuneOptions, tune } from '../tuner/tune.js';
import type { ConfigResult, InvocationRecord, TuneResult } from '../tuner/types.js';
import { chooseProbeSizes } from './probes.js';

export interface PredictRequest {
  functionName: string;
  /** Sizes to predict (the curve). */
  memorySizes: number[];
  /** How many sizes to measure (≥ 2). */
  probes: number;
  /** Measured invocations per probe, after one cold one (which gives the Init Duration). */
  invocations: number;
  payloads: PayloadSpec[];
  strategy: Strategy;
  balancedWeight: number;
  /** Predicted sizes within this fraction of the best count as tied (tuner/strategy.ts); absent = 0. */
  tolerance?: number;
  architecture?: 'x86_64' | 'arm64';
  region?: string;
  /** The low probe (default 256 MB, or the smallest size to predict when that is larger). */
  lowProbeMB?: number;
  /** Bootstrap replicates for the interval (default 400). */
  replicates?: number;
}

export interface PredictedSize {
  memoryMB: number;
  /** The model's median duration at this size on AWS (its CPU share and cores), ms. */
  durationMs: number;
  /** 95 % interval (bootstrap of the probes' invocations). */
  low: number;
  high: number;
  /** USD per 1M warm invocations, priced at the predicted duration rounded up to the billed millisecond. */
  costPer1M: number;
  /** Init Duration + duration, when the probes had cold starts. */
  coldStartMs: number | null;
  /** False where this host cannot give the size its full CPU share or cores: predicted, but not measurable here. */
  hostCanHonour: boolean;
}

export interface Prediction {
  function: string;
  target: 'local' | 'aws';
  strategy: Strategy;
  /** Sizes within this fraction of the best were counted as tied when picking `best` (tuner/strategy.ts). */
  tolerance: number;
  probes: Array<{ memoryMB: number; p50: number; ci95: [number, number]; n: number; initMs: number | null }>;
  predictions: PredictedSize[];
  best: Record<Strategy, number | null>;
  /**
   * Per strategy, the share of the bootstrap replicates (the interval's) whose curve picks each size, most often
   * first: how sure the prediction is of its best size given the probes' noise.
   */
  confidence: Record<Strategy, Array<{ memoryMB: number; share: number }>>;
  recommendation: string;
  model: DurationModel & { formula: string; interval: string };
  /** Every invocation the probes made (cold ones included). */
  invocations: number;
  /** The sizes the host cannot honour (flagged in predictions). */
  hostLimitMB: number;
  environment: PredictionEnvironment;
}

export interface PredictOutput {
  prediction: Prediction;
  probeResult: TuneResult;
  probeRecords: InvocationRecord[];
  interrupted: boolean;
}

const FORMULA = 'durationMs(m) = ioMs + cpuMs / min(m/1769, parallelism, visible cores(m)); cold start + initMs';
const INTERVAL =
  'bootstrap: each probe’s invocations resampled with replacement, medians refitted (seeded); 2.5th–97.5th percentile of the replicates’ predictions. Measurement noise only, not model error.';

/** Where the probes ran and how their costs are priced. */
export interface PredictionEnvironment {
  target: 'local' | 'aws';
  architecture: 'x86_64' | 'arm64';
  pricingRegion: string;
  isolation?: string;
  hostCpus?: number;
  runtime?: string;
}

/** The probes as measured: their sizes' figures (tuner/results.ts) and every invocation. */
export interface ProbeData {
  functionName: string;
  configs: ConfigResult[];
  records: InvocationRecord[];
  environment: PredictionEnvironment;
}

/**
 * Measures a few sizes (tune() on the probe sizes, one cold invocation each first), fits the duration model and
 * predicts every requested size with an interval, its cost and the best size for each strategy.
 */
export async function predict(
  target: Target,
  request: PredictRequest,
  options: Pick<TuneOptions, 'signal' | 'onProgress' | 'onWarning' | 'outDir' | 'onPartialResult'> = {},
): Promise<PredictOutput> {
  const probeSizes = chooseProbeSizes(
    request.probes,
    target.maxFullCpuMemoryMB(),
    Math.min(...request.memorySizes),
    request.lowProbeMB,
  );
  const { result, records, interrupted } = await tune(
    target,
    {
      functionName: request.functionName,
      memorySizes: probeSizes,
      invocations: request.invocations,
      parallel: false,
      payloads: request.payloads,
      strategy: request.strategy,
      balancedWeight: request.balancedWeight,
      coldOnly: false,
      // The warm-up is the cold start: its Init Duration is the model's initMs, its duration is not a sample.
      warmup: 1,
      sleepBetweenMs: 0,
      allowedErrorTypes: [],
      autoApply: false,
      ...(request.architecture ? { architecture: request.architecture } : {}),
      ...(request.region ? { region: request.region } : {}),
    },
    options,
  );
  if (interrupted) throw new LambenchError('INTERRUPTED', 'Interrupted while measuring the probes.');
  const e = result.environment;
  const prediction = predictFromProbes(target, request, {
    functionName: result.function,
    configs: result.configs,
    records,
    environment: {
      target: result.target,
      architecture: e.architecture,
      pricingRegion: e.pricingRegion ?? e.region,
      ...(e.isolation ? { isolation: e.isolation } : {}),
      ...(e.hostCpus ? { hostCpus: e.hostCpus } : {}),
      ...(e.runtime ? { runtime: e.runtime } : {}),
    },
  });
  return { prediction, probeResult: result, probeRecords: records, interrupted };
}

/** Fits the model to measured probes and predicts the requested sizes. */
export function predictFromProbes(target: Target, request: PredictRequest, probes: ProbeData): Prediction {
  const { configs, records, environment } = probes;
  const failed = configs.filter((c) => c.errors > 0 || !c.durationMs);
  if (failed.length > 0) {
    throw new LambenchError(
      'PROBE_FAILED',
      `The function failed at ${failed.map((c) => `${c.memoryMB} MB (${Object.keys(c.errorTypes).join(', ') || 'no result'})`).join(', ')}: a curve cannot be fitted to failing invocations.`,
      'Run `lambench invoke <function> --memory <MB>` with the same payload to see the error.',
    );
  }
  const hostCpus = environment.target === 'local' ? environment.hostCpus : undefined;
  const { model, replicates } = fitWithBootstrap(sampledPoints(configs, records, hostCpus), {
    ...(request.replicates !== undefined ? { replicates: request.replicates } : {}),
  });
  const pricing = { architecture: environment.architecture, region: environment.pricingRegion };
  const price = (memoryMB: number, durationMs: number) =>
    invocationCost({ memoryMB, billedDurationMs: Math.ceil(durationMs), ...pricing }) * 1e6;
  const predictions = [...new Set(request.memorySizes)]
    .sort((a, b) => a - b)
    .map((memoryMB): PredictedSize => {
      const { durationMs, low, high } = durationInterval(model, replicates, memoryMB);
      return {
        memoryMB,
        durationMs: round(durationMs),
        low: round(low),
        high: round(high),
        costPer1M: price(memoryMB, durationMs),
        coldStartMs: model.initMs === null ? null : round(model.initMs + durationMs),
        hostCanHonour: hostCanHonour(target, memoryMB),
      };
    });
  const best = bestPerStrategy(predictions, request);
  const confidence = pickShares(replicates, predictions, price, request);
  return {
    function: probes.functionName,
    target: environment.target,
    strategy: request.strategy,
    tolerance: request.tolerance ?? 0,
    probes: configs.map((c) => ({
      memoryMB: c.memoryMB,
      p50: c.durationMs?.p50 ?? Number.NaN,
      ci95: c.durationMs?.ci95 ?? [Number.NaN, Number.NaN],
      n: c.durationMs?.count ?? 0,
      initMs: c.initDurationMs?.p50 ?? null,
    })),
    predictions,
    best,
    confidence,
    recommendation: recommendation(predictions, best, request.strategy),
    model: { ...model, formula: FORMULA, interval: INTERVAL },
    invocations: records.length,
    hostLimitMB: target.maxFullCpuMemoryMB(),
    environment,
  };
}

/** The host gives this size AWS's full CPU share and AWS's count of cores (always true on AWS). */
export const hostCanHonour = (target: Target, memoryMB: number) =>
  memoryMB <= target.maxFullCpuMemoryMB() && target.visibleCpus(memoryMB) >= awsVisibleCpus(memoryMB);

const round = (x: number) => Math.round(x * 100) / 100;

/** How often each replicate model's curve (durations and their cost) picks each size, per strategy. */
function pickShares(
  replicates: readonly DurationModel[],
  sizes: readonly PredictedSize[],
  price: (memoryMB: number, durationMs: number) => number,
  rule: Omit<StrategyOptions, 'strategy'>,
): Prediction['confidence'] {
  const counts = new Map(STRATEGIES.map((s) => [s, new Map<number, number>()]));
  for (const replicate of replicates) {
    const curve = sizes.map((p) => {
      const durationMs = modelDuration(replicate, p.memoryMB);
      return { ...p, durationMs, costPer1M: price(p.memoryMB, durationMs) };
    });
    for (const [strategy, memoryMB] of Object.entries(bestPerStrategy(curve, rule))) {
      const tally = counts.get(strategy as Strategy);
      if (tally && memoryMB !== null) tally.set(memoryMB, (tally.get(memoryMB) ?? 0) + 1);
    }
  }
  const shares = STRATEGIES.map((s) => [s, sharesOf(counts.get(s) ?? new Map(), replicates.length)]);
  return Object.fromEntries(shares) as Prediction['confidence'];
}

/** PowerTuning's strategies (tuner/strategy.ts) over predicted sizes. */
export function bestPerStrategy(
  sizes: readonly PredictedSize[],
  rule: Omit<StrategyOptions, 'strategy'> = {},
): Record<Strategy, number | null> {
  const figures = { duration: (p: PredictedSize) => p.durationMs, cost: (p: PredictedSize) => p.costPer1M };
  const entries = STRATEGIES.map((strategy) => [
    strategy,
    bestBy(sizes, figures, { ...rule, strategy })?.memoryMB ?? null,
  ]);
  return Object.fromEntries(entries) as Record<Strategy, number | null>;
}

function recommendation(sizes: readonly PredictedSize[], best: Record<Strategy, number | null>, strategy: Strategy) {
  const chosen = sizes.find((p) => p.memoryMB === best[strategy]);
  if (!chosen) return 'Nothing to recommend.';
  const note = chosen.hostCanHonour
    ? ''
    : ' (predicted: this host cannot give it its full CPU, so it was not measured)';
  return `${chosen.memoryMB} MB for ${strategy}: ~${chosen.durationMs.toFixed(1)} ms [${chosen.low.toFixed(1)}–${chosen.high.toFixed(1)}], $${chosen.costPer1M.toFixed(2)} per 1M${note}.`;
}
