import { describe, expect, it } from 'vitest';
import { costPer1M, invocationCost, monthlyCost } from './cost.js';

describe('cost', () => {
  it('prices one invocation: request + GB-s (hand-computed)', () => {
    // 1024 MB × 100 ms = 0.1 GB-s × $0.0000166667 + $0.0000002
    expect(invocationCost({ memoryMB: 1024, billedDurationMs: 100 })).toBeCloseTo(0.00000186667, 12);
    // arm64: 0.1 × 0.0000133334 + 0.0000002
    expect(invocationCost({ memoryMB: 1024, billedDurationMs: 100, architecture: 'arm64' })).toBeCloseTo(
      0.00000153334,
      12,
    );
    expect(costPer1M({ memoryMB: 128, billedDurationMs: 1 })).toBeCloseTo(0.2 + 0.125 * 0.001 * 16.6667, 6);
  });

  it('applies the monthly tiers progressively and the free tier when asked', () => {
    // 10 GB × 1 s × 1B invocations = 10B GB-s: 6B at tier 1, 4B at tier 2.
    const bill = monthlyCost({ memoryMB: 10240, avgBilledMs: 1000, invocationsPerMonth: 1_000_000_000 });
    expect(bill.gbSeconds).toBe(10_000_000_000);
    expect(bill.durationUSD).toBeCloseTo(6e9 * 0.0000166667 + 4e9 * 0.000015, 2);
    expect(bill.requestsUSD).toBeCloseTo(200, 6);
    const free = monthlyCost({ memoryMB: 128, avgBilledMs: 100, invocationsPerMonth: 1_000_000, freeTier: true });
    expect(free.totalUSD).toBe(0);
  });
});
