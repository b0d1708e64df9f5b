import { describe, expect, it } from 'vitest';
import type { Target } from './types.js';

export interface TargetHarness {
  target: Target;
  /** A deployed function that answers `{"echo": x}` with `{ echo: x, … }` (hello-node's contract). */
  functionName: string;
  /** The function's memory as the target's control plane reports it now. */
  configuredMemory(): Promise<number>;
  /** Aliases and versions beyond $LATEST that exist now (empty for targets without them). */
  leftovers(): Promise<string[]>;
}

/** One contract for every Target: the tuner relies on exactly these behaviours. */
export function targetContract(name: string, setup: () => Promise<TargetHarness>) {
  describe(`target contract: ${name}`, () => {
    it('describes, configures, invokes warm and cold, and cleans up after itself', async () => {
      const h = await setup();
      const original = await h.configuredMemory();
      const described = await h.target.describe(h.functionName);
      expect(described.name).toBe(h.functionName);
      expect(described.memoryMB).toBe(original);

      const fn = await h.target.configure(h.functionName, 256);
      expect(fn.memoryMB).toBe(256);
      const warmup = await h.target.invoke(fn, '{"echo":"x"}', { cold: false });
      expect(warmup.functionError).toBeNull();
      expect(JSON.parse(warmup.payload).echo).toBe('x');
      expect(warmup.report.memorySizeMB).toBe(256);
      expect(warmup.report.durationMs).toBeGreaterThan(0);
      expect(warmup.report.billedDurationMs).toBeGreaterThanOrEqual(Math.ceil(warmup.report.durationMs));
      expect(warmup.clientMs).toBeGreaterThanOrEqual(warmup.report.durationMs * 0.5);

      const warm = await h.target.invoke(fn, '{}', { cold: false });
      expect(warm.cold).toBe(false);
      expect(warm.report.initDurationMs).toBeNull();

      const cold = await h.target.invoke(fn, '{}', { cold: true });
      expect(cold.cold).toBe(true);
      expect(cold.report.initDurationMs).toBeGreaterThan(0);

      await h.target.cleanup();
      expect(await h.configuredMemory()).toBe(original);
      expect(await h.leftovers()).toEqual([]);
    });

    it('reports function errors as results and unknown functions as ResourceNotFoundException', async () => {
      const h = await setup();
      const fn = await h.target.configure(h.functionName, 128);
      const failed = await h.target.invoke(fn, '{"allocateMB":"not a number"}', { cold: false });
      expect(failed.report.durationMs).toBeGreaterThanOrEqual(0);
      await expect(h.target.describe('no-such-function-xyz')).rejects.toMatchObject({
        awsType: 'ResourceNotFoundException',
      });
      await h.target.cleanup();
    });

    it('applies a memory size when asked (auto-apply)', async () => {
      const h = await setup();
      const original = await h.configuredMemory();
      await h.target.applyMemory(h.functionName, 384);
      expect(await h.configuredMemory()).toBe(384);
      await h.target.applyMemory(h.functionName, original);
      await h.target.cleanup();
    });
  });
}
