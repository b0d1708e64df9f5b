import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInFunctionsDir } from '../paths.js';
import { Engine } from './engine.js';
import { patientSeconds } from './test-helpers/slowdown.js';

/** The slow fixture's timeout: 1 s on a normal host, longer where everything runs slower (emulated VM). */
const SLOW_TIMEOUT = patientSeconds(1);

let engine: Engine;
/** The same engine without isolation, for what the none driver must get right by other means. */
let noneEngine: Engine;
let workDir: string;

async function fixture(name: string, source: string, extra: Record<string, unknown> = {}): Promise<void> {
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.mjs'), source);
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name, runtime: 'nodejs20.x', handler: 'index.handler', ...extra }),
  );
  await engine.functions.registerFolder(dir);
}

/** Polls a condition (up to 5 s): environments are destroyed asynchronously. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** True while `pid` runs; a zombie (dead, waiting for its reaper) counts as gone. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const json = (payload: Buffer) => JSON.parse(payload.toString('utf8'));

function descendants(): number[] {
  // Zombies (already dead, not yet reaped by Node) do not count as left behind.
  const out = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(process.pid)], { encoding: 'utf8' }).trim();
  return out
    ? out
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter(([, stat]) => !stat?.startsWith('Z'))
        .map(([pid]) => Number(pid))
    : [];
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-engine-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), idleTimeoutMs: 60_000 });
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'cpu', 'node'));
  // Timeouts that only bound patience are scaled: a cold start alone takes seconds in the emulated VM.
  await fixture('throws', 'export const handler = async () => { throw new TypeError("bad input"); };', {
    timeout: patientSeconds(3),
  });
  // hello-node's allocation, with a patient timeout: filling 128 MB at 0.07 vCPU under emulation can outlast 30 s.
  await fixture(
    'allocates',
    'const keep = []; export const handler = async (e) => { for (let i = 0; i < e.allocateMB; i++) keep.push(Buffer.alloc(2 ** 20, 1)); return keep.length; };',
    { timeout: patientSeconds(30) },
  );
  await fixture(
    'exits',
    'let keep; export const handler = async (e) => { if (e.allocateMB) keep = Buffer.alloc(e.allocateMB * 2 ** 20, 1); if (e.exit) { await new Promise((r) => setTimeout(r, 200)); process.exit(3); } return keep ? "kept" : "alive"; };',
    { timeout: patientSeconds(3) },
  );
  await fixture('slow', 'export const handler = async (e) => new Promise((r) => setTimeout(() => r("done"), e.ms));', {
    timeout: SLOW_TIMEOUT,
  });
  await fixture('broken-init', 'export const handler = async () => 1;');
  await writeFile(
    path.join(workDir, 'broken-init', 'index.js'),
    'require("./does-not-exist"); exports.handler = async () => 1;',
  );
  await rm(path.join(workDir, 'broken-init', 'index.mjs'));
  noneEngine = await Engine.create({ isolation: 'none', cacheDir: path.join(workDir, 'cache') });
  for (const name of ['exits', 'broken-init']) await noneEngine.functions.registerFolder(path.join(workDir, name));
});

afterAll(async () => {
  await engine?.close();
  await noneEngine?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('engine', () => {
  it('starts cold, then reuses the warm environment', async () => {
    const first = await engine.invoke({ functionName: 'hello-node', payload: '{"echo":{"a":1}}', memoryMB: 512 });
    expect(first.functionError).toBeNull();
    expect(json(first.payload).echo).toEqual({ a: 1 });
    expect(first.cold).toBe(true);
    expect(first.report.initDurationMs).toBeGreaterThan(0);
    expect(first.report.billedDurationMs).toBe(Math.ceil(first.report.durationMs + (first.report.initDurationMs ?? 0)));
    expect(first.logs).toMatch(/START RequestId: \S+ Version: \$LATEST\n/);
    expect(first.logs).toMatch(/REPORT RequestId: .*\tInit Duration: [\d.]+ ms\t\n$/);
    const second = await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 512 });
    expect(second.cold).toBe(false);
    expect(second.report.initDurationMs).toBeNull();
    expect(second.logs).not.toContain('Init Duration');
    const forced = await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 512, forceCold: true });
    expect(forced.cold).toBe(true);
  });

  it('retires idle environments of one function: the next invocation starts cold', async () => {
    await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 256 });
    expect((await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 256 })).cold).toBe(false);
    const before = engine.stats().environments;
    const retired = await engine.retireIdle('hello-node');
    expect(retired).toBeGreaterThanOrEqual(1);
    expect(engine.stats().environments).toBe(before - retired);
    expect((await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 256 })).cold).toBe(true);
  });

  it('destroys a busy environment of a retired function when its invocation ends instead of pooling it', async () => {
    const before = engine.stats().environments;
    const running = engine.invoke({ functionName: 'hello-node', payload: '{"sleepMs":300}', memoryMB: 384 });
    await until(() => engine.stats().environments > before);
    await engine.retireIdle('hello-node');
    expect((await running).functionError).toBeNull();
    await until(() => engine.stats().environments === before);
    expect(engine.stats().environments).toBe(before);
    expect((await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 384 })).cold).toBe(true);
  });

  it('reports the real peak memory, far below the limit for a small payload', async () => {
    const result = await engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 512 });
    expect(result.report.memorySizeMB).toBe(512);
    expect(result.report.maxMemoryUsedMB).toBeGreaterThan(5);
    expect(result.report.maxMemoryUsedMB).toBeLessThan(256);
  });

  it('kills an environment that exceeds its memory with Runtime.OutOfMemory', async () => {
    if (engine.isolation === 'none') return;
    const result = await engine.invoke({ functionName: 'allocates', payload: '{"allocateMB":400}', memoryMB: 128 });
    expect(result.functionError).toBe('Unhandled');
    expect(result.errorType).toBe('Runtime.OutOfMemory');
    const after = await engine.invoke({ functionName: 'allocates', payload: '{"allocateMB":1}', memoryMB: 128 });
    expect(after.functionError).toBeNull();
  });

  it('returns a thrown error in AWS shape and keeps the environment', async () => {
    const result = await engine.invoke({ functionName: 'throws', payload: '{}' });
    expect(result.functionError).toBe('Unhandled');
    expect(result.errorType).toBe('TypeError');
    expect(json(result.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    const again = await engine.invoke({ functionName: 'throws', payload: '{}' });
    expect(again.cold).toBe(false);
  });

  it('times out, kills the environment, and serves the next invocation', async () => {
    const result = await engine.invoke({ functionName: 'slow', payload: JSON.stringify({ ms: SLOW_TIMEOUT * 5000 }) });
    expect(result.errorType).toBe('Sandbox.Timedout');
    const message = `Task timed out after ${SLOW_TIMEOUT}.00 seconds`;
    expect(json(result.payload).errorMessage).toContain(message);
    expect(result.logs).toContain(message);
    const next = await engine.invoke({ functionName: 'slow', payload: '{"ms":1}' });
    expect(next.cold).toBe(true);
    expect(json(next.payload)).toBe('done');
  });

  it('reports a process that exits mid-invocation as Runtime.ExitError', async () => {
    const result = await engine.invoke({ functionName: 'exits', payload: '{"exit":true}' });
    expect(result.errorType).toBe('Runtime.ExitError');
    expect(json(result.payload).errorMessage).toMatch(/exit status 3/);
    expect(json((await engine.invoke({ functionName: 'exits', payload: '{}' })).payload)).toBe('alive');
  });

  it('reports the real peak after a crash and after a failed init, read before the sandbox is gone', async () => {
    for (const target of [engine, noneEngine]) {
      await target.invoke({ functionName: 'exits', payload: '{}', memoryMB: 512, forceCold: true });
      const crashed = await target.invoke({
        functionName: 'exits',
        payload: '{"allocateMB":150,"exit":true}',
        memoryMB: 512,
      });
      expect(crashed.errorType).toBe('Runtime.ExitError');
      expect(crashed.report.maxMemoryUsedMB, target.isolation).toBeGreaterThan(150);
      const init = await target.invoke({ functionName: 'broken-init', payload: '{}' });
      expect(init.errorType).toMatch(/^Runtime\./);
      // A Node.js runtime that loaded and failed uses tens of MB, never 1.
      expect(init.report.maxMemoryUsedMB, target.isolation).toBeGreaterThan(10);
    }
  });

  it('reports init failures with the runtime error type', async () => {
    const result = await engine.invoke({ functionName: 'broken-init', payload: '{}' });
    expect(result.functionError).toBe('Unhandled');
    expect(result.errorType).toMatch(/^Runtime\./);
    expect(result.report.initDurationMs).not.toBeNull();
  });

  it('rejects bad requests with AWS error types before running anything', async () => {
    await expect(engine.invoke({ functionName: 'nope', payload: '{}' })).rejects.toMatchObject({
      awsType: 'ResourceNotFoundException',
      statusCode: 404,
    });
    await expect(
      engine.invoke({ functionName: 'hello-node', payload: Buffer.alloc(7 * 1024 * 1024, 0x20) }),
    ).rejects.toMatchObject({ awsType: 'RequestEntityTooLargeException', statusCode: 413 });
    await expect(engine.invoke({ functionName: 'hello-node', payload: '{nope' })).rejects.toMatchObject({
      awsType: 'InvalidRequestContentException',
    });
    await expect(engine.invoke({ functionName: 'hello-node', payload: '{}', memoryMB: 64 })).rejects.toMatchObject({
      awsType: 'InvalidParameterValueException',
    });
  });

  it('throttles beyond reserved concurrency with 429 and a Reason', async () => {
    engine.functions.putReservedConcurrency('slow', 1);
    const running = engine.invoke({ functionName: 'slow', payload: '{"ms":300}' });
    await expect(engine.invoke({ functionName: 'slow', payload: '{"ms":1}' })).rejects.toMatchObject({
      awsType: 'TooManyRequestsException',
      statusCode: 429,
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    expect((await running).functionError).toBeNull();
    engine.functions.putReservedConcurrency('slow', null);
  });

  it('gives CPU in proportion to memory (memory / 1769 vCPU)', async () => {
    if (engine.isolation === 'none') return;
    const payload = JSON.stringify({ iterations: 40_000_000 });
    const run = async (memoryMB: number) => {
      await engine.invoke({ functionName: 'cpu-node', payload, memoryMB });
      return (await engine.invoke({ functionName: 'cpu-node', payload, memoryMB })).report.durationMs;
    };
    const full = await run(1769);
    const small = await run(256);
    // 1769/256 = 6.9× less CPU; a shared 2-core host adds noise in both directions.
    expect(small / full).toBeGreaterThan(3.5);
    expect(small / full).toBeLessThan(14);
  });
});

describe('init timeout', () => {
  let local: Engine;
  const define = async (name: string, source: string, timeout: number) => {
    const dir = path.join(workDir, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'index.mjs'), source);
    await writeFile(
      path.join(dir, 'function.json'),
      JSON.stringify({ name, runtime: 'nodejs20.x', handler: 'index.handler', timeout }),
    );
    await local.functions.registerFolder(dir);
  };

  beforeAll(async () => {
    // 300 ms stands in for AWS's 10 s INIT limit.
    local = await Engine.create({ cacheDir: path.join(workDir, 'cache'), initTimeoutMs: 300 });
    // The interval keeps the loop alive: a bare `await new Promise(() => {})` makes Node exit 13 (unsettled
    // top-level await), an init crash rather than a hang.
    await define(
      'hangs-init',
      'await new Promise(() => setInterval(() => {}, 1000)); export const handler = async () => "never";',
      1,
    );
    await define(
      'slow-init',
      'await new Promise((r) => setTimeout(r, 600)); export const handler = async () => "late but fine";',
      // Only patience: the retried init (a node start, ~3 s in the emulated VM, plus 600 ms) must fit in it.
      patientSeconds(3),
    );
  });

  afterAll(async () => {
    await local?.close();
  });

  it('times out an init that never settles: INIT limit, one retry within the function timeout, nothing held', async () => {
    const before = new Set(descendants());
    const started = performance.now();
    const result = await local.invoke({ functionName: 'hangs-init', payload: '{}' });
    const wall = performance.now() - started;
    expect(result.errorType).toBe('Sandbox.Timedout');
    expect(result.functionError).toBe('Unhandled');
    expect(json(result.payload).errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    expect(result.logs).toMatch(/INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: timeout\n/);
    expect(result.logs).toMatch(/START RequestId: [\s\S]*Task timed out after 1\.00 seconds[\s\S]*END RequestId: /);
    expect(result.logs).toMatch(/REPORT RequestId: .*Duration: 1\d{3}\.\d\d ms/);
    expect(result.report.initDurationMs).toBeNull();
    // 300 ms of INIT, then at most the 1 s timeout for the retry; generous for a shared host.
    expect(wall).toBeGreaterThan(1250);
    expect(wall).toBeLessThan(5000);
    // The environments, their processes and the concurrency slot are all given back.
    await until(() => local.stats().environments === 0);
    expect(local.stats()).toMatchObject({ environments: 0, active: 0 });
    expect(descendants().filter((pid) => !before.has(pid)).length).toBeLessThanOrEqual(1);
  });

  it('runs an init that needs more than the INIT limit again inside the invocation, billed as Duration', async () => {
    const result = await local.invoke({ functionName: 'slow-init', payload: '{}' });
    expect(result.functionError).toBeNull();
    expect(json(result.payload)).toBe('late but fine');
    expect(result.logs).toContain('Phase: init\tStatus: timeout');
    expect(result.report.initDurationMs).toBeNull();
    expect(result.report.durationMs).toBeGreaterThan(600);
    expect((await local.invoke({ functionName: 'slow-init', payload: '{}' })).cold).toBe(false);
  });
});

describe('engine cleanup', () => {
  it('kills the processes a function started, under the none driver too', async () => {
    const local = await Engine.create({ isolation: 'none', cacheDir: path.join(workDir, 'cache') });
    const dir = path.join(workDir, 'spawner');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'index.mjs'),
      'import { spawn } from "node:child_process"; export const handler = async () => spawn("sleep", ["77"], { stdio: "ignore" }).pid;',
    );
    await writeFile(
      path.join(dir, 'function.json'),
      JSON.stringify({ name: 'spawner', runtime: 'nodejs20.x', handler: 'index.handler' }),
    );
    await local.functions.registerFolder(dir);
    let sleeper = 0;
    try {
      sleeper = json((await local.invoke({ functionName: 'spawner', payload: '{}' })).payload);
      expect(running(sleeper)).toBe(true);
      await local.close();
      await until(() => !running(sleeper));
      expect(running(sleeper)).toBe(false);
    } finally {
      if (sleeper > 0 && running(sleeper)) process.kill(sleeper, 'SIGKILL');
      await local.close();
    }
  });

  it('leaves no runtime process behind after close', async () => {
    const local = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
    await local.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
    const before = new Set(descendants());
    await local.invoke({ functionName: 'hello-node', payload: '{}' });
    await local.close();
    const left = descendants().filter((pid) => !before.has(pid));
    // `ps` itself is a child while it runs; nothing else may remain.
    expect(left.length).toBeLessThanOrEqual(1);
  });
});
