import type { Architecture } from '../engine/types.js';
import { tieredDurationCost } from '../pricing/cost.js';
import { FREE_TIER, pricesFor } from '../pricing/prices.js';
import type { SimulationStats } from './simulate.js';
import { MONTH_SECONDS } from './traffic.js';

export interface MonthlyBill {
  requestsUSD: number;
  /** On-demand duration (without INIT), tiers applied. */
  durationUSD: number;
  /** The INIT part of on-demand cold starts' billed duration. */
  initUSD: number;
  /** Provisioned concurrency: configured environments × time (idle rate). */
  provisionedUSD: number;
  /** Provisioned concurrency: invocations served by provisioned environments (execution rate). */
  provisionedExecutionUSD: number;
  totalUSD: number;
}

export interface BillInput {
  stats: SimulationStats;
  invocationsPerMonth: number;
  memoryMB: number;
  architecture: Architecture;
  region: string;
  provisioned?: number;
  /** How long provisioned concurrency is enabled (default: the whole month). */
  provisionedSeconds?: number;
  freeTier?: boolean;
}

/**
 * A month's bill from a simulation's ratios scaled to the month's invocations: throttled requests are not billed;
 * on-demand GB-s (duration and INIT) share the tiers and split the charge in proportion.
 */
export function monthlyBill(input: BillInput): MonthlyBill {
  const { stats, invocationsPerMonth, memoryMB, architecture, region } = input;
  const prices = pricesFor(region);
  const servedShare = stats.arrivals ? stats.served / stats.arrivals : 1;
  const served = invocationsPerMonth * servedShare;
  const perServed = (ms: number) => (stats.served ? ms / stats.served : 0);
  const gb = memoryMB / 1024;
  const gbs = (ms: number) => served * (perServed(ms) / 1000) * gb;
  const free = input.freeTier ? FREE_TIER : { requests: 0, gbSeconds: 0 };
  const durationGbs = gbs(stats.billedMs);
  const initGbs = gbs(stats.initBilledMs);
  const onDemandGbs = durationGbs + initGbs;
  const onDemandUSD = tieredDurationCost(Math.max(0, onDemandGbs - free.gbSeconds), architecture, region);
  const requestsUSD = (Math.max(0, served - free.requests) / 1e6) * prices.requestPer1M;
  const n = input.provisioned ?? 0;
  const rates = prices.provisioned?.[architecture];
  if (n > 0 && !rates) throw new Error(`no provisioned concurrency prices for ${region}`);
  const provisionedUSD = n > 0 && rates ? n * gb * (input.provisionedSeconds ?? MONTH_SECONDS) * rates.idle : 0;
  const provisionedExecutionUSD = n > 0 && rates ? gbs(stats.provisionedBilledMs) * rates.execution : 0;
  const durationUSD = onDemandGbs ? (onDemandUSD * durationGbs) / onDemandGbs : 0;
  const initUSD = onDemandUSD - durationUSD;
  return {
    requestsUSD,
    durationUSD,
    initUSD,
    provisionedUSD,
    provisionedExecutionUSD,
    totalUSD: requestsUSD + onDemandUSD + provisionedUSD + provisionedExecutionUSD,
  };
}

/** Percentile of unsorted samples (nearest rank, each sample counting its weight): concurrency is a count. */
export function percentileOf(samples: readonly number[], p: number, weights?: readonly number[]): number {
  if (samples.length === 0) return 0;
  const order = samples.map((_, i) => i).sort((a, b) => (samples[a] ?? 0) - (samples[b] ?? 0));
  const weightOf = (i: number) => weights?.[i] ?? 1;
  const total = order.reduce((sum, i) => sum + weightOf(i), 0);
  const target = (p / 100) * total;
  let seen = 0;
  for (const i of order) {
    seen += weightOf(i);
    if (seen >= target - 1e-9) return samples[i] ?? 0;
  }
  return samples[order[order.length - 1] ?? 0] ?? 0;
}
