import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { nodejsRuntime } from './adapter.js';

/**
 * The real thing: Node.js 22 and 24 from the npm registry (tens of MB each on the first run; later runs find them
 * in the per-user cache, ~/.cache/lambench/node, which outlives clones so CI downloads once per machine).
 */
const FIRST_DOWNLOAD_MS = 10 * 60_000;
const MAJORS = [20, 22, 24];

let engine: Engine;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-node-majors-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), isolation: 'none' });
  for (const major of MAJORS) {
    const dir = path.join(workDir, `node${major}`);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'index.mjs'),
      'export const handler = async () => ({ version: process.version, execPath: process.execPath });',
    );
    await writeFile(
      path.join(dir, 'function.json'),
      JSON.stringify({ name: `node${major}`, runtime: `nodejs${major}.x`, handler: 'index.handler' }),
    );
    await engine.functions.registerFolder(dir);
  }
});

afterAll(async () => {
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('each nodejs<major>.x on its own major', () => {
  for (const major of MAJORS) {
    it(
      `nodejs${major}.x runs on Node.js ${major} and its result names the version`,
      async () => {
        const result = await engine.invoke({ functionName: `node${major}`, payload: '{}' });
        expect(result.functionError).toBeNull();
        const body = JSON.parse(result.payload.toString('utf8')) as { version: string; execPath: string };
        expect(body.version).toMatch(new RegExp(`^v${major}\\.\\d+\\.\\d+$`));
        expect(result.runtime).toBe(`nodejs${major}.x`);
        expect(result.runtimeVersion).toBe(body.version);
        if (Number(process.versions.node.split('.')[0]) === major) expect(body.execPath).toBe(process.execPath);
        else expect(body.execPath).not.toBe(process.execPath);
      },
      FIRST_DOWNLOAD_MS,
    );
  }

  it('doctor lists which node each runtime uses, now cached', async () => {
    const status = await nodejsRuntime.detect();
    const byRuntime = new Map(status.runtimes?.map((r) => [r.runtime, r]));
    for (const major of MAJORS) {
      const entry = byRuntime.get(`nodejs${major}.x`);
      expect(entry?.version).toMatch(new RegExp(`^v${major}\\.`));
      expect(entry?.source).toMatch(/^(host|cache)$/);
    }
  });
});
