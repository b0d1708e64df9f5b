import { describe, expect, it } from 'vitest';
import { bestBy, chooseBest, recommendationText } from './strategy.js';
import type { ConfigResult } from './types.js';

/** A single-threaded CPU-bound curve: cost flat up to 1769 MB (duration ∝ 1/share), rising after it. */
const CPU_BOUND = [
  { memoryMB: 128, durationMs: 1400, cost: 1.0 },
  { memoryMB: 512, durationMs: 352, cost: 1.006 },
  { memoryMB: 1024, durationMs: 177, cost: 1.012 },
  { memoryMB: 1769, durationMs: 103, cost: 1.02 },
  { memoryMB: 2048, durationMs: 102, cost: 1.17 },
  { memoryMB: 3008, durationMs: 101, cost: 1.7 },
];
const figures = { duration: (c: (typeof CPU_BOUND)[number]) => c.durationMs, cost: (c: { cost: number }) => c.cost };
const pick = (strategy: 'cost' | 'speed' | 'balanced', tolerance?: number) =>
  bestBy(CPU_BOUND, figures, { strategy, ...(tolerance !== undefined ? { tolerance } : {}) })?.memoryMB;

const config = (c: (typeof CPU_BOUND)[number]) =>
  ({
    memoryMB: c.memoryMB,
    errors: 0,
    durationMs: { trimmedMean: c.durationMs },
    costUSD: { perInvocation: c.cost / 1e6 },
  }) as unknown as ConfigResult;

describe('strategy rules', () => {
  it('without a tolerance is PowerTuning’s: the strictly cheapest or fastest', () => {
    expect(pick('cost')).toBe(128);
    expect(pick('speed')).toBe(3008);
    expect(pick('cost', 0)).toBe(128);
  });

  it('with a tolerance, sizes within it of the best are tied and the other criterion decides', () => {
    // 128…1769 MB cost within 2 % of each other: the fastest of them wins.
    expect(pick('cost', 0.05)).toBe(1769);
    // 1769…3008 MB run within 2 % of the fastest: the cheapest of them wins.
    expect(pick('speed', 0.05)).toBe(1769);
    // 1 % admits 512 MB (0.6 % dearer) but not 1024 MB (1.2 %); 2 % admits 1769 MB exactly at the edge.
    expect(pick('cost', 0.01)).toBe(512);
    expect(pick('cost', 0.02)).toBe(1769);
  });

  it('breaks an exact tie by the smaller size', () => {
    const flat = [
      { memoryMB: 1024, durationMs: 10, cost: 1 },
      { memoryMB: 512, durationMs: 10, cost: 1 },
    ];
    expect(bestBy(flat, figures, { strategy: 'cost', tolerance: 0.05 })?.memoryMB).toBe(512);
  });

  it('says which strictly best size the tolerance passed over, and why', () => {
    const configs = CPU_BOUND.map(config);
    const rule = { strategy: 'cost' as const, tolerance: 0.05 };
    const best = chooseBest(configs, rule);
    expect(best?.memoryMB).toBe(1769);
    expect(recommendationText(configs, best, rule)).toMatch(
      /^1769 MB \(within 5 % of the cheapest, 128 MB, and 13\.6× faster\)/,
    );
    const strict = chooseBest(configs, { strategy: 'cost' });
    expect(recommendationText(configs, strict, { strategy: 'cost' })).toMatch(/^128 MB \(cheapest\)/);
    const speed = { strategy: 'speed' as const, tolerance: 0.05 };
    expect(recommendationText(configs, chooseBest(configs, speed), speed)).toMatch(
      /^1769 MB \(within 5 % of the fastest, 3008 MB, and 40 % cheaper\)/,
    );
  });
});
