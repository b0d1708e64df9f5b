import { describe, expect, it } from 'vitest';
import { monthlyCost } from '../pricing/cost.js';
import { MANAGED_INSTANCES } from '../pricing/prices.js';
import { monthlyBill } from './costs.js';
import { managedBill } from './managed.js';
import type { SimulationStats } from './simulate.js';

/**
 * The worked examples of https://aws.amazon.com/lambda/pricing/ (us-east-1), each line to the cent as AWS rounds it.
 * On-demand through the tuner's monthlyCost; provisioned concurrency and Managed Instances through the planner's own
 * bill functions, fed the example's invocations as a simulation would report them.
 */
const cents = (x: number) => Math.round(x * 100) / 100;

const stats = (s: Partial<SimulationStats>): SimulationStats => ({
  arrivals: 0,
  served: 0,
  throttledConcurrency: 0,
  throttledScaling: 0,
  coldStarts: 0,
  billedMs: 0,
  initBilledMs: 0,
  provisionedServed: 0,
  provisionedBilledMs: 0,
  concurrencySamples: [],
  concurrencyWeights: [],
  maxConcurrency: 0,
  ...s,
});

describe('AWS Lambda pricing page examples', () => {
  it('mobile application backend: 3M requests, 120 ms, 1536 MB, x86, free tier → $2.33 + $0.40 = $2.73', () => {
    const bill = monthlyCost({ memoryMB: 1536, avgBilledMs: 120, invocationsPerMonth: 3_000_000, freeTier: true });
    expect(bill.gbSeconds).toBe(540_000);
    expect(cents(bill.durationUSD)).toBe(2.33);
    expect(cents(bill.requestsUSD)).toBe(0.4);
    expect(cents(bill.durationUSD) + cents(bill.requestsUSD)).toBeCloseTo(2.73, 10);
  });

  it('streaming telemetry: 7.44M requests, 2 s, 1024 MB, x86, no free tier → $1.49 + $248.00 = $249.49', () => {
    const bill = monthlyCost({ memoryMB: 1024, avgBilledMs: 2000, invocationsPerMonth: 10_000 * 24 * 31 });
    expect(bill.gbSeconds).toBe(14_880_000);
    expect(cents(bill.durationUSD)).toBe(248);
    expect(cents(bill.requestsUSD)).toBe(1.49);
    expect(cents(bill.durationUSD) + cents(bill.requestsUSD)).toBeCloseTo(249.49, 10);
  });

  it('ML on support tickets: 6M requests, 280 ms, 4096 MB, free tier → $105.33 compute + $1 requests', () => {
    // The example's $0.08 of ephemeral storage (2048 MB) is not modelled: lambench functions keep the free 512 MB.
    const bill = monthlyCost({ memoryMB: 4096, avgBilledMs: 280, invocationsPerMonth: 6_000_000, freeTier: true });
    expect(cents(bill.durationUSD)).toBe(105.33);
    expect(cents(bill.requestsUSD)).toBe(1);
  });

  it('provisioned concurrency, mobile app launch: 100 × 1536 MB for 8 h, 500k of 3M requests on it → $19.96', () => {
    const bill = monthlyBill({
      stats: stats({
        arrivals: 3_000_000,
        served: 3_000_000,
        provisionedServed: 500_000,
        provisionedBilledMs: 500_000 * 100,
        billedMs: 2_500_000 * 120,
      }),
      invocationsPerMonth: 3_000_000,
      memoryMB: 1536,
      architecture: 'x86_64',
      region: 'us-east-1',
      provisioned: 100,
      provisionedSeconds: 8 * 3600,
      freeTier: true,
    });
    expect(cents(bill.provisionedUSD)).toBe(18);
    expect(cents(bill.requestsUSD)).toBe(0.4);
    expect(cents(bill.provisionedExecutionUSD)).toBe(0.73);
    expect(cents(bill.durationUSD)).toBe(0.83);
    expect(bill.initUSD).toBe(0);
    expect(cents(bill.totalUSD)).toBe(19.96);
  });

  it('provisioned concurrency, Cyber Monday: 7 × 4096 MB for 24 h, 2M requests of 280 ms → $32.26', () => {
    const bill = monthlyBill({
      stats: stats({
        arrivals: 2_000_000,
        served: 2_000_000,
        provisionedServed: 2_000_000,
        provisionedBilledMs: 2_000_000 * 280,
      }),
      invocationsPerMonth: 2_000_000,
      memoryMB: 4096,
      architecture: 'x86_64',
      region: 'us-east-1',
      provisioned: 7,
      provisionedSeconds: 24 * 3600,
    });
    expect(cents(bill.provisionedUSD)).toBe(10.08);
    expect(cents(bill.provisionedExecutionUSD)).toBe(21.78);
    expect(cents(bill.requestsUSD)).toBe(0.4);
    expect(cents(bill.totalUSD)).toBe(32.26);
  });

  it('Managed Instances, high-throughput API: 100M requests, 2,000 h of m7g.xlarge under a 3-year plan → $160.36', () => {
    const instance = MANAGED_INSTANCES.instances['m7g.xlarge'];
    expect(instance?.perHour).toBe(0.1632);
    // The example's Savings Plan price ($0.0457/h, 72 % off) is its own input; the fee stays on the on-demand price.
    const bill = managedBill(2000, instance?.perHour ?? 0, 100_000_000, 0.0457);
    expect(cents(bill.requestsUSD)).toBe(20);
    expect(cents(bill.instancesUSD)).toBe(91.4);
    expect(cents(bill.managementUSD)).toBe(48.96);
    expect(cents(bill.totalUSD)).toBe(160.36);
  });

  it('arm64 tiers start at 7.5B and 18.75B GB-s (1.25× the x86_64 ones)', () => {
    // 10 GB × 1 s × 1B = 10B GB-s: 7.5B at tier 1, 2.5B at tier 2.
    const bill = monthlyCost({ memoryMB: 10240, avgBilledMs: 1000, invocationsPerMonth: 1e9, architecture: 'arm64' });
    expect(bill.durationUSD).toBeCloseTo(7.5e9 * 0.0000133334 + 2.5e9 * 0.0000120001, 2);
  });
});
