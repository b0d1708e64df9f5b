import type { Architecture } from '../../engine/types.js';
import { pricesFor } from '../../pricing/prices.js';
import { VISUALIZATION_BASE, visualizationUrl } from '../../report/visualization.js';
import type { Strategy } from '../plan.js';
import { countsAsResult, type InvocationRecord } from '../types.js';
import type { PowerTuningSettings } from './input.js';

/** One size as PowerTuning's executor reports it to the analyzer. */
export interface PowerTuningStat {
  value: number;
  averagePrice: number;
  averageDuration: number;
  totalCost: number;
}

/** The state machine's output (its Analyzer's result, which the Optimizer passes on as the execution's output). */
export interface PowerTuningOutput {
  power: number;
  cost: number;
  duration: number;
  stateMachine: { executionCost: number; lambdaCost: number; visualization: string };
  stats?: Array<Omit<PowerTuningStat, 'totalCost'>>;
}

/**
 * Step Functions' price per state transition (USD) by region, as PowerTuning's template passes it to its functions
 * (`sfCosts`); other regions pay the default.
 */
const STEP_FUNCTIONS_TRANSITION: Record<string, number> = {
  default: 0.000025,
  'us-gov-west-1': 0.00003,
  'us-gov-east-1': 0.00003,
  'ap-northeast-2': 0.0000271,
  'eu-south-1': 0.00002625,
  'af-south-1': 0.00002975,
  'us-west-1': 0.0000279,
  'eu-west-3': 0.0000297,
  'ap-east-1': 0.0000275,
  'me-south-1': 0.0000275,
  'ap-south-1': 0.0000285,
  'sa-east-1': 0.0000375,
  'cn-north-1': 0.0001891,
  'cn-northwest-1': 0.0001891,
};

/** PowerTuning's utils.stepFunctionsCost: 6 transitions + 3 per size (or, cold starts only, 1 + 2 × num per size). */
export function stepFunctionsCost(sizes: number, onlyColdStarts: boolean, num: number, region: string): number {
  const perTransition = STEP_FUNCTIONS_TRANSITION[region] ?? (STEP_FUNCTIONS_TRANSITION.default as number);
  const transitions = onlyColdStarts ? 6 + sizes + 2 * sizes * num : 6 + sizes * 3;
  return +(perTransition * transitions).toFixed(5);
}

/** PowerTuning's computeAverageDuration: the mean after dropping `discard` of the values at each end. */
export function trimmedMean(values: readonly number[], discard: number): number {
  if (values.length === 0) return 0;
  const cut = Math.trunc(values.length * discard);
  const kept = [...values].sort((a, b) => a - b).slice(cut, values.length - cut);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/**
 * The executor's statistics of one size: Duration + Init Duration per invocation (PowerTuning adds them), the
 * price of the trimmed mean of Billed Duration (ceiled, duration only, no request charge) and the sum over all.
 * The per-ms price of 128 MB comes from lambench's price table (PowerTuning's template rounds it: 2.1e-9 for x86_64).
 */
export function sizeStat(
  memoryMB: number,
  records: readonly InvocationRecord[],
  discardTopBottom: number,
  pricing: { architecture: Architecture; region: string },
): PowerTuningStat {
  const measured = records.filter((r) => r.memoryMB === memoryMB && !r.warmup && countsAsResult(r));
  const perGbSecond = pricesFor(pricing.region).gbSecond[pricing.architecture][0]?.[1] ?? 0;
  const baseCost = (perGbSecond * (128 / 1024)) / 1000;
  const price = (ms: number) => Math.ceil(ms) * baseCost * (memoryMB / 128);
  const billed = measured.map((r) => r.billedDurationMs);
  return {
    value: memoryMB,
    averageDuration: trimmedMean(
      measured.map((r) => r.durationMs + (r.initDurationMs ?? 0)),
      discardTopBottom,
    ),
    averagePrice: price(trimmedMean(billed, discardTopBottom)),
    totalCost: billed.reduce((sum, ms) => sum + price(ms), 0),
  };
}

type Point = { power: number; cost: number; duration: number };

/** The analyzer's strategies, with its tie-breaks (cost: the faster; speed: the cheaper). */
function pick(points: Point[], strategy: Strategy, weight: number): Point | undefined {
  const sorted = [...points];
  if (strategy === 'cost') sorted.sort((a, b) => (a.cost === b.cost ? a.duration - b.duration : a.cost - b.cost));
  else if (strategy === 'speed') {
    sorted.sort((a, b) => (a.duration === b.duration ? a.cost - b.cost : a.duration - b.duration));
  } else {
    const maxCost = Math.max(...points.map((p) => p.cost));
    const maxDuration = Math.max(...points.map((p) => p.duration));
    const value = (p: Point) => (weight * p.cost) / maxCost + ((1 - weight) * p.duration) / maxDuration;
    sorted.sort((a, b) => value(a) - value(b));
  }
  return sorted[0];
}

/**
 * What PowerTuning's state machine would output for these measurements, computed by its formulas; null for a dry
 * run (its analyzer skips the analysis) or when no size has a result.
 */
export function powerTuningOutput(
  records: readonly InvocationRecord[],
  run: {
    memorySizes: readonly number[];
    strategy: Strategy;
    balancedWeight: number;
    architecture: Architecture;
    region: string;
    settings: PowerTuningSettings;
  },
): PowerTuningOutput | null {
  if (run.settings.dryRun) return null;
  const stats = run.memorySizes.map((m) => sizeStat(m, records, run.settings.discardTopBottom, run));
  const points = stats
    .filter((s) => s.averageDuration)
    .map((s) => ({ power: s.value, cost: s.averagePrice, duration: s.averageDuration }));
  const best = pick(points, run.strategy, run.balancedWeight);
  if (!best) return null;
  let visualization = visualizationUrl(
    points.map((p) => ({ memoryMB: p.power, durationMs: p.duration, costUSD: p.cost })),
  );
  if (run.region.startsWith('cn-'))
    visualization = visualization.replace(`${VISUALIZATION_BASE}#`, `${VISUALIZATION_BASE}?currency=CNY#`);
  return {
    power: best.power,
    cost: best.cost,
    duration: best.duration,
    stateMachine: {
      executionCost: stepFunctionsCost(stats.length, run.settings.onlyColdStarts, run.settings.num, run.region),
      lambdaCost: stats.filter((s) => s.averageDuration).reduce((sum, s) => sum + s.totalCost, 0),
      visualization,
    },
    ...(run.settings.includeOutputResults
      ? { stats: stats.map(({ value, averagePrice, averageDuration }) => ({ value, averagePrice, averageDuration })) }
      : {}),
  };
}
