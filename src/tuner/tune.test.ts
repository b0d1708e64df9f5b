import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { builtInFunctionsDir } from '../paths.js';
import { decodeVisualizationUrl } from '../report/visualization.js';
import { LocalTarget } from '../targets/local/target.js';
import type { TunePlan } from './plan.js';
import { chooseBest } from './strategy.js';
import { tune } from './tune.js';

let engine: Engine;
let workDir: string;

const plan = (overrides: Partial<TunePlan> = {}): TunePlan => ({
  functionName: 'cpu-node',
  memorySizes: [256, 1024],
  invocations: 4,
  parallel: false,
  payloads: [{ name: 'p', payload: JSON.stringify({ iterations: 20_000_000 }), weight: 1 }],
  strategy: 'speed',
  balancedWeight: 0.5,
  coldOnly: false,
  warmup: 1,
  sleepBetweenMs: 0,
  architecture: 'x86_64',
  region: 'us-east-1',
  allowedErrorTypes: [],
  autoApply: false,
  ...overrides,
});

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-tune-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'cpu', 'node'));
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
});

afterAll(async () => {
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('tune', () => {
  it('measures every size, keeps cold starts apart, and recommends by the strategy rule', async () => {
    const { result, records } = await tune(new LocalTarget(engine), plan());
    expect(result.configs.map((c) => c.memoryMB)).toEqual([256, 1024]);
    for (const c of result.configs) {
      expect(c.invocations).toBe(4);
      expect(c.errors).toBe(0);
      expect(c.coldStarts).toBe(1);
      expect(c.initDurationMs?.count).toBe(1);
    }
    expect(records.filter((r) => r.warmup)).toHaveLength(2);
    if (engine.isolation !== 'none') {
      expect(result.configs[0]!.durationMs!.p50).toBeGreaterThan(result.configs[1]!.durationMs!.p50);
    }
    const best = chooseBest(result.configs, { strategy: 'speed' });
    expect(result.best?.memoryMB).toBe(best?.memoryMB);
    const decoded = decodeVisualizationUrl(result.visualization);
    expect(decoded.map((p) => p.memoryMB)).toEqual([256, 1024]);
    decoded.forEach((p, i) => {
      expect(p.durationMs).toBeCloseTo(result.configs[i]!.durationMs!.trimmedMean, 2);
    });
  });

  it('records a failing size with its errors and goes on', async () => {
    const payload = JSON.stringify({ allocateMB: 200 });
    const { result } = await tune(
      new LocalTarget(engine),
      plan({
        functionName: 'hello-node',
        memorySizes: [128, 512],
        invocations: 2,
        warmup: 0,
        payloads: [{ name: 'big', payload, weight: 1 }],
      }),
    );
    const [small, large] = result.configs;
    if (engine.isolation !== 'none') {
      expect(small?.errors).toBe(2);
      expect(small?.errorTypes['Runtime.OutOfMemory']).toBe(2);
      expect(result.best?.memoryMB).toBe(512);
    }
    expect(large?.errors).toBe(0);
  });

  it('keeps what it measured when interrupted, and --resume finishes the run', async () => {
    const outDir = path.join(workDir, 'resume');
    const controller = new AbortController();
    const first = await tune(new LocalTarget(engine), plan({ memorySizes: [512, 1024, 1769] }), {
      outDir,
      signal: controller.signal,
      onPartialResult: async () => controller.abort(),
    });
    expect(first.interrupted).toBe(true);
    expect(first.result.configs.map((c) => c.memoryMB)).toEqual([512]);
    const progress = JSON.parse(await readFile(path.join(outDir, 'progress.json'), 'utf8'));
    expect(progress.completedSizes).toEqual([512]);
    // A different plan is refused before anything runs: both halves of a run must measure the same thing.
    await expect(
      tune(new LocalTarget(engine), plan({ memorySizes: [512, 1024, 1769], invocations: 2 }), { outDir, resume: true }),
    ).rejects.toThrow(/-n 2 \(saved: 4\)/);
    const second = await tune(new LocalTarget(engine), plan({ memorySizes: [512, 1024, 1769] }), {
      outDir,
      resume: true,
    });
    expect(second.interrupted).toBe(false);
    expect(second.result.configs.map((c) => c.memoryMB)).toEqual([512, 1024, 1769]);
    const lines = (await readFile(path.join(outDir, 'invocations.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3 * 5);
  });
});
