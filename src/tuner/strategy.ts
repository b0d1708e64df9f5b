import type { ConfigResult } from './types.js';

export type Strategy = 'cost' | 'speed' | 'balanced';

/** The figures a strategy compares: PowerTuning's trimmed-mean duration and the cost priced from it. */
export const decisionDuration = (c: ConfigResult) => c.durationMs?.trimmedMean ?? Number.POSITIVE_INFINITY;
export const decisionCost = (c: ConfigResult) => c.costUSD?.perInvocation ?? Number.POSITIVE_INFINITY;

/** Sizes eligible for a recommendation: every invocation succeeded. */
export const eligible = (configs: ConfigResult[]) =>
  configs.filter((c) => c.errors === 0 && c.durationMs !== null && c.costUSD !== null);

/**
 * Differences smaller than this do not decide by default: the same size measured twice in one run differs by
 * 0.7–13 % on this project's quiet host (README, predict's repeat error), so a size within 5 % of the best is as good
 * as the best, and the other criterion decides between them.
 */
export const DEFAULT_TOLERANCE = 0.05;

export interface StrategyOptions {
  strategy: Strategy;
  balancedWeight?: number;
  /**
   * Sizes whose figure (cost, duration or balanced score) is within this fraction of the best one are tied; among
   * them the faster wins for cost, the cheaper for speed and balanced (then the smaller). 0, the default here, is
   * PowerTuning's rule: the strictly best, ties on the exact figure only.
   */
  tolerance?: number;
}

/**
 * PowerTuning's rules: cost → cheapest (ties: faster, then smaller), speed → fastest (ties: cheaper, then smaller),
 * balanced → minimise w × cost/maxCost + (1 − w) × duration/maxDuration (w = 1 is "cost", w = 0 is "speed"); with a
 * tolerance, "ties" are the sizes within it of the best.
 */
export function chooseBest(configs: ConfigResult[], options: StrategyOptions): ConfigResult | null {
  return bestBy(eligible(configs), { duration: decisionDuration, cost: decisionCost }, options);
}

interface Figures<T> {
  duration: (c: T) => number;
  cost: (c: T) => number;
}

/** The figure a strategy minimises over these candidates (balanced normalises by their largest cost and duration). */
export function criterion<T>(candidates: readonly T[], figures: Figures<T>, strategy: Strategy, balancedWeight = 0.5) {
  const { duration, cost } = figures;
  if (strategy === 'cost') return cost;
  if (strategy === 'speed') return duration;
  const maxCost = Math.max(...candidates.map(cost));
  const maxDuration = Math.max(...candidates.map(duration));
  return (c: T) => (balancedWeight * cost(c)) / maxCost + ((1 - balancedWeight) * duration(c)) / maxDuration;
}

/** The same rules over any sizes with a duration and a cost (predict ranks predicted sizes with them). */
export function bestBy<T extends { memoryMB: number }>(
  candidates: readonly T[],
  figures: Figures<T>,
  { strategy, balancedWeight = 0.5, tolerance = 0 }: StrategyOptions,
): T | null {
  if (candidates.length === 0) return null;
  const primary = criterion(candidates, figures, strategy, balancedWeight);
  const least = Math.min(...candidates.map(primary));
  const tied = candidates.filter((c) => primary(c) <= least * (1 + tolerance));
  const secondary = strategy === 'cost' ? figures.duration : figures.cost;
  return [...tied].sort((a, b) => secondary(a) - secondary(b) || a.memoryMB - b.memoryMB)[0] ?? null;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** "1024 MB: 38 % cheaper than 512 MB, 2.1× faster than 128 MB" — the comparison a reader wants first. */
export function recommendationText(
  configs: ConfigResult[],
  best: ConfigResult | null,
  { strategy, ...options }: StrategyOptions,
): string {
  if (!best) return 'No memory size ran without errors, so there is no recommendation.';
  const others = eligible(configs).filter((c) => c !== best);
  const parts: string[] = [];
  const pricier = others
    .filter((c) => decisionCost(c) > decisionCost(best))
    .sort((a, b) => decisionCost(b) - decisionCost(a))[0];
  if (pricier) parts.push(`${pct(1 - decisionCost(best) / decisionCost(pricier))} cheaper than ${pricier.memoryMB} MB`);
  const slower = others
    .filter((c) => decisionDuration(c) > decisionDuration(best))
    .sort((a, b) => decisionDuration(b) - decisionDuration(a))[0];
  if (slower)
    parts.push(`${(decisionDuration(slower) / decisionDuration(best)).toFixed(1)}× faster than ${slower.memoryMB} MB`);
  const faster = others
    .filter((c) => decisionDuration(c) < decisionDuration(best))
    .sort((a, b) => decisionDuration(a) - decisionDuration(b))[0];
  if (faster) {
    parts.push(
      `${faster.memoryMB} MB would be ${(decisionDuration(best) / decisionDuration(faster)).toFixed(1)}× faster at ${(decisionCost(faster) / decisionCost(best)).toFixed(1)}× the cost`,
    );
  }
  return `${best.memoryMB} MB (${why(configs, best, { strategy, ...options })})${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}

/** "cheapest", or, where the tolerance let a size tied with the strict best win, which one it beat and by what. */
function why(configs: ConfigResult[], best: ConfigResult, options: StrategyOptions): string {
  const { strategy, tolerance = 0 } = options;
  const name = strategy === 'cost' ? 'cheapest' : strategy === 'speed' ? 'fastest' : 'best balance of cost and speed';
  const strict = chooseBest(configs, { ...options, tolerance: 0 });
  if (!strict || strict.memoryMB === best.memoryMB) return name;
  const within = `within ${pct(tolerance)} of the ${name}, ${strict.memoryMB} MB`;
  if (strategy === 'cost')
    return `${within}, and ${(decisionDuration(strict) / decisionDuration(best)).toFixed(1)}× faster`;
  return `${within}, and ${pct(1 - decisionCost(best) / decisionCost(strict))} cheaper`;
}
