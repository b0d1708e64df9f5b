import { LambenchError } from '../errors.js';
import type { Target } from '../targets/types.js';
import type { PayloadSpec, Strategy } from '../tuner/plan.js';
import { STRATEGIES } from '../tuner/plan.js';
import { chooseBest, decisionCost, decisionDuration, eligible } from '../tuner/strategy.js';
import { type TuneOptions, tune } from '../tuner/tune.js';
import type { ConfigResult, InvocationRecord, TuneResult } from '../tuner/types.js';
import { bestPerStrategy, type Prediction } from './predict.js';

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
   * How much worse the predicted size is than the sweep's best by the sweep's own figures and the strategy's
   * criterion (cost, duration, or the balanced score), in percent: 0 when they match, small when the curve is flat
   * there and the two sizes are within noise of each other.
   */
  regretPct: number | null;
}

export interface Validation {
  sizes: SizeCheck[];
  /** Mean absolute percentage error over the sizes the host can honour. */
  mapePct: number;
  maxAbsErrorPct: number;
  withinInterval: number;
  best: Record<Strategy, StrategyCheck>;
  invocations: { probes: number; sweep: number; ratio: number };
  /** Sizes of the list the sweep left out because the host cannot honour them. */
  notMeasured: number[];
}

/** Runs the full sweep (the tuner) over the sizes this host can honour, then compares it with the prediction. */
export async function validatePrediction(
  target: Target,
  prediction: Prediction,
  sweep: { invocations: number; payloads: PayloadSpec[]; balancedWeight: number },
  options: Pick<TuneOptions, 'signal' | 'onProgress' | 'onWarning' | 'outDir' | 'onPartialResult'> = {},
): Promise<{ validation: Validation; sweepResult: TuneResult; sweepRecords: InvocationRecord[] }> {
  const sizes = prediction.predictions.filter((p) => p.hostCanHonour).map((p) => p.memoryMB);
  if (sizes.length === 0) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--validate: none of the sizes to predict can be measured in full on this host (up to ${prediction.hostLimitMB} MB).`,
      'Include sizes this host can honour in --memory.',
    );
  }
  const { result, records, interrupted } = await tune(
    target,
    {
      functionName: prediction.function,
      memorySizes: sizes,
      invocations: sweep.invocations,
      parallel: false,
      payloads: sweep.payloads,
      strategy: prediction.strategy,
      balancedWeight: sweep.balancedWeight,
      coldOnly: false,
      warmup: 1,
      sleepBetweenMs: 0,
      allowedErrorTypes: [],
      autoApply: false,
      architecture: prediction.environment.architecture,
      ...(prediction.environment.pricingRegion ? { region: prediction.environment.pricingRegion } : {}),
    },
    options,
  );
  if (interrupted) throw new LambenchError('INTERRUPTED', 'Interrupted during the validation sweep.');
  return {
    validation: compareWithSweep(prediction, result, records.length),
    sweepResult: result,
    sweepRecords: records,
  };
}

/** Error per size, MAPE, and whether each strategy picks the same size (over the sizes both have). */
export function compareWithSweep(prediction: Prediction, sweep: TuneResult, sweepInvocations: number): Validation {
  const measured = new Map(eligible(sweep.configs).map((c) => [c.memoryMB, c]));
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
  const predictedBest = bestPerStrategy(compared, sweep.balancedWeight);
  const configs = [...measured.values()];
  const best = Object.fromEntries(
    STRATEGIES.map((strategy) => {
      const sweepBest = chooseBest(configs, { strategy, balancedWeight: sweep.balancedWeight });
      const chosen = measured.get(predictedBest[strategy] ?? -1);
      return [
        strategy,
        {
          predicted: predictedBest[strategy],
          measured: sweepBest?.memoryMB ?? null,
          match: sweepBest !== null && sweepBest.memoryMB === predictedBest[strategy],
          regretPct:
            sweepBest && chosen ? round(regret(strategy, chosen, sweepBest, configs, sweep.balancedWeight)) : null,
        },
      ];
    }),
  ) as Record<Strategy, StrategyCheck>;
  return {
    sizes,
    mapePct: round(errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length)),
    maxAbsErrorPct: round(Math.max(0, ...errors)),
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

function regret(
  strategy: Strategy,
  chosen: ConfigResult,
  best: ConfigResult,
  configs: ConfigResult[],
  weight: number,
): number {
  if (strategy === 'cost') return (decisionCost(chosen) / decisionCost(best) - 1) * 100;
  if (strategy === 'speed') return (decisionDuration(chosen) / decisionDuration(best) - 1) * 100;
  const maxCost = Math.max(...configs.map(decisionCost));
  const maxDuration = Math.max(...configs.map(decisionDuration));
  const score = (c: ConfigResult) =>
    (weight * decisionCost(c)) / maxCost + ((1 - weight) * decisionDuration(c)) / maxDuration;
  return (score(chosen) / score(best) - 1) * 100;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
