import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCsv } from '../report/csv.js';
import { renderMarkdown } from '../report/markdown.js';
import { seededRandom } from '../stats/random.js';
import type { TunePlan } from './plan.js';
import { fakePlan, fakeTarget } from './test-helpers/fake-target.js';
import { tune } from './tune.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-interleave-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Log-normal noise around 12800 / memory ms: sigma 0.005 is a steady function, 0.4 a noisy one. */
const noisy = (sigma: number, seed: number) => {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return (memoryMB: number) => (12_800 / memoryMB) * Math.exp(sigma * gaussian());
};

const adaptive = (overrides: Partial<TunePlan> = {}) =>
  fakePlan({
    memorySizes: [128, 512],
    order: 'interleaved',
    seed: 7,
    precision: 0.05,
    minInvocations: 10,
    invocations: 80,
    warmup: 1,
    ...overrides,
  });

describe('adaptive sampling (--precision)', () => {
  it('takes more invocations for a noisy function than a steady one, and says per size whether it got there', async () => {
    for (const seed of [1, 2, 3]) {
      const steady = await tune(fakeTarget({ durationMs: noisy(0.005, seed) }), adaptive());
      const jumpy = await tune(fakeTarget({ durationMs: noisy(0.4, seed) }), adaptive());
      for (const [i, c] of steady.result.configs.entries()) {
        const other = jumpy.result.configs[i]!;
        // Steady: the CI of 10 values is already within ±5 %. Noisy: a 40 % spread needs far more (or max-n).
        expect(c.sampling).toMatchObject({ n: 10, precisionReached: true });
        expect(c.sampling!.ciHalfWidth).toBeLessThanOrEqual(0.05);
        expect(other.sampling!.n).toBeGreaterThan(2 * c.sampling!.n);
        if (other.sampling!.precisionReached) expect(other.sampling!.ciHalfWidth).toBeLessThanOrEqual(0.05);
        else expect(other.sampling!.n).toBe(80);
        expect(other.invocations).toBe(other.sampling!.n);
      }
      expect(jumpy.result.sampling).toEqual({ order: 'interleaved', seed: 7, precision: 0.05, minN: 10, maxN: 80 });
    }
  });

  it('stops at max-n and says the precision was not reached, in JSON, Markdown and CSV', async () => {
    const { result } = await tune(fakeTarget({ durationMs: noisy(0.6, 5) }), adaptive({ invocations: 12 }));
    for (const c of result.configs) expect(c.sampling).toMatchObject({ n: 12, precisionReached: false });
    const md = renderMarkdown(result);
    expect(md).toContain('| precision |');
    expect(md).toMatch(/not reached \(max-n\)/);
    expect(md).toContain('precision not reached at 128, 512 MB (stopped at max-n)');
    const csv = renderCsv(result).split('\n');
    expect(csv[0]).toContain('precisionReached,ciHalfWidth');
    expect(csv[1]).toMatch(/,interleaved,7,0\.05,false,0\.\d+$/);
  });
});

describe('interleaved order', () => {
  it('visits every unfinished size once per round, in a seeded order that varies between rounds', async () => {
    const run = (seed: number) =>
      tune(fakeTarget(), fakePlan({ memorySizes: [128, 256, 512, 1024], invocations: 6, order: 'interleaved', seed }));
    const first = await run(11);
    const measured = first.records.filter((r) => !r.warmup).map((r) => r.memoryMB);
    const rounds = Array.from({ length: 6 }, (_, i) => measured.slice(i * 4, i * 4 + 4));
    for (const round of rounds) expect([...round].sort((a, b) => a - b)).toEqual([128, 256, 512, 1024]);
    expect(new Set(rounds.map((r) => r.join(','))).size).toBeGreaterThan(1);
    // Same seed, same order; another seed, another order.
    expect((await run(11)).records.map((r) => r.memoryMB)).toEqual(first.records.map((r) => r.memoryMB));
    expect((await run(12)).records.map((r) => r.memoryMB)).not.toEqual(first.records.map((r) => r.memoryMB));
    for (const c of first.result.configs) {
      expect(c.invocations).toBe(6);
      expect(c.sampling).toBeUndefined();
    }
    expect(first.result.sampling).toEqual({ order: 'interleaved', seed: 11 });
  });

  it('records a size that cannot be configured and goes on with the others', async () => {
    const target = fakeTarget();
    const configure = target.configure;
    target.configure = async (name, memoryMB) => {
      if (memoryMB === 256) throw Object.assign(new Error('too big'), { name: 'InvalidParameterValueException' });
      return configure(name, memoryMB);
    };
    const { result } = await tune(target, fakePlan({ memorySizes: [128, 256], order: 'interleaved', seed: 1 }));
    expect(result.configs.map((c) => [c.memoryMB, c.invocations, c.failure?.errorType])).toEqual([
      [128, 4, undefined],
      [256, 0, 'InvalidParameterValueException'],
    ]);
  });

  it('--resume keeps the rounds measured, re-warms each unfinished size, and refuses another precision', async () => {
    const outDir = path.join(dir, 'resume');
    const plan = adaptive({ memorySizes: [128, 256, 512] });
    const target = () => fakeTarget({ durationMs: noisy(0.3, 9) });
    const controller = new AbortController();
    let rounds = 0;
    const first = await tune(target(), plan, {
      outDir,
      signal: controller.signal,
      onPartialResult: async () => {
        if (++rounds === 4) controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.result.configs.map((c) => c.invocations)).toEqual([4, 4, 4]);
    const saved = JSON.parse(await readFile(path.join(outDir, 'progress.json'), 'utf8')).plan as TunePlan;
    expect(saved).toMatchObject({
      precision: 0.05,
      minInvocations: 10,
      invocations: 80,
      seed: 7,
      order: 'interleaved',
    });
    await expect(tune(target(), { ...plan, precision: 0.1 }, { outDir, resume: true })).rejects.toThrow(
      /--precision 0\.1 \(saved: 0\.05\)/,
    );
    const second = await tune(target(), plan, { outDir, resume: true });
    expect(second.interrupted).toBe(false);
    const lines = (await readFile(path.join(outDir, 'invocations.jsonl'), 'utf8')).trim().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { memoryMB: number; warmup?: boolean });
    for (const c of second.result.configs) {
      expect(c.sampling!.n).toBeGreaterThanOrEqual(10);
      expect(c.invocations).toBe(records.filter((r) => r.memoryMB === c.memoryMB && !r.warmup).length);
      // One warm-up per size in each session: both environments started cold.
      expect(records.filter((r) => r.memoryMB === c.memoryMB && r.warmup)).toHaveLength(2);
    }
  });
});
