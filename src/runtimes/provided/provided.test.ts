import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { builtInFunctionsDir } from '../../paths.js';
import { cargoVersion } from './cargo.js';

const cargo = await cargoVersion();
let engine: Engine;
let dir: string;

describe.skipIf(!cargo)(
  `Rust workloads on AWS's lambda_runtime crate (${cargo ?? 'cargo missing: install Rust'})`,
  () => {
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-rust-'));
      // The cargo target dir is shared with the project's cache so a second test run builds nothing.
      engine = await Engine.create({ cacheDir: path.resolve('.lambench', 'cache'), isolation: 'none' });
      for (const w of ['hello', 'cpu', 'launch'])
        await engine.functions.registerFolder(path.join(builtInFunctionsDir, w, 'rust'));
    });

    afterAll(async () => {
      await engine?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('builds on demand and answers like hello-node', { timeout: 900_000 }, async () => {
      const result = await engine.invoke({ functionName: 'hello-rust', payload: '{"echo":{"x":1},"sleepMs":5}' });
      expect(result.errorType, result.payload.toString()).toBeNull();
      expect(JSON.parse(result.payload.toString())).toMatchObject({
        echo: { x: 1 },
        sleptMs: 5,
        memoryLimitInMB: 128,
        requestId: result.requestId,
      });
      const warm = await engine.invoke({ functionName: 'hello-rust', payload: '{"sleepMs":-1}' });
      expect(warm.cold).toBe(false);
      expect(warm.functionError).toBe('Unhandled');
    });

    it('computes the same checksum as cpu-node and cpu-python, on threads', { timeout: 900_000 }, async () => {
      const result = await engine.invoke({ functionName: 'cpu-rust', payload: '{"iterations":1000000,"workers":3}' });
      expect(JSON.parse(result.payload.toString()).checksums).toEqual([3533651717, 3533651717, 3533651717]);
    });

    it('measures launch and subsequent subprocess times', { timeout: 900_000 }, async () => {
      const body = JSON.parse((await engine.invoke({ functionName: 'launch-rust', payload: '{}' })).payload.toString());
      expect(body.subsequentMs).toBeGreaterThan(0);
      expect(body.launchMs).toBeGreaterThan(0);
    });
  },
);
