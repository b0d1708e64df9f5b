import { seededRandom } from '../stats/random.js';
import type { SizeProfile } from './profile.js';
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
  /** This window's own warm-up (default: the simulation's). */
  warmupS?: number;
  /** How many invocations each simulated one stands for (its slice's arrivals ÷ the window's). Default 1. */
  weight?: number;
  /** How many seconds each simulated second stands for, for the concurrency percentiles. Default 1. */
  timeWeight?: number;
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
  /** Busy environments, sampled once per simulated second, and what each sample stands for (seconds). */
  concurrencySamples: number[];
  concurrencyWeights: number[];
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
  concurrencyWeights: [],
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
    const w = window.weight ?? 1;
    const tw = window.timeWeight ?? 1;
    const warm = window.warmupS ?? warmupS;
    const busy = new BusyHeap();
    let provisionedIdle = limits.provisioned;
    // Idle on-demand environments by the time they became idle: pushed in order, so the top is the most recent.
    const idle: number[] = [];
    let tokens = scaling.burst;
    let lastToken = window.start - warm;
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
        stats.concurrencyWeights.push(tw);
        nextSample++;
      }
    };
    for (const t of arrivals(traffic, window.start - warm, end, random)) {
      if (t >= window.start) sampleUntil(t);
      release(t);
      const counted = t >= window.start;
      if (counted) stats.arrivals += w;
      if (busy.size >= limits.concurrencyLimit) {
        if (counted) stats.throttledConcurrency += w;
        continue;
      }
      const duration = profile.sampleDuration(random);
      const billed = Math.ceil(duration);
      if (provisionedIdle > 0) {
        provisionedIdle--;
        busy.push(t + duration / 1000, true);
        if (counted) {
          stats.served += w;
          stats.provisionedServed += w;
          stats.provisionedBilledMs += billed * w;
        }
      } else {
        const last = idle[idle.length - 1];
        if (last !== undefined && t - last > limits.idleTimeoutS) idle.length = 0; // all idle longer: evicted
        if (idle.length > 0) {
          idle.pop();
          busy.push(t + duration / 1000, false);
          if (counted) {
            stats.served += w;
            stats.billedMs += billed * w;
          }
        } else {
          tokens = Math.min(scaling.burst, tokens + (t - lastToken) * scaling.perSecond);
          lastToken = t;
          if (tokens < 1) {
            if (counted) stats.throttledScaling += w;
            continue;
          }
          tokens -= 1;
          const init = profile.sampleInit(random);
          busy.push(t + (init + duration) / 1000, false);
          if (counted) {
            stats.served += w;
            stats.coldStarts += w;
            stats.billedMs += billed * w;
            stats.initBilledMs += (Math.ceil(init + duration) - billed) * w;
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
 * Which stretches to simulate so one simulation stays near `budget` arrivals. Steady traffic: one window of up to a
 * day (stationary after the warm-up). A shaped, burst or file period: the whole period when it fits; else it is cut
 * into slices holding equal shares of Σ rate² dt and cut at the rate's largest jumps (so a burst gets slices of its
 * own) and one window is simulated in each, at the slice's middle by arrivals, weighted by how many invocations and seconds it stands
 * for. Every window starts after a warm-up at the traffic's own rates (the pattern is cyclic) of the longest idle
 * timeout, cut at high rates (the pool reaches its steady state within seconds) to half the window's share of the
 * budget, never under 2 s; windows are at least 1 s.
 */
export function planWindows(traffic: Traffic, budget: number, maxIdleS: number): WindowPlan {
  const meanRate = traffic.perPeriod / traffic.periodS;
  const warmFor = (rate: number) => Math.min(maxIdleS + 60, Math.max(2, budget / (2 * rate)));
  const warmupS = traffic.kind === 'timestamps' ? 0 : warmFor(meanRate);
  if (traffic.kind === 'steady') {
    const length = Math.max(1, Math.min(86_400, budget / meanRate - warmupS));
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
  // Slice boundaries: equal shares of Σ rate² dt (arrivals weighted by their rate, so busy stretches — where throttles
  // and scaling limits happen — get slices even when they hold few of the arrivals), plus the largest jumps of the
  // rate (a burst's start and end), so a slice does not mix a burst with the quiet around it. Each slice gets one
  // window at its middle by arrivals, weighted by the arrivals and seconds of its slice.
  const step = Math.max(1, traffic.periodS / 200_000);
  const squared: number[] = [0];
  const counted: number[] = [0];
  const jumps: Array<[number, number]> = [];
  let previous = traffic.rateAt(0);
  for (let t = 0; t < traffic.periodS; t += step) {
    const rate = traffic.rateAt(t);
    const dt = Math.min(step, traffic.periodS - t);
    squared.push((squared.at(-1) ?? 0) + rate * rate * dt);
    counted.push((counted.at(-1) ?? 0) + rate * dt);
    const ratio = Math.max(rate, previous) / Math.max(Math.min(rate, previous), 1e-9);
    if (t > 0 && ratio > 2) jumps.push([t, ratio]);
    previous = rate;
  }
  const inverse = (cumulative: number[], share: number) => {
    const target = share * (cumulative.at(-1) ?? 0);
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(traffic.periodS, lo * step);
  };
  const arrivalsAt = (t: number) => {
    const i = Math.min(counted.length - 1, Math.floor(t / step));
    return (counted[i] ?? 0) + traffic.rateAt(i * step) * (t - i * step);
  };
  const arrivalsIn = (a: number, b: number) => arrivalsAt(b) - arrivalsAt(a);
  const cuts = [
    ...Array.from({ length: k - 1 }, (_, i) => inverse(squared, (i + 1) / k)),
    ...jumps
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8)
      .map(([t]) => t),
  ];
  const bounds = [...new Set([0, ...cuts, traffic.periodS])]
    .filter((t) => t >= 0 && t <= traffic.periodS)
    .sort((x, y) => x - y);
  const slices = bounds.length - 1;
  const windows: Window[] = [];
  for (let i = 0; i < slices; i++) {
    const from = bounds[i] ?? 0;
    const to = bounds[i + 1] ?? traffic.periodS;
    if (to - from < 1e-6) continue;
    const sliceArrivals = arrivalsIn(from, to);
    // The slice's middle by arrivals, found by bisection on the cumulative count.
    let lo = from;
    let hi = to;
    for (let j = 0; j < 50; j++) {
      const mid = (lo + hi) / 2;
      if (arrivalsIn(from, mid) < sliceArrivals / 2) lo = mid;
      else hi = mid;
    }
    const middle = (lo + hi) / 2;
    const rate = Math.max(traffic.rateAt(middle), 1e-9);
    const warm = warmFor(rate * slices);
    const length = Math.min(to - from, Math.max(Math.min(1, to - from), budget / slices / rate - warm));
    const start = Math.min(Math.max(from, middle - length / 2), to - length);
    const inWindow = arrivalsIn(start, start + length);
    windows.push({
      start,
      length,
      warmupS: warm,
      weight: inWindow > 0 ? sliceArrivals / inWindow : 1,
      timeWeight: (to - from) / length,
    });
  }
  const shortest = Math.min(...windows.map((w) => w.length));
  const longest = Math.max(...windows.map((w) => w.length));
  return {
    windows,
    warmupS,
    method: `${windows.length} windows of ${fmt(shortest)}–${fmt(longest)} s, one in each slice of the ${fmt(traffic.periodS)} s period (equal shares of arrivals × their rate, cut at the rate's jumps), each after its warm-up, weighted by what it stands for`,
  };
}

const fmt = (x: number) => String(Math.round(x));
