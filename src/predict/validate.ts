import { LambenchError } from '../errors.js';
import type { Target } from '../targets/types.js';
import type { Strategy } from '../tuner/plan.js';
import { STRATEGIES } from '../tuner/plan.js';
import { buildConfigResult } from '../tuner/results.js';
import {
  chooseBest,
  criterion,
  decisionCost,
  decisionDuration,
  eligible,
  type StrategyOptions,
} from '../tuner/strategy.js';
import type { ConfigResult, InvocationRecord } from '../tuner/types.js';
import { type ArmOutcome, runInterleaved } from './interleave.js';
import { bestPerStrategy, hostCanHonour, type Prediction, type PredictRequest, predictFromProbes } from './predict.js';
import { chooseProbeSizes } from './probes.js';

export interface SizeCheck {
  memoryMB: number;
  measuredP50: number;
  predictedMs: number;
  /** (predicted − measured) / measured, in percent. */
  errorPct: number;
  /** The measured median lies inside the predicted interval. */
  withinInterval: boolean;
}

export interface StrategyCheck {
  predicted: number | null;
  measured: number | null;
  match: boolean;
  /**
   * How much worse the predicted size is than the sweep's strictly best size by the sweep's own figures and the
   * strategy's criterion (cost, duration, or the balanced score), in percent: small when the curve is flat there and
   * the two sizes are within noise of each other (0 when they match and no tolerance applies).
   */
  regretPct: number | null;
}

export interface Validation {
  sizes: SizeCheck[];
  /** Mean absolute percentage error over the sizes the host can honour. */
  mapePct: number;
  maxAbsErrorPct: number;
  /**
   * The measurement's own repeatability: at sizes both the probes and the sweep measured (apart, at the same time),
   * the mean |probe median − sweep median| / sweep median in percent. A MAPE near it is all the noise allows.
   */
  repeatErrorPct: number | null;
  withinInterval: number;
  best: Record<Strategy, StrategyCheck>;
  invocations: { probes: number; sweep: number; ratio: number };
  /** Sizes of the list the sweep left out because the host cannot honour them. */
  notMeasured: number[];
}

export interface ValidationOutput {
  prediction: Prediction;
  validation: Validation;
  /** The sweep's sizes as the tuner sums them up (tuner/results.ts). */
  sweep: ConfigResult[];
  /** Every invocation, probes and sweep (`payloadName` says which). */
  records: InvocationRecord[];
}

/**
 * Predicts from the probes and runs the full sweep over the sizes this host can honour, the two interleaved in
 * randomised rounds (interleave.ts) so that the load of a shared host falls on both alike; the probes' invocations
 * stay their own (a size in both is measured twice), so the prediction sees nothing of the sweep.
 */
export async function predictAndValidate(
  target: Target,
  request: PredictRequest,
  sweep: { invocations: number },
  options: { signal?: AbortSignal; onRound?: (done: number, total: number) => void } = {},
): Promise<ValidationOutput> {
  const sweepSizes = [...new Set(request.memorySizes)].filter((m) => hostCanHonour(target, m)).sort((a, b) => a - b);
  if (sweepSizes.length === 0) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--validate: none of the sizes to predict can be measured in full on this host (up to ${target.maxFullCpuMemoryMB()} MB).`,
      'Include sizes this host can honour in --memory.',
    );
  }
  const probeSizes = chooseProbeSizes(
    request.probes,
    target.maxFullCpuMemoryMB(),
    Math.min(...request.memorySizes),
    request.lowProbeMB,
  );
  const arms = [
    ...probeSizes.map((memoryMB) => ({ key: `probe-${memoryMB}`, memoryMB, invocations: request.invocations })),
    ...sweepSizes.map((memoryMB) => ({ key: `sweep-${memoryMB}`, memoryMB, invocations: sweep.invocations })),
  ];
  const described = await target.describe(request.functionName);
  const env = await target.environment();
  const environment = {
    target: target.kind,
    architecture: request.architecture ?? described.architecture,
    pricingRegion: request.region ?? env.region,
    ...(env.isolation ? { isolation: env.isolation } : {}),
    ...(env.hostCpus ? { hostCpus: env.hostCpus } : {}),
    runtime: described.runtime,
  };
  const payload = request.payloads[0] ?? { name: 'payload', payload: '{}', weight: 1 };
  let outcomes: Map<string, ArmOutcome>;
  try {
    outcomes = await runInterleaved(target, request.functionName, arms, payload, options);
  } finally {
    await target.cleanup();
  }
  const configsOf = (kind: 'probe' | 'sweep', sizes: number[]) =>
    sizes.map((memoryMB) => {
      const outcome = outcomes.get(`${kind}-${memoryMB}`) ?? { records: [] };
      return buildConfigResult(memoryMB, outcome.records, {
        architecture: environment.architecture,
        region: environment.pricingRegion,
        cpuCapped: memoryMB > target.maxFullCpuMemoryMB(),
        visibleCpus: target.visibleCpus(memoryMB),
        ...(outcome.failure ? { failure: outcome.failure } : {}),
      });
    });
  const tagged = (kind: 'probe' | 'sweep') =>
    [...outcomes.entries()]
      .filter(([key]) => key.startsWith(`${kind}-`))
      .flatMap(([, o]) => o.records.map((r) => ({ ...r, payloadName: kind })));
  const probeRecords = tagged('probe');
  const sweepRecords = tagged('sweep');
  const prediction = predictFromProbes(target, request, {
    functionName: described.name,
    configs: configsOf('probe', probeSizes),
    records: probeRecords,
    environment,
  });
  const sweepConfigs = configsOf('sweep', sweepSizes);
  return {
    prediction,
    validation: compareWithSweep(prediction, sweepConfigs, sweepRecords.length, request),
    sweep: sweepConfigs,
    records: [...probeRecords, ...sweepRecords],
  };
}

/** Error per size, MAPE, and whether each strategy picks the same size (over the sizes both have). */
export function compareWithSweep(
  prediction: Prediction,
  sweep: ConfigResult[],
  sweepInvocations: number,
  rule: Omit<StrategyOptions, 'strategy'> = {},
): Validation {
  const measured = new Map(eligible(sweep).map((c) => [c.memoryMB, c]));
  const compared = prediction.predictions.filter((p) => p.hostCanHonour && measured.has(p.memoryMB));
  const sizes: SizeCheck[] = compared.map((p) => {
    const m = measured.get(p.memoryMB)?.durationMs?.p50 ?? Number.NaN;
    return {
      memoryMB: p.memoryMB,
      measuredP50: m,
      predictedMs: p.durationMs,
      errorPct: round(((p.durationMs - m) / m) * 100),
      withinInterval: m >= p.low && m <= p.high,
    };
  });
  const errors = sizes.map((s) => Math.abs(s.errorPct));
  const predictedBest = bestPerStrategy(compared, rule);
  const configs = [...measured.values()];
  const best = Object.fromEntries(
    STRATEGIES.map((strategy) => {
      const sweepBest = chooseBest(configs, { ...rule, strategy });
      const chosen = measured.get(predictedBest[strategy] ?? -1);
      return [
        strategy,
        {
          predicted: predictedBest[strategy],
          measured: sweepBest?.memoryMB ?? null,
          match: sweepBest !== null && sweepBest.memoryMB === predictedBest[strategy],
          regretPct: sweepBest && chosen ? round(regret(chosen, configs, { ...rule, strategy })) : null,
        },
      ];
    }),
  ) as Record<Strategy, StrategyCheck>;
  return {
    sizes,
    mapePct: round(errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length)),
    maxAbsErrorPct: round(Math.max(0, ...errors)),
    repeatErrorPct: repeatError(prediction, measured),
    withinInterval: sizes.filter((s) => s.withinInterval).length,
    best,
    invocations: {
      probes: prediction.invocations,
      sweep: sweepInvocations,
      ratio: round(prediction.invocations / Math.max(1, sweepInvocations), 3),
    },
    notMeasured: prediction.predictions.filter((p) => !p.hostCanHonour).map((p) => p.memoryMB),
  };
}

function repeatError(prediction: Prediction, measured: Map<number, ConfigResult>): number | null {
  const both = prediction.probes.flatMap((p) => {
    const m = measured.get(p.memoryMB)?.durationMs?.p50;
    return m ? [Math.abs(p.p50 - m) / m] : [];
  });
  return both.length ? round((both.reduce((a, b) => a + b, 0) / both.length) * 100) : null;
}

/**
 * How much worse `chosen` is than the sweep's strictly best size by the strategy's own figure, in percent (a regret
 * within the tolerance is a size the sweep counts as tied with its best).
 */
function regret(chosen: ConfigResult, configs: ConfigResult[], rule: StrategyOptions): number {
  const figures = { duration: decisionDuration, cost: decisionCost };
  const figure = criterion(configs, figures, rule.strategy, rule.balancedWeight);
  return (figure(chosen) / Math.min(...configs.map(figure)) - 1) * 100;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
