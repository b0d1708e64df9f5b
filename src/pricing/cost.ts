import type { Architecture } from '../engine/types.js';
import { FREE_TIER, pricesFor } from './prices.js';

export interface CostInput {
  memoryMB: number;
  /** Billed duration, INIT included for on-demand cold starts (AWS bills INIT since 2025-08-01). */
  billedDurationMs: number;
  architecture?: Architecture;
  region?: string;
}

const gbSeconds = (memoryMB: number, billedMs: number) => (memoryMB / 1024) * (billedMs / 1000);

/** Cost of one invocation at the first-tier price: request + duration. */
export function invocationCost({
  memoryMB,
  billedDurationMs,
  architecture = 'x86_64',
  region = 'us-east-1',
}: CostInput): number {
  const prices = pricesFor(region);
  const firstTier = prices.gbSecond[architecture][0]?.[1] ?? 0;
  return prices.requestPer1M / 1_000_000 + gbSeconds(memoryMB, billedDurationMs) * firstTier;
}

export function costPer1M(input: CostInput): number {
  return invocationCost(input) * 1_000_000;
}

export interface MonthlyInput {
  memoryMB: number;
  avgBilledMs: number;
  invocationsPerMonth: number;
  architecture?: Architecture;
  region?: string;
  freeTier?: boolean;
}

/** A month's bill with the GB-s tiers applied progressively and, optionally, the free tier deducted. */
export function monthlyCost({
  memoryMB,
  avgBilledMs,
  invocationsPerMonth,
  architecture = 'x86_64',
  region = 'us-east-1',
  freeTier = false,
}: MonthlyInput): { requestsUSD: number; durationUSD: number; totalUSD: number; gbSeconds: number } {
  const prices = pricesFor(region);
  const totalGbs = gbSeconds(memoryMB, avgBilledMs) * invocationsPerMonth;
  const billableRequests = Math.max(0, invocationsPerMonth - (freeTier ? FREE_TIER.requests : 0));
  const billableGbs = Math.max(0, totalGbs - (freeTier ? FREE_TIER.gbSeconds : 0));
  const durationUSD = tieredDurationCost(billableGbs, architecture, region);
  const requestsUSD = (billableRequests / 1_000_000) * prices.requestPer1M;
  return { requestsUSD, durationUSD, totalUSD: requestsUSD + durationUSD, gbSeconds: totalGbs };
}

/** On-demand duration charge of a month's GB-seconds, the tiers applied progressively. */
export function tieredDurationCost(
  gbSecondsPerMonth: number,
  architecture: Architecture = 'x86_64',
  region = 'us-east-1',
): number {
  let left = Math.max(0, gbSecondsPerMonth);
  let usdTotal = 0;
  let floor = 0;
  for (const [upTo, price] of pricesFor(region).gbSecond[architecture]) {
    const inTier = Math.min(left, upTo - floor);
    if (inTier <= 0) break;
    usdTotal += inTier * price;
    left -= inTier;
    floor = upTo;
  }
  return usdTotal;
}
