import type { Architecture } from '../engine/types.js';
import { LambenchError } from '../errors.js';
import { hasRegionPrices, MANAGED_INSTANCES, PRICES_AS_OF, PRICES_SOURCE, pricesFor } from '../pricing/prices.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import {
  ARCHITECTURES,
  type EvaluateContext,
  type Evaluated,
  evaluateSize,
  optionsFor,
  type PlanOption,
  pickWinner,
} from './options.js';
import { profilesFrom, type SizeProfile } from './profile.js';
import { DEFAULT_ACCOUNT_CONCURRENCY, planWindows, SCALING_RATE } from './simulate.js';
import { type BreakEven, type SweepPoint, sweepTraffic } from './sweep.js';
import { parseTraffic, type Traffic } from './traffic.js';

export type { PlanOption, PricingModel } from './options.js';
export { familyOf } from './options.js';

export interface PlanOptions {
  region?: string;
  /** The idle-eviction range in minutes (AWS does not publish it): both ends are simulated. */
  idleMinutes?: [number, number];
  accountConcurrency?: number;
  reservedConcurrency?: number;
  seed?: number;
  /** Arrivals per simulation (the window is chosen to fit): precision against time. */
  budget?: number;
  /** Arrivals per simulation in the break-even sweep; 0 skips the sweep. */
  sweepBudget?: number;
  freeTier?: boolean;
  instanceType?: Partial<Record<Architecture, string>>;
  managedUtilization?: number;
  managedMinInstances?: number;
  /** invocations.jsonl of each result, by position: the measured distributions instead of the percentiles. */
  records?: ReadonlyArray<readonly InvocationRecord[] | undefined>;
  shape?: string;
  onWarning?: (message: string) => void;
}

export interface PlanResult {
  function: string;
  region: string;
  traffic: {
    spec: string;
    description: string;
    invocationsPerMonth: number;
    meanPerSecond: number;
    peakPerSecond: number;
  };
  prices: { asOf: string; source: string; regionInTable: boolean };
  simulation: {
    method: string;
    seed: number;
    idleMinutes: [number, number];
    concurrencyLimit: number;
    scalingRate: string;
    durations: Array<{
      memoryMB: number;
      architecture: Architecture;
      source: string;
      samples: number;
      initSamples: number;
      initFrom?: number;
    }>;
    assumptions: string[];
  };
  options: PlanOption[];
  winner: PlanOption | null;
  cheapestWithoutColdStarts: PlanOption | null;
  sweep: SweepPoint[];
  breakEven: BreakEven[];
  notes: string[];
}

/** Profiles by architecture: one result per architecture at most (two of one architecture would be ambiguous). */
function measuredProfiles(results: readonly TuneResult[], options: PlanOptions): Map<Architecture, SizeProfile[]> {
  const byArch = new Map<Architecture, SizeProfile[]>();
  results.forEach((result, i) => {
    const arch = result.environment.architecture;
    if (byArch.has(arch)) {
      throw new LambenchError(
        'INVALID_ARGUMENT',
        `Two results of ${arch} given; plan takes at most one per architecture.`,
      );
    }
    const profiles = profilesFrom(result, options.records?.[i]);
    if (profiles.length) byArch.set(arch, profiles);
  });
  return byArch;
}

export function planTraffic(
  input: TuneResult | readonly TuneResult[],
  trafficSpec: Traffic | string,
  options: PlanOptions = {},
): PlanResult {
  const results: readonly TuneResult[] = Array.isArray(input) ? input : [input as TuneResult];
  const first = results[0];
  if (!first) throw new LambenchError('INVALID_ARGUMENT', 'plan needs a tune result.');
  const traffic =
    typeof trafficSpec === 'string'
      ? parseTraffic(trafficSpec, options.shape ? { shape: options.shape } : {})
      : trafficSpec;
  const region = options.region ?? first.environment.pricingRegion ?? first.environment.region;
  const notes: string[] = [];
  const regionInTable = hasRegionPrices(region);
  if (!regionInTable) {
    const warning = `region "${region}" is not in the price table (src/pricing/prices.ts); costs use the standard us-east-1 rates.`;
    options.onWarning?.(warning);
    notes.push(warning);
  }
  const [shortMin, longMin] = options.idleMinutes ?? [5, 15];
  if (!(shortMin > 0 && longMin >= shortMin)) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--idle ${shortMin}-${longMin}: give two minutes, the shorter first (e.g. 5-15).`,
    );
  }
  const concurrencyLimit = options.reservedConcurrency ?? options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
  const ctx: EvaluateContext = {
    region,
    idleS: [shortMin * 60, longMin * 60],
    concurrencyLimit,
    seed: options.seed ?? 1,
    options,
    ...(first.environment.runtime ? { runtime: first.environment.runtime } : {}),
  };
  const byArch = measuredProfiles(results, options);
  if (byArch.size === 0) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${first.function}'s result has no size with measured durations to plan from.`,
    );
  }
  const budget = options.budget ?? 300_000;
  const evaluated = new Map<Architecture, Evaluated[]>();
  for (const [arch, profiles] of byArch)
    evaluated.set(
      arch,
      profiles.map((p) => evaluateSize(traffic, p, ctx, budget)),
    );
  const planOptions = ARCHITECTURES.flatMap((arch) => {
    const source = evaluated.get(arch) ?? [...evaluated.values()][0] ?? [];
    return source.flatMap((e) => optionsFor(e, arch, traffic, ctx));
  });
  if (!pricesFor(region).provisioned)
    notes.push(`No provisioned concurrency prices for ${region} in the table: provisioned options left out.`);
  if (region !== MANAGED_INSTANCES.region)
    notes.push(`Managed Instances are priced for ${MANAGED_INSTANCES.region} only: left out for ${region}.`);
  for (const arch of ARCHITECTURES) {
    if (!byArch.has(arch))
      notes.push(`${arch} was not measured: its figures are the other architecture's durations at ${arch}'s prices.`);
  }
  const profiles = [...byArch.values()].flat();
  for (const p of profiles) {
    if (p.initFrom !== undefined)
      notes.push(
        `${p.architecture} ${p.memoryMB} MB measured no cold start: Init Duration taken from ${p.initFrom} MB.`,
      );
    if (p.initSamples === 0 && p.initFrom === undefined)
      notes.push(
        `${p.architecture} ${p.memoryMB} MB: no Init Duration measured at any size; cold starts cost no INIT here.`,
      );
  }
  const winner = pickWinner(planOptions);
  const noCold = planOptions.filter((o) => o.coldStartRate.shortIdle === 0);
  const sweepBudget = options.sweepBudget ?? 30_000;
  const { points, breakEven, skipped } =
    sweepBudget > 0
      ? sweepTraffic(traffic, evaluated, ctx, sweepBudget, planOptions)
      : { points: [], breakEven: [], skipped: [] };
  if (skipped.length)
    notes.push(
      `Break-even sweep: ${skipped.join('×, ')}× this traffic left out (their busiest second alone exceeds twice the sweep's ${sweepBudget.toLocaleString('en-US')} arrivals per simulation; --budget raises it).`,
    );
  const windows = planWindows(traffic, budget, ctx.idleS[1]);
  return {
    function: first.function,
    region,
    traffic: {
      spec: traffic.spec,
      description: traffic.description,
      invocationsPerMonth: traffic.invocationsPerMonth,
      meanPerSecond: traffic.perPeriod / traffic.periodS,
      peakPerSecond: traffic.maxRate,
    },
    prices: { asOf: PRICES_AS_OF, source: PRICES_SOURCE, regionInTable },
    simulation: {
      method: `discrete-event simulation, seeded, per size: ${windows.method}; figures per invocation scaled to the month's ${Math.round(traffic.invocationsPerMonth).toLocaleString('en-US')} invocations`,
      seed: ctx.seed,
      idleMinutes: [shortMin, longMin],
      concurrencyLimit,
      scalingRate: `${SCALING_RATE.burst} new environments per ${SCALING_RATE.burst / SCALING_RATE.perSecond} s per function, refilled continuously`,
      durations: profiles.map((p) => ({
        memoryMB: p.memoryMB,
        architecture: p.architecture,
        source: p.source,
        samples: p.durationSamples,
        initSamples: p.initSamples,
        ...(p.initFrom !== undefined ? { initFrom: p.initFrom } : {}),
      })),
      assumptions: ASSUMPTIONS,
    },
    options: planOptions,
    winner,
    cheapestWithoutColdStarts: pickWinner(noCold),
    sweep: points,
    breakEven,
    notes,
  };
}

export const ASSUMPTIONS = [
  "Arrivals are Poisson at the traffic's rate (timestamps from a file are used as given); throttled requests are not retried.",
  'An idle environment is reused most-recently-used first and evicted after the idle timeout; both ends of the range are simulated, costs and the winner use the shorter (more cold starts).',
  'A cold start keeps its environment busy for Init Duration + duration and bills ceil(Init Duration + duration) (on-demand INIT is billed since 2025-08-01).',
  'Provisioned concurrency N = the p99 of on-demand concurrency (at most the concurrency limit); it is enabled all month, its environments are used first; spill-over runs on demand.',
  "Managed Instances: no cold starts once the fleet runs; instances per 5 minutes from the peak rate × CPU-seconds per invocation (duration × the vCPU share measured) at the target utilisation, at least the minimum instances, and at least half the next 5 minutes' (a fleet at most doubles in 5 minutes, so peaks are prepared for as a schedule would); EC2 on-demand price + 15 % + $0.20 per 1M requests.",
  "Not modelled: the few-hour maximum lifetime of an environment (AWS recycles them; a cold start more per environment and lifetime), provisioned environments' re-initialisation, retries of throttled requests, ephemeral storage above 512 MB.",
  'A month is 730 hours; the free tier is not deducted unless asked for (it is per account, not per function).',
];
