import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionVersion } from '../../engine/types.js';
import { builtInFunctionsDir } from '../../paths.js';
import { nodejsRuntime } from './adapter.js';
import { resolveNodeBinary } from './node-binaries.js';
import { FakeRuntimeApi, type RuntimeProcess, spawnRuntime } from './test-helpers/fake-runtime-api.js';

let workDir: string;
let cacheDir: string;
/** The workload's own pure function (functions/ is outside tsconfig's rootDir, hence the dynamic import). */
let checksum: (iterations: number) => number;
const started: Array<{ api: FakeRuntimeApi; runtime: RuntimeProcess }> = [];

function version(codeDir: string, handler = 'index.handler', memorySize = 256): FunctionVersion {
  return {
    name: path.basename(codeDir),
    runtime: 'nodejs20.x',
    handler,
    memorySize,
    timeout: 30,
    ephemeralStorage: 512,
    environment: {},
    architecture: 'x86_64',
    description: '',
    version: '$LATEST',
    codeDir,
    codeSha256: '',
    codeSize: 0,
    revisionId: '',
    lastModified: '',
  };
}

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(workDir, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** prepare() + launch() as the engine does, against a fake Runtime API. */
async function run(fn: FunctionVersion) {
  const taskRoot = await nodejsRuntime.prepare(fn, cacheDir);
  const launch = nodejsRuntime.launch(fn, taskRoot);
  const api = await FakeRuntimeApi.start();
  const runtime = spawnRuntime(launch.command, launch.args, api, taskRoot, fn.handler, {
    ...launch.env,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
  });
  started.push({ api, runtime });
  return { api, runtime, taskRoot };
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-node-adapter-'));
  cacheDir = path.join(workDir, 'cache');
  const module = await import(pathToFileURL(path.join(builtInFunctionsDir, 'cpu', 'node', 'checksum.ts')).href);
  checksum = (module as { checksum: typeof checksum }).checksum;
});

afterEach(async () => {
  for (const { api, runtime } of started.splice(0)) {
    runtime.kill();
    await runtime.exited;
    await api.close();
  }
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('nodejsRuntime', () => {
  it('accepts the nodejs*.x runtimes and reports the host node', async () => {
    for (const runtime of ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x']) {
      expect(nodejsRuntime.matches(runtime)).toBe(true);
    }
    for (const runtime of ['nodejs16.x', 'python3.12', 'nodejs20']) expect(nodejsRuntime.matches(runtime)).toBe(false);
    const status = await nodejsRuntime.detect();
    expect(status).toMatchObject({ family: 'nodejs', available: true, path: process.execPath });
    expect(status.version).toContain(process.versions.node);
  });

  it('runs JavaScript from a staged copy of its folder and sizes the V8 heap from the memory setting', async () => {
    const dir = await folder('plain', { 'index.mjs': 'export const handler = async () => 1;' });
    const fn = version(dir, 'index.handler', 512);
    const taskRoot = await nodejsRuntime.prepare(fn, cacheDir);
    // Staged beside the SDK, with no package.json above, as /var/task sits in AWS's runtime (see task-root.ts).
    expect(taskRoot.startsWith(path.join(cacheDir, 'task-roots', 'nodejs') + path.sep)).toBe(true);
    expect(await readFile(path.join(taskRoot, 'index.mjs'), 'utf8')).toBe('export const handler = async () => 1;');
    expect(existsSync(path.join(taskRoot, '..', 'package.json'))).toBe(false);
    expect(existsSync(path.join(taskRoot, '..', 'node_modules', '@aws-sdk', 'client-s3'))).toBe(true);
    expect(await nodejsRuntime.prepare(fn, cacheDir)).toBe(taskRoot);
    await writeFile(path.join(dir, 'index.mjs'), 'export const handler = async () => 2;');
    const restaged = await nodejsRuntime.prepare(fn, cacheDir);
    expect(restaged).not.toBe(taskRoot);
    // launch() takes the task root prepare() returned (it knows which cache dir's runtime client goes with it).
    const launch = nodejsRuntime.launch(fn, restaged);
    // nodejs20.x runs on Node.js 20: this node when it is 20, else one from the cache (node-binaries.ts).
    expect(launch.command).toBe((await resolveNodeBinary(fn.runtime)).path);
    expect(launch.runtimeVersion).toMatch(/^v20\./);
    expect(launch.args).toEqual(
      expect.arrayContaining(['--expose-gc', '--max-semi-space-size=25', '--max-old-space-size=461']),
    );
    expect(launch.args.at(-1)).toMatch(/bootstrap\.m?js$/);
    expect(launch.env.NODE_PATH?.split(':')).toContain(restaged);
    expect(() => nodejsRuntime.launch(fn, dir)).toThrow(/before prepare/);
  });

  it('launches with the runtime client of the cache dir the function was prepared with', async () => {
    const dir = await folder('two-caches', { 'index.mjs': 'export const handler = async () => 1;' });
    const fn = version(dir, 'index.handler', 256);
    const otherCache = path.join(workDir, 'other-cache');
    const inMain = nodejsRuntime.launch(fn, await nodejsRuntime.prepare(fn, cacheDir));
    const inOther = nodejsRuntime.launch(fn, await nodejsRuntime.prepare(fn, otherCache));
    // Before, the first cache dir's client was used by every engine of the process, even after it was deleted.
    expect(inMain.args.at(-1)?.startsWith(cacheDir + path.sep)).toBe(true);
    expect(inOther.args.at(-1)?.startsWith(otherCache + path.sep)).toBe(true);
  });

  it('bundles a TypeScript handler with esbuild into a content-keyed cache', async () => {
    const dir = await folder('ts', {
      'lib/double.ts': 'export const double = (n: number): number => n * 2;',
      'src/main.ts':
        'import { double } from "../lib/double.js";\nexport const handler = async (e: { n: number }) => ({ n: double(e.n) });',
    });
    const fn = version(dir, 'src/main.handler');
    const { api, taskRoot } = await run(fn);
    expect(taskRoot.startsWith(path.join(cacheDir, 'nodejs'))).toBe(true);
    expect(existsSync(path.join(taskRoot, 'src', 'main.mjs'))).toBe(true);
    expect((await api.invoke({ n: 21 })).body).toEqual({ n: 42 });
    expect(await nodejsRuntime.prepare(fn, cacheDir)).toBe(taskRoot);
    await writeFile(path.join(dir, 'lib/double.ts'), 'export const double = (n: number): number => n * 3;');
    const rebuilt = await nodejsRuntime.prepare(fn, cacheDir);
    expect(rebuilt).not.toBe(taskRoot);
    expect(await readFile(path.join(rebuilt, 'src', 'main.mjs'), 'utf8')).toContain('n * 3');
  });

  it('rebuilds when a source outside the function folder that the bundle imports changes', async () => {
    await folder('shared', { 'greet.ts': 'export const greet = (name: string) => "hello " + name;' });
    const dir = await folder('outside', {
      'index.ts': 'import { greet } from "../shared/greet.js";\nexport const handler = async () => greet("x");',
    });
    const first = await nodejsRuntime.prepare(version(dir), cacheDir);
    expect(await nodejsRuntime.prepare(version(dir), cacheDir)).toBe(first);
    await writeFile(path.join(workDir, 'shared', 'greet.ts'), 'export const greet = (name: string) => "bye " + name;');
    const second = await nodejsRuntime.prepare(version(dir), cacheDir);
    expect(second).not.toBe(first);
    expect(await readFile(path.join(second, 'index.mjs'), 'utf8')).toContain('bye');
  });

  it('keeps @aws-sdk/* external, as CDK does, and resolves it to the host SDK at run time', async () => {
    const dir = await folder('sdk', {
      'index.ts':
        'import { S3Client } from "@aws-sdk/client-s3";\nimport { createRequire } from "node:module";\n' +
        'export const handler = async () => ({ client: typeof S3Client, region: await new S3Client({}).config.region() });',
    });
    const { api, taskRoot } = await run(version(dir));
    const bundled = await readFile(path.join(taskRoot, 'index.mjs'), 'utf8');
    expect(bundled).toMatch(/from "@aws-sdk\/client-s3"/);
    expect(bundled.length).toBeLessThan(10_000);
    expect((await api.invoke({})).body).toEqual({ client: 'function', region: 'us-east-1' });
  });

  it('reports a TypeScript compile error as BUILD_FAILED with the location', async () => {
    const dir = await folder('broken-ts', { 'index.ts': 'export const handler = async () => {' });
    await expect(nodejsRuntime.prepare(version(dir), cacheDir)).rejects.toMatchObject({
      code: 'BUILD_FAILED',
      message: expect.stringMatching(/index\.ts:1: /),
    });
  });
});

describe('built-in functions', () => {
  const builtIn = async (workload: string) => {
    const dir = path.join(builtInFunctionsDir, workload, 'node');
    const manifest = JSON.parse(await readFile(path.join(dir, 'function.json'), 'utf8'));
    return { ...version(dir, manifest.handler, manifest.memorySize), name: manifest.name as string, manifest };
  };

  it('hello-node sleeps, allocates resident memory and echoes', async () => {
    const fn = await builtIn('hello');
    expect(fn.manifest).toMatchObject({ name: 'hello-node', runtime: 'nodejs20.x', handler: 'index.handler' });
    const { api } = await run({ ...fn, memorySize: 256 });
    const started = performance.now();
    const outcome = api.invoke({ sleepMs: 100, allocateMB: 32, echo: { keep: ['me', 1] } });
    const result = await outcome;
    expect(result.at - started).toBeGreaterThanOrEqual(95);
    expect(result.body).toEqual({
      echo: { keep: ['me', 1] },
      sleptMs: 100,
      allocatedMB: 32,
      memoryLimitInMB: 256,
      cpus: os.availableParallelism(),
      requestId: outcome.id,
    });
    expect(await api.invoke({ sleepMs: -1 })).toMatchObject({ kind: 'error', errorType: 'RangeError' });
  });

  it('cpu-node returns the deterministic checksum of its fixed work', async () => {
    const fn = await builtIn('cpu');
    expect(fn.manifest).toMatchObject({ name: 'cpu-node', runtime: 'nodejs20.x' });
    const { api } = await run(fn);
    const result = (await api.invoke({ iterations: 200_000 })).body as { iterations: number; checksum: number };
    expect(result).toMatchObject({ iterations: 200_000, checksum: checksum(200_000) });
    expect(await api.invoke({ iterations: 1.5 })).toMatchObject({ kind: 'error', errorType: 'RangeError' });
  });

  it('checksum is FNV-1a over the bytes i & 0xff (checked against a BigInt reference)', () => {
    const reference = (n: number) => {
      let x = 2166136261n;
      for (let i = 0; i < n; i++) x = ((x ^ BigInt(i & 0xff)) * 16777619n) % 2n ** 32n;
      return Number(x);
    };
    expect(checksum(0)).toBe(2166136261);
    // FNV-1a of the single byte 0x00, the published test vector.
    expect(checksum(1)).toBe(0x050c5d1f);
    for (const n of [2, 255, 256, 1000, 4097]) expect(checksum(n)).toBe(reference(n));
  });
});
