import type { ConfigResult } from './types.js';

export type Strategy = 'cost' | 'speed' | 'balanced';

/** The figures a strategy compares: PowerTuning's trimmed-mean duration and the cost priced from it. */
export const decisionDuration = (c: ConfigResult) => c.durationMs?.trimmedMean ?? Number.POSITIVE_INFINITY;
export const decisionCost = (c: ConfigResult) => c.costUSD?.perInvocation ?? Number.POSITIVE_INFINITY;

/** Sizes eligible for a recommendation: every invocation succeeded. */
export const eligible = (configs: ConfigResult[]) =>
  configs.filter((c) => c.errors === 0 && c.durationMs !== null && c.costUSD !== null);

/**
 * PowerTuning's rules: cost → cheapest (ties: faster, then smaller), speed → fastest (ties: cheaper, then smaller),
 * balanced → minimise w × cost/maxCost + (1 − w) × duration/maxDuration (w = 1 is "cost", w = 0 is "speed").
 */
export function chooseBest(
  configs: ConfigResult[],
  options: { strategy: Strategy; balancedWeight?: number },
): ConfigResult | null {
  return bestBy(eligible(configs), { duration: decisionDuration, cost: decisionCost }, options);
}

/** The same rules over any sizes with a duration and a cost (predict ranks predicted sizes with them). */
export function bestBy<T extends { memoryMB: number }>(
  candidates: readonly T[],
  figures: { duration: (c: T) => number; cost: (c: T) => number },
  { strategy, balancedWeight = 0.5 }: { strategy: Strategy; balancedWeight?: number },
): T | null {
  if (candidates.length === 0) return null;
  const { duration, cost } = figures;
  const maxCost = Math.max(...candidates.map(cost));
  const maxDuration = Math.max(...candidates.map(duration));
  const score = (c: T): number[] => {
    if (strategy === 'cost') return [cost(c), duration(c), c.memoryMB];
    if (strategy === 'speed') return [duration(c), cost(c), c.memoryMB];
    const balanced = (balancedWeight * cost(c)) / maxCost + ((1 - balancedWeight) * duration(c)) / maxDuration;
    return [balanced, cost(c), c.memoryMB];
  };
  return (
    [...candidates].sort((a, b) => {
      const sa = score(a);
      const sb = score(b);
      for (let i = 0; i < sa.length; i++) if ((sa[i] ?? 0) !== (sb[i] ?? 0)) return (sa[i] ?? 0) - (sb[i] ?? 0);
      return 0;
    })[0] ?? null
  );
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** "1024 MB: 38 % cheaper than 512 MB, 2.1× faster than 128 MB" — the comparison a reader wants first. */
export function recommendationText(configs: ConfigResult[], best: ConfigResult | null, strategy: Strategy): string {
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
  const why = strategy === 'cost' ? 'cheapest' : strategy === 'speed' ? 'fastest' : 'best balance of cost and speed';
  return `${best.memoryMB} MB (${why})${parts.length ? `: ${parts.join(', ')}` : ''}.`;
}
