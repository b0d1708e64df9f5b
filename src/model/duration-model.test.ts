import { describe, expect, it } from 'vitest';
import { durationInterval, fitWithBootstrap } from './bootstrap.js';
import { describeModel, fitDurationModel, modelDuration } from './duration-model.js';

/** What a 2-core host gives: CPU share capped at 2 vCPU, 2 visible cores. */
const host2 = (memoryMB: number) => ({ cpuShare: Math.min(memoryMB / 1769, 2), visibleCpus: 2 });
const SWEEP = [128, 256, 512, 1024, 1536, 1769, 2048, 3008, 3538];

/** Seeded noise so the "noisy" cases are the same in every run. */
function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('fitDurationModel', () => {
  it.each([
    { cpuMs: 120, ioMs: 0, parallelism: 1 },
    { cpuMs: 240, ioMs: 0, parallelism: 2 },
    { cpuMs: 80, ioMs: 40, parallelism: 1 },
    { cpuMs: 10, ioMs: 200, parallelism: 1 },
    { cpuMs: 300, ioMs: 25, parallelism: 1.6 },
  ])('recovers cpuMs $cpuMs, ioMs $ioMs, parallelism $parallelism from exact points', (truth) => {
    const points = SWEEP.map((m) => ({ memoryMB: m, durationMs: modelDuration(truth, m, host2(m)), ...host2(m) }));
    const model = fitDurationModel(points);
    expect(model.cpuMs).toBeCloseTo(truth.cpuMs, 1);
    expect(model.ioMs).toBeCloseTo(truth.ioMs, 1);
    expect(model.parallelism).toBeCloseTo(truth.parallelism, 1);
    expect(model.rmsRelativeError).toBeLessThan(1e-3);
  });

  it('finds the knee above 1769 MB from three probes (256, 1769, 3538 MB) of two-thread work', () => {
    const truth = { cpuMs: 200, ioMs: 5, parallelism: 2 };
    const probes = [256, 1769, 3538].map((m) => ({
      memoryMB: m,
      durationMs: modelDuration(truth, m, host2(m)),
      ...host2(m),
    }));
    const model = fitDurationModel(probes);
    expect(model.parallelism).toBeGreaterThan(1.9);
    // 2 is all a 2-core host can show: the model says so rather than claiming the code stops at 2.
    expect(model.parallelismAtLimit).toBe(true);
    // On AWS, 3008 MB (1.7 vCPU, 2 cores) is faster than 1769 MB; single-threaded work would not be.
    expect(modelDuration(model, 3008)).toBeLessThan(modelDuration(model, 1769) * 0.65);
    expect(describeModel(model)).toMatch(/parallelism 2\.00 \(the most these sizes can show/);
  });

  it('keeps single-threaded work flat above 1769 MB', () => {
    const truth = { cpuMs: 150, ioMs: 3, parallelism: 1 };
    const probes = [256, 1769, 3538].map((m) => ({
      memoryMB: m,
      durationMs: modelDuration(truth, m, host2(m)),
      ...host2(m),
    }));
    const model = fitDurationModel(probes);
    expect(model.parallelism).toBeLessThan(1.05);
    expect(model.parallelismAtLimit).toBe(false);
    expect(modelDuration(model, 10240) / modelDuration(model, 1769)).toBeGreaterThan(0.97);
  });

  it('stays within bounds on noisy data (±8 % multiplicative noise, 20 seeds)', () => {
    const truth = { cpuMs: 150, ioMs: 30, parallelism: 2 };
    for (let seed = 1; seed <= 20; seed++) {
      const next = noise(seed);
      const points = SWEEP.map((m) => ({
        memoryMB: m,
        durationMs: modelDuration(truth, m, host2(m)) * (1 + (next() - 0.5) * 0.16),
        ...host2(m),
      }));
      const model = fitDurationModel(points);
      expect(model.cpuMs).toBeGreaterThan(150 * 0.85);
      expect(model.cpuMs).toBeLessThan(150 * 1.15);
      expect(model.ioMs).toBeLessThan(60);
      expect(model.parallelism).toBeGreaterThan(1.6);
      for (const m of SWEEP) {
        const error = Math.abs(modelDuration(model, m, host2(m)) / modelDuration(truth, m, host2(m)) - 1);
        expect(error).toBeLessThan(0.12);
      }
    }
  });

  it('never fits negative parts', () => {
    // Durations that grow with memory (nothing the model can explain) must not turn into negative CPU work.
    const model = fitDurationModel([
      { memoryMB: 256, durationMs: 100 },
      { memoryMB: 1769, durationMs: 110 },
      { memoryMB: 3538, durationMs: 120, ...host2(3538) },
    ]);
    expect(model.cpuMs).toBeGreaterThanOrEqual(0);
    expect(model.ioMs).toBeGreaterThanOrEqual(0);
    expect(model.ioMs).toBeGreaterThan(90);
  });

  it('takes the median Init Duration of the points that had one', () => {
    const model = fitDurationModel([
      { memoryMB: 256, durationMs: 700, initMs: 140 },
      { memoryMB: 1769, durationMs: 100, initMs: 150 },
      { memoryMB: 3538, durationMs: 100, initMs: null, ...host2(3538) },
    ]);
    expect(model.initMs).toBe(145);
  });

  it('refuses points that cannot separate the I/O part from the CPU part', () => {
    expect(() => fitDurationModel([{ memoryMB: 1769, durationMs: 100 }])).toThrow(/two or more sizes/);
    expect(() =>
      fitDurationModel([
        { memoryMB: 1769, durationMs: 100 },
        { memoryMB: 3538, durationMs: 60 },
      ]),
    ).toThrow(/below 1769 MB/);
  });
});

describe('fitWithBootstrap', () => {
  it('gives an interval that holds the truth and narrows with less noise', () => {
    const truth = { cpuMs: 100, ioMs: 10, parallelism: 1 };
    const sampled = (spread: number, seed: number) => {
      const next = noise(seed);
      return [256, 1769, 3538].map((m) => ({
        memoryMB: m,
        ...host2(m),
        samples: Array.from({ length: 10 }, () => modelDuration(truth, m, host2(m)) * (1 + (next() - 0.5) * spread)),
      }));
    };
    const wide = fitWithBootstrap(sampled(0.2, 7), { replicates: 200 });
    const narrow = fitWithBootstrap(sampled(0.02, 7), { replicates: 200 });
    for (const m of [128, 512, 1024, 3008]) {
      const expected = modelDuration(truth, m);
      const w = durationInterval(wide.model, wide.replicates, m);
      const n = durationInterval(narrow.model, narrow.replicates, m);
      expect(w.low).toBeLessThanOrEqual(w.durationMs);
      expect(w.high).toBeGreaterThanOrEqual(w.durationMs);
      expect(w.low).toBeLessThan(expected * 1.05);
      expect(w.high).toBeGreaterThan(expected * 0.95);
      expect(n.high - n.low).toBeLessThan(w.high - w.low);
    }
    // Seeded: the same measurements give the same interval.
    const again = fitWithBootstrap(sampled(0.2, 7), { replicates: 200 });
    expect(durationInterval(again.model, again.replicates, 512)).toEqual(
      durationInterval(wide.model, wide.replicates, 512),
    );
  });
});
