import type { Architecture } from '../engine/types.js';
import { countsAsResult, type InvocationRecord, type Summary, type TuneResult } from '../tuner/types.js';

/** What the simulation draws from for one memory size: measured durations and Init Durations. */
export interface SizeProfile {
  memoryMB: number;
  architecture: Architecture;
  /** Where the durations come from: every invocation (invocations.jsonl), or the result's percentiles. */
  source: 'invocations' | 'statistics';
  durationSamples: number;
  initSamples: number;
  p50DurationMs: number;
  meanDurationMs: number;
  meanInitMs: number;
  /** Set when this size measured no cold start and borrowed another size's Init Duration. */
  initFrom?: number;
  sampleDuration(random: () => number): number;
  sampleInit(random: () => number): number;
}

const pick = (values: Float64Array) => (random: () => number) => values[Math.floor(random() * values.length)] ?? 0;

/** Inverse CDF through the summary's known quantiles (min, p50, p90, p99, max), linear between them. */
function fromSummary(s: Summary): (random: () => number) => number {
  const points: Array<[number, number]> = [
    [0, s.min],
    [0.5, s.p50],
    [0.9, s.p90],
    [0.99, s.p99],
    [1, s.max],
  ];
  return (random) => {
    const u = random();
    for (let i = 1; i < points.length; i++) {
      const [q0, v0] = points[i - 1] ?? [0, 0];
      const [q1, v1] = points[i] ?? [1, 0];
      if (u <= q1) return v0 + ((v1 - v0) * (u - q0)) / (q1 - q0 || 1);
    }
    return s.max;
  };
}

const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / (v.length || 1);

/**
 * One profile per size that measured durations. From the records when given (warm-ups left out of durations, as in
 * the tuner's statistics; every Init Duration kept), else from the result's statistics. A size without a cold start
 * takes the Init Duration of the nearest size that has one (init work hardly depends on memory above the boost).
 */
export function profilesFrom(result: TuneResult, records?: readonly InvocationRecord[]): SizeProfile[] {
  const architecture = result.environment.architecture;
  const built = result.configs.flatMap((c): SizeProfile[] => {
    const mine = records?.filter((r) => r.memoryMB === c.memoryMB && countsAsResult(r)) ?? [];
    const durations = Float64Array.from(mine.filter((r) => !r.warmup).map((r) => r.durationMs));
    const inits = Float64Array.from(mine.flatMap((r) => (r.initDurationMs === null ? [] : [r.initDurationMs])));
    if (durations.length > 0) {
      return [
        {
          memoryMB: c.memoryMB,
          architecture,
          source: 'invocations',
          durationSamples: durations.length,
          initSamples: inits.length,
          p50DurationMs: c.durationMs?.p50 ?? [...durations].sort((a, b) => a - b)[durations.length >> 1] ?? 0,
          meanDurationMs: mean(durations),
          meanInitMs: mean(inits),
          sampleDuration: pick(durations),
          sampleInit: inits.length ? pick(inits) : () => 0,
        },
      ];
    }
    if (!c.durationMs) return [];
    const init = c.initDurationMs;
    return [
      {
        memoryMB: c.memoryMB,
        architecture,
        source: 'statistics',
        durationSamples: c.durationMs.count,
        initSamples: init?.count ?? 0,
        p50DurationMs: c.durationMs.p50,
        meanDurationMs: c.durationMs.mean,
        meanInitMs: init?.mean ?? 0,
        sampleDuration: fromSummary(c.durationMs),
        sampleInit: init ? fromSummary(init) : () => 0,
      },
    ];
  });
  const withInit = built.filter((p) => p.initSamples > 0);
  return built.map((p) => {
    if (p.initSamples > 0 || withInit.length === 0) return p;
    const nearest = withInit.reduce((a, b) =>
      Math.abs(b.memoryMB - p.memoryMB) < Math.abs(a.memoryMB - p.memoryMB) ? b : a,
    );
    return { ...p, initFrom: nearest.memoryMB, meanInitMs: nearest.meanInitMs, sampleInit: nearest.sampleInit };
  });
}
