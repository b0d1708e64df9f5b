import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { pythonRuntime } from '../src/runtimes/python/adapter.js';

const python = (await pythonRuntime.detect()).available;
let engine: Engine;
let dir: string;
let dateLog: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-cpu-launch-'));
  // A `date` first on PATH that records each run and then runs the real one: proves the two subprocesses happened.
  dateLog = path.join(dir, 'date.log');
  const shims = path.join(dir, 'bin');
  await mkdir(shims);
  await writeFile(
    path.join(shims, 'date'),
    // The shim folder is PATH's first entry: dropping it finds the real `date`, wherever the host keeps it.
    `#!/bin/sh\necho "$AWS_LAMBDA_FUNCTION_NAME" >> '${dateLog}'\nPATH="\${PATH#*:}" exec date "$@"\n`,
  );
  await chmod(path.join(shims, 'date'), 0o755);
  engine = await Engine.create({ cacheDir: path.resolve('.lambench', 'cache') });
  for (const folder of ['cpu/node', 'launch/node', ...(python ? ['cpu/python', 'launch/python'] : [])])
    await engine.functions.registerFolder(path.join(import.meta.dirname, folder));
  for (const name of ['launch-node', ...(python ? ['launch-python'] : [])]) {
    engine.functions.updateConfiguration(name, {
      environment: { PATH: `${shims}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    });
  }
}, 300_000);

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(functionName: string, payload: object, forceCold = false) {
  const result = await engine.invoke({ functionName, payload: JSON.stringify(payload), forceCold });
  const body = JSON.parse(result.payload.toString());
  expect(result.errorType, JSON.stringify(body)).toBeNull();
  return { result, body };
}

const datesRunBy = async (name: string) =>
  (await readFile(dateLog, 'utf8').catch(() => '')).split('\n').filter((line) => line === name).length;

describe('launch workloads: start → first `date`, first → second', () => {
  // Shape and the two subprocesses only: which of launch and subsequent is larger is the experiment's finding, not
  // something a test on a shared host may assert.
  it.each(python ? ['launch-node', 'launch-python'] : ['launch-node'])(
    '%s runs `date` twice and reports positive times',
    async (name) => {
      const before = await datesRunBy(name);
      const cold = await call(name, {}, true);
      expect(cold.result.cold).toBe(true);
      expect(cold.body).toEqual({
        coldProcess: true,
        launchMs: expect.any(Number),
        firstSubprocessMs: expect.any(Number),
        subsequentMs: expect.any(Number),
      });
      for (const field of ['launchMs', 'firstSubprocessMs', 'subsequentMs'])
        expect(cold.body[field]).toBeGreaterThan(0);
      // launchMs counts from the process's start, so it includes the first subprocess.
      expect(cold.body.launchMs).toBeGreaterThanOrEqual(cold.body.firstSubprocessMs);
      expect(await datesRunBy(name)).toBe(before + 2);
      const warm = await call(name, {});
      expect(warm.result.cold).toBe(false);
      expect(warm.body.coldProcess).toBe(false);
      expect(await datesRunBy(name)).toBe(before + 4);
    },
  );
});

describe('cpu workloads: identical work per worker', () => {
  const iterations = 300_000;

  it.each(['threads', 'processes'])(
    "cpu-node with 3 workers as %s: every checksum equals one worker's",
    async (mode) => {
      const single = (await call('cpu-node', { iterations })).body;
      expect(single.checksums).toHaveLength(1);
      const many = (await call('cpu-node', { iterations, workers: 3, mode })).body;
      expect(many).toMatchObject({ iterations, workers: 3, mode, checksum: single.checksum });
      expect(many.checksums).toEqual([single.checksum, single.checksum, single.checksum]);
    },
  );

  it.skipIf(!python)(
    "cpu-python with 3 workers as threads: every checksum equals one worker's, and cpu-node's",
    async () => {
      const single = (await call('cpu-python', { iterations })).body;
      const many = (await call('cpu-python', { iterations, workers: 3, mode: 'threads' })).body;
      expect(many).toMatchObject({ iterations, workers: 3, mode: 'threads', checksum: single.checksum });
      expect(many.checksums).toEqual([single.checksum, single.checksum, single.checksum]);
      expect(single.checksum).toBe((await call('cpu-node', { iterations })).body.checksum);
    },
  );
});
