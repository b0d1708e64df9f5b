import type { Architecture } from '../engine/types.js';
import { MANAGED_INSTANCES, pricesFor } from '../pricing/prices.js';
import { type MonthlyBill, monthlyBill, percentileOf } from './costs.js';
import { managedInstances } from './managed.js';
import type { SizeProfile } from './profile.js';
import { seedFor } from './random.js';
import { planWindows, SCALING_RATE, type SimulationStats, simulate } from './simulate.js';
import type { Traffic } from './traffic.js';

/** What the planner can price: one option per memory size, architecture and pricing model. */
export type PricingModel = 'on-demand' | 'provisioned' | 'managed-instances';
export const ARCHITECTURES: readonly Architecture[] = ['x86_64', 'arm64'];

export interface PlanOption {
  label: string;
  model: PricingModel;
  architecture: Architecture;
  memoryMB: number;
  /** measured: durations of this architecture; price-only: the other architecture's durations at this price. */
  basis: 'measured' | 'price-only';
  /** Cold starts per invocation at the longest and at the shortest idle timeout. */
  coldStartRate: { longIdle: number; shortIdle: number };
  concurrency: { p50: number; p99: number; max: number };
  /** Throttled share of invocations (concurrency limit or scaling rate). */
  throttleRate: number;
  provisionedConcurrency?: number;
  managed?: {
    instanceType: string;
    peakInstances: number;
    instanceHoursPerMonth: number;
    cpuSecondsPerInvocation: number;
  };
  /** At the shortest idle timeout (the most cold starts); `totalUSDLongIdle` at the longest. */
  monthly: MonthlyBill & { instancesUSD: number; managementUSD: number; totalUSDLongIdle: number };
}

/** What evaluating a size needs besides the traffic: region, idle range, limits, seed and the plan's options. */
export interface EvaluateContext {
  region: string;
  idleS: [number, number];
  concurrencyLimit: number;
  seed: number;
  options: {
    freeTier?: boolean;
    instanceType?: Partial<Record<Architecture, string>>;
    managedUtilization?: number;
    managedMinInstances?: number;
  };
  runtime?: string;
}

/** Family of an option for the break-even chart: pricing model and architecture (its best size). */
export const familyOf = (o: Pick<PlanOption, 'model' | 'architecture'>) => `${o.model} ${o.architecture}`;

export interface Evaluated {
  profile: SizeProfile;
  short: SimulationStats;
  long: SimulationStats;
  provisioned: { n: number; stats: SimulationStats };
}

/**
 * Traffic so sparse that the window saw no arrival (a few a month) is priced as what it is in the limit: every
 * invocation cold, at the measured mean duration and Init Duration.
 */
function orAllCold(profile: SizeProfile, stats: SimulationStats): SimulationStats {
  if (stats.arrivals > 0) return stats;
  const billed = Math.ceil(profile.meanDurationMs);
  return {
    ...stats,
    arrivals: 1,
    served: 1,
    coldStarts: 1,
    billedMs: billed,
    initBilledMs: Math.ceil(profile.meanInitMs + profile.meanDurationMs) - billed,
    concurrencySamples: [0],
    concurrencyWeights: [1],
    maxConcurrency: 1,
  };
}

/** The simulations of one size: on-demand at both idle ends, then with provisioned concurrency N = p99 concurrency. */
export function evaluateSize(traffic: Traffic, profile: SizeProfile, ctx: EvaluateContext, budget: number): Evaluated {
  const [shortIdle, longIdle] = ctx.idleS;
  const { windows, warmupS } = planWindows(traffic, budget, longIdle);
  const label = `${profile.architecture}/${profile.memoryMB}/${traffic.spec}`;
  const run = (idleTimeoutS: number, provisioned: number, tag: string) =>
    orAllCold(
      profile,
      simulate(
        traffic,
        profile,
        { idleTimeoutS, concurrencyLimit: ctx.concurrencyLimit, provisioned, scaling: SCALING_RATE },
        windows,
        warmupS,
        seedFor(ctx.seed, `${label}/${tag}`),
      ),
    );
  const short = run(shortIdle, 0, 'short');
  const long = run(longIdle, 0, 'long');
  const n = Math.min(
    ctx.concurrencyLimit,
    Math.max(1, percentileOf(short.concurrencySamples, 99, short.concurrencyWeights)),
  );
  return { profile, short, long, provisioned: { n, stats: run(shortIdle, n, 'provisioned') } };
}

const rate = (part: number, whole: number) => (whole ? part / whole : 0);
const throttles = (s: SimulationStats) => rate(s.throttledConcurrency + s.throttledScaling, s.arrivals);
const concurrency = (s: SimulationStats) => ({
  p50: percentileOf(s.concurrencySamples, 50, s.concurrencyWeights),
  p99: percentileOf(s.concurrencySamples, 99, s.concurrencyWeights),
  max: s.maxConcurrency,
});

/** The options of one evaluated size priced at one architecture. */
export function optionsFor(
  e: Evaluated,
  architecture: Architecture,
  traffic: Traffic,
  ctx: EvaluateContext,
): PlanOption[] {
  const basis = e.profile.architecture === architecture ? 'measured' : 'price-only';
  const memoryMB = e.profile.memoryMB;
  const common = { architecture, memoryMB, basis, concurrency: concurrency(e.short) } as const;
  const bill = (stats: SimulationStats, provisioned?: number) =>
    monthlyBill({
      stats,
      invocationsPerMonth: traffic.invocationsPerMonth,
      memoryMB,
      architecture,
      region: ctx.region,
      ...(provisioned ? { provisioned } : {}),
      ...(ctx.options.freeTier ? { freeTier: true } : {}),
    });
  const extra = { instancesUSD: 0, managementUSD: 0 };
  const onDemand = bill(e.short);
  const out: PlanOption[] = [
    {
      ...common,
      label: `${architecture} on-demand ${memoryMB} MB`,
      model: 'on-demand',
      coldStartRate: {
        longIdle: rate(e.long.coldStarts, e.long.served),
        shortIdle: rate(e.short.coldStarts, e.short.served),
      },
      throttleRate: throttles(e.short),
      monthly: { ...onDemand, ...extra, totalUSDLongIdle: bill(e.long).totalUSD },
    },
  ];
  if (pricesFor(ctx.region).provisioned) {
    const p = e.provisioned;
    const pc = bill(p.stats, p.n);
    const cold = rate(p.stats.coldStarts, p.stats.served);
    out.push({
      ...common,
      label: `${architecture} provisioned ${p.n} × ${memoryMB} MB`,
      model: 'provisioned',
      coldStartRate: { longIdle: cold, shortIdle: cold },
      throttleRate: throttles(p.stats),
      provisionedConcurrency: p.n,
      monthly: { ...pc, ...extra, totalUSDLongIdle: pc.totalUSD },
    });
  }
  if (ctx.region === MANAGED_INSTANCES.region) {
    const instanceType = ctx.options.instanceType?.[architecture];
    const m = managedInstances(traffic, e.profile, architecture, traffic.invocationsPerMonth, {
      ...(instanceType ? { instanceType } : {}),
      utilization: ctx.options.managedUtilization ?? 0.7,
      minInstances: ctx.options.managedMinInstances ?? 3,
      ...(ctx.runtime ? { runtime: ctx.runtime } : {}),
    });
    const zero = { durationUSD: 0, initUSD: 0, provisionedUSD: 0, provisionedExecutionUSD: 0 };
    out.push({
      ...common,
      label: `${architecture} Managed Instances (${m.instanceType}) for ${memoryMB} MB`,
      model: 'managed-instances',
      coldStartRate: { longIdle: 0, shortIdle: 0 },
      throttleRate: 0,
      managed: {
        instanceType: m.instanceType,
        peakInstances: m.peakInstances,
        instanceHoursPerMonth: m.instanceHoursPerMonth,
        cpuSecondsPerInvocation: m.cpuSecondsPerInvocation,
      },
      monthly: {
        ...zero,
        requestsUSD: m.requestsUSD,
        instancesUSD: m.instancesUSD,
        managementUSD: m.managementUSD,
        totalUSD: m.totalUSD,
        totalUSDLongIdle: m.totalUSD,
      },
    });
  }
  return out;
}

/** Cheapest option that throttles no more than 0.1 % (else the least throttled): what the planner recommends. */
export function pickWinner(options: readonly PlanOption[]): PlanOption | null {
  const cheapest = (pool: readonly PlanOption[]) =>
    [...pool].sort((a, b) => a.monthly.totalUSD - b.monthly.totalUSD)[0] ?? null;
  const acceptable = options.filter((o) => o.throttleRate <= 0.001);
  if (acceptable.length) return cheapest(acceptable);
  const least = Math.min(...options.map((o) => o.throttleRate));
  return cheapest(options.filter((o) => o.throttleRate === least));
}
