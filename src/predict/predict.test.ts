import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../cli/commands/predict.js';
import { main } from '../cli/main.js';
import { Engine } from '../engine/engine.js';
import { builtInFunctionsDir } from '../paths.js';
import { LocalTarget } from '../targets/local/target.js';
import { predict } from './predict.js';
import { chooseProbeSizes } from './probes.js';
import { predictAndValidate } from './validate.js';

describe('chooseProbeSizes', () => {
  it('takes a low size, 1769 MB and the most CPU the host can give in full', () => {
    expect(chooseProbeSizes(3, 2 * 1769)).toEqual([256, 1769, 3538]);
    expect(chooseProbeSizes(3, 8 * 1769)).toEqual([256, 1769, 10240]);
    expect(chooseProbeSizes(2, 2 * 1769)).toEqual([256, 1769]);
    // More probes go into the widest gap on a log scale.
    expect(chooseProbeSizes(4, 2 * 1769)).toEqual([256, 673, 1769, 3538]);
    // One core: nothing above 1769 MB to see, so the third probe goes below it.
    expect(chooseProbeSizes(3, 1769)).toEqual([256, 673, 1769]);
    // The low probe follows the list when it starts higher.
    expect(chooseProbeSizes(3, 2 * 1769, 512)).toEqual([512, 1769, 3538]);
  });

  it('refuses fewer than two probes', () => {
    expect(() => chooseProbeSizes(1, 3538)).toThrow(/at least 2/);
  });
});

describe('predict on the local engine', () => {
  let engine: Engine;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-predict-'));
    engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
    await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'cpu', 'node'));
  });

  afterAll(async () => {
    await engine?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('measures the probes, predicts every size with an interval and cost, and validates against a sweep', async () => {
    const target = new LocalTarget(engine);
    const payloads = [{ name: 'p', payload: JSON.stringify({ iterations: 5_000_000 }), weight: 1 }];
    const sizes = [128, 512, 1769, 10240];
    const request = {
      functionName: 'cpu-node',
      memorySizes: sizes,
      probes: 2,
      invocations: 3,
      payloads,
      strategy: 'cost' as const,
      balancedWeight: 0.5,
      architecture: 'x86_64' as const,
      region: 'us-east-1',
      replicates: 50,
    };
    const { prediction } = await predict(target, request);
    expect(prediction.probes.map((p) => p.memoryMB)).toEqual([256, 1769]);
    expect(prediction.invocations).toBe(2 * (1 + 3));
    expect(prediction.predictions.map((p) => p.memoryMB)).toEqual(sizes);
    for (const p of prediction.predictions) {
      expect(p.durationMs).toBeGreaterThan(0);
      expect(p.low).toBeLessThanOrEqual(p.durationMs);
      expect(p.high).toBeGreaterThanOrEqual(p.durationMs);
      expect(p.costPer1M).toBeGreaterThan(0.2); // at least the request price
    }
    expect(prediction.predictions.find((p) => p.memoryMB === 10240)?.hostCanHonour).toBe(engine.hostCpus >= 6);
    expect(Object.keys(prediction.best).sort()).toEqual(['balanced', 'cost', 'speed']);
    expect(sizes).toContain(prediction.best.cost);
    // Each strategy's picks over the 50 replicates: shares summing to 1, sizes from the list.
    for (const picks of Object.values(prediction.confidence)) {
      expect(picks.reduce((sum, p) => sum + p.share, 0)).toBeCloseTo(1, 10);
      for (const p of picks) expect(sizes).toContain(p.memoryMB);
    }
    expect(prediction.model.parallelism).toBeGreaterThanOrEqual(1);
    expect(prediction.model.initMs).toBeGreaterThan(0);
    if (engine.isolation !== 'none') {
      // A CPU loop at 128 MB (0.07 vCPU) takes several times as long as at 1769 MB (1 vCPU): 13.8× in the model's
      // terms; anything above 3× says the CPU share was seen, on a host busy with other work too.
      const at = (m: number) => prediction.predictions.find((p) => p.memoryMB === m)?.durationMs ?? 0;
      expect(at(128) / at(1769)).toBeGreaterThan(3);
    }

    // --validate: probes and sweep interleaved; the probes' invocations stay their own.
    const checked = await predictAndValidate(
      target,
      { ...request, invocations: 2, replicates: 20 },
      { invocations: 2 },
    );
    const { validation } = checked;
    const sweepSizes = sizes.filter((m) => m <= target.maxFullCpuMemoryMB());
    expect(validation.sizes.map((s) => s.memoryMB)).toEqual(sweepSizes);
    expect(validation.invocations).toEqual({
      probes: 2 * (1 + 2),
      sweep: sweepSizes.length * (1 + 2),
      ratio: Math.round(((2 * 3) / (sweepSizes.length * 3)) * 1000) / 1000,
    });
    expect(checked.records.filter((r) => r.payloadName === 'probe')).toHaveLength(6);
    expect(Number.isFinite(validation.mapePct)).toBe(true);
    // 1769 MB is both a probe and a sweep size: measured twice, apart, the two medians give the noise floor.
    expect(validation.repeatErrorPct).toBeGreaterThanOrEqual(0);
    for (const strategy of ['cost', 'speed', 'balanced'] as const) {
      expect(sweepSizes).toContain(validation.best[strategy].measured);
      expect(sweepSizes).toContain(validation.best[strategy].predicted);
    }
    expect(renderText(checked.prediction, validation)).toMatch(/MAPE [\d.]+ %/);
    expect(renderText(checked.prediction)).toMatch(/Best: cost \d+ MB \(picked by \d+ % of the bootstrap's curves\)/);
  }, 180_000);

  it('exits 2 on bad input before anything runs', async () => {
    expect(await main(['predict', 'cpu-node', '--probes', '1'])).toBe(2);
    expect(await main(['predict', 'cpu-node', '--sweep-n', '3'])).toBe(2);
    expect(await main(['predict', 'cpu-node', '--tolerance', '5'])).toBe(2);
  });
});
