import type { SizeProfile } from './profile.js';
import { seededRandom } from './random.js';
import { arrivals, type Traffic } from './traffic.js';

/**
 * AWS's scaling limit per function: 1,000 new execution environments every 10 s, refilled continuously and never
 * banked beyond 1,000 (docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html) — a token bucket.
 */
export const SCALING_RATE = { burst: 1000, perSecond: 100 };
/** AWS's default account concurrency per region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

export interface SimulationLimits {
  /** An idle environment is evicted after this long (AWS does not publish it; the planner runs a range). */
  idleTimeoutS: number;
  /** Reserved concurrency, else the account's: past it an invocation is throttled (429). */
  concurrencyLimit: number;
  /** Provisioned concurrency: environments always initialised, never evicted, used first. */
  provisioned: number;
  scaling?: { burst: number; perSecond: number };
}

/** A stretch of the traffic's period that is simulated, after a warm-up whose figures are dropped. */
export interface Window {
  start: number;
  length: number;
}

export interface SimulationStats {
  arrivals: number;
  served: number;
  throttledConcurrency: number;
  throttledScaling: number;
  coldStarts: number;
  /** Σ billed duration without INIT (each rounded up to 1 ms). */
  billedMs: number;
  /** Σ the INIT part of cold starts' billed duration: ceil(init + duration) − ceil(duration). */
  initBilledMs: number;
  /** Invocations served by provisioned environments, and their billed milliseconds. */
  provisionedServed: number;
  provisionedBilledMs: number;
  /** Busy environments, sampled once per simulated second. */
  concurrencySamples: number[];
  maxConcurrency: number;
}

/** A binary min-heap of busy environments' end times, each marked provisioned or not. */
class BusyHeap {
  ends = new Float64Array(1024);
  provisioned = new Uint8Array(1024);
  size = 0;
  push(end: number, provisioned: boolean): void {
    if (this.size === this.ends.length) {
      const ends = new Float64Array(this.size * 2);
      ends.set(this.ends);
      const kinds = new Uint8Array(this.size * 2);
      kinds.set(this.provisioned);
      this.ends = ends;
      this.provisioned = kinds;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.ends[parent] ?? 0) <= end) break;
      this.ends[i] = this.ends[parent] ?? 0;
      this.provisioned[i] = this.provisioned[parent] ?? 0;
      i = parent;
    }
    this.ends[i] = end;
    this.provisioned[i] = provisioned ? 1 : 0;
  }
  get min(): number {
    return this.size ? (this.ends[0] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  }
  /** Removes the earliest end; returns whether it was a provisioned environment. */
  pop(): boolean {
    const top = this.provisioned[0] === 1;
    const n = --this.size;
    const end = this.ends[n] ?? 0;
    const kind = this.provisioned[n] ?? 0;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (this.ends[child + 1] ?? 0) < (this.ends[child] ?? 0)) child++;
      if ((this.ends[child] ?? 0) >= end) break;
      this.ends[i] = this.ends[child] ?? 0;
      this.provisioned[i] = this.provisioned[child] ?? 0;
      i = child;
    }
    this.ends[i] = end;
    this.provisioned[i] = kind;
    return top;
  }
}

const emptyStats = (): SimulationStats => ({
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
  maxConcurrency: 0,
});

/**
 * Discrete-event simulation of one memory size at one traffic: each arrival takes a provisioned environment if one
 * is free, else the most recently used idle on-demand environment still within the idle timeout, else starts one
 * (a cold start: busy for Init Duration + duration; needs a scaling token); past the concurrency limit or without a
 * token it is throttled (not retried). Durations and Init Durations are drawn from the measured ones.
 */
export function simulate(
  traffic: Traffic,
  profile: SizeProfile,
  limits: SimulationLimits,
  windows: readonly Window[],
  warmupS: number,
  seed: number,
): SimulationStats {
  const random = seededRandom(seed);
  const stats = emptyStats();
  const scaling = limits.scaling ?? SCALING_RATE;
  for (const window of windows) {
    const busy = new BusyHeap();
    let provisionedIdle = limits.provisioned;
    // Idle on-demand environments by the time they became idle: pushed in order, so the top is the most recent.
    const idle: number[] = [];
    let tokens = scaling.burst;
    let lastToken = window.start - warmupS;
    let nextSample = Math.ceil(window.start);
    const end = window.start + window.length;
    const release = (until: number) => {
      while (busy.min <= until) {
        const at = busy.min;
        if (busy.pop()) provisionedIdle++;
        else idle.push(at);
      }
    };
    const sampleUntil = (t: number) => {
      while (nextSample <= t && nextSample < end) {
        release(nextSample);
        stats.concurrencySamples.push(busy.size);
        nextSample++;
      }
    };
    for (const t of arrivals(traffic, window.start - warmupS, end, random)) {
      if (t >= window.start) sampleUntil(t);
      release(t);
      const counted = t >= window.start;
      if (counted) stats.arrivals++;
      if (busy.size >= limits.concurrencyLimit) {
        if (counted) stats.throttledConcurrency++;
        continue;
      }
      const duration = profile.sampleDuration(random);
      const billed = Math.ceil(duration);
      if (provisionedIdle > 0) {
        provisionedIdle--;
        busy.push(t + duration / 1000, true);
        if (counted) {
          stats.served++;
          stats.provisionedServed++;
          stats.provisionedBilledMs += billed;
        }
      } else {
        const last = idle[idle.length - 1];
        if (last !== undefined && t - last > limits.idleTimeoutS) idle.length = 0; // all idle longer: evicted
        if (idle.length > 0) {
          idle.pop();
          busy.push(t + duration / 1000, false);
          if (counted) {
            stats.served++;
            stats.billedMs += billed;
          }
        } else {
          tokens = Math.min(scaling.burst, tokens + (t - lastToken) * scaling.perSecond);
          lastToken = t;
          if (tokens < 1) {
            if (counted) stats.throttledScaling++;
            continue;
          }
          tokens -= 1;
          const init = profile.sampleInit(random);
          busy.push(t + (init + duration) / 1000, false);
          if (counted) {
            stats.served++;
            stats.coldStarts++;
            stats.billedMs += billed;
            stats.initBilledMs += Math.ceil(init + duration) - billed;
          }
        }
      }
      if (counted && busy.size > stats.maxConcurrency) stats.maxConcurrency = busy.size;
    }
    sampleUntil(end);
  }
  return stats;
}

export interface WindowPlan {
  windows: Window[];
  warmupS: number;
  /** What was simulated, in words, for the report. */
  method: string;
}

/**
 * Which stretches to simulate so one simulation stays near `budget` arrivals: the whole period when it fits (steady
 * traffic: up to a day, stationary after the warm-up), else `k` windows spread evenly over the period, each one
 * standing for its share. Every window starts after a warm-up at the traffic's own rates (the pattern is cyclic) as
 * long as the longest idle timeout, so no window starts with an empty pool.
 */
export function planWindows(traffic: Traffic, budget: number, maxIdleS: number): WindowPlan {
  const meanRate = traffic.perPeriod / traffic.periodS;
  // At high rates the pool reaches its steady state within seconds; a full idle-timeout warm-up would cost more
  // arrivals than the window itself, so it is cut to half the budget (never under 10 s).
  const warmupS = traffic.kind === 'timestamps' ? 0 : Math.min(maxIdleS + 60, Math.max(10, budget / (2 * meanRate)));
  if (traffic.kind === 'steady') {
    const length = Math.max(10, Math.min(86_400, budget / meanRate - warmupS));
    return {
      windows: [{ start: 0, length }],
      warmupS,
      method: `${fmt(length)} s of steady traffic after a ${fmt(warmupS)} s warm-up`,
    };
  }
  if (traffic.kind === 'timestamps' || traffic.perPeriod + meanRate * warmupS <= budget) {
    return {
      windows: [{ start: 0, length: traffic.periodS }],
      warmupS,
      method: `the whole ${fmt(traffic.periodS)} s period${warmupS ? ` after a ${fmt(warmupS)} s warm-up` : ''}`,
    };
  }
  const k = Math.max(1, Math.min(8, Math.floor(traffic.periodS / 60)));
  const slice = traffic.periodS / k;
  const length = Math.min(slice, Math.max(Math.min(10, slice), budget / k / meanRate - warmupS));
  const windows = Array.from({ length: k }, (_, i) => ({ start: i * slice + (slice - length) / 2, length }));
  return {
    windows,
    warmupS,
    method: `${k} windows of ${fmt(length)} s spread over the ${fmt(traffic.periodS)} s period, each after a ${fmt(warmupS)} s warm-up`,
  };
}

const fmt = (x: number) => String(Math.round(x));
