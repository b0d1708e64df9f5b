import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { builtInFunctionsDir } from '../../paths.js';
import { pythonRuntime } from './adapter.js';
import { awsLambdaRicPython } from './test-helpers/awslambdaric.js';

const status = await pythonRuntime.detect();
let engine: Engine;
let workDir: string;

async function fn(name: string, source: string, handler = 'app.handler') {
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'app.py'), source);
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name, runtime: 'python3.11', handler, timeout: 10 }),
  );
  await engine.functions.registerFolder(dir);
}

const invoke = async (name: string, payload: unknown = {}) => {
  const result = await engine.invoke({ functionName: name, payload: JSON.stringify(payload) });
  return { ...result, body: JSON.parse(result.payload.toString('utf8')) };
};

describe.skipIf(!status.available)(`Python runtime (${status.missing ?? status.path})`, () => {
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-py-'));
    engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), isolation: 'none' });
    for (const dir of ['hello/python', 'cpu/python'])
      await engine.functions.registerFolder(path.join(builtInFunctionsDir, dir));
    await fn(
      'ctx',
      'import logging\nlogging.getLogger().setLevel(logging.INFO)\ndef handler(e, c):\n    logging.info("hi %s", "there")\n    print("plain")\n    return {"name": c.function_name, "left": c.get_remaining_time_in_millis(), "id": c.aws_request_id, "arn": c.invoked_function_arn}\n',
    );
    await fn('raises', 'def handler(e, c):\n    raise KeyError("missing")\n');
    await fn('import-error', 'import not_a_module\ndef handler(e, c):\n    return 1\n');
    await fn('no-handler', 'x = 1\n');
    await fn('syntax', 'def handler(e, c)\n    return 1\n');
    await fn('unserializable', 'def handler(e, c):\n    return {1, 2}\n');
  });

  afterAll(async () => {
    await engine?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('runs the real interpreter, never a shim', () => {
    expect(status.path).not.toContain('/shims/');
  });

  it('passes the context and logs in AWS format', async () => {
    const result = await invoke('ctx');
    expect(result.body).toMatchObject({ name: 'ctx', arn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx' });
    expect(result.body.left).toBeGreaterThan(8000);
    expect(result.logs).toMatch(
      new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${result.requestId}\\thi there\\n`),
    );
    expect(result.logs).toContain('plain\n');
  });

  it('reports exceptions and init failures with AWS error types', async () => {
    const raised = await invoke('raises');
    expect(raised.body).toMatchObject({ errorType: 'KeyError', errorMessage: "'missing'" });
    expect(raised.body.stackTrace.length).toBeGreaterThan(0);
    expect((await invoke('import-error')).errorType).toBe('Runtime.ImportModuleError');
    expect((await invoke('no-handler')).errorType).toBe('Runtime.HandlerNotFound');
    expect((await invoke('syntax')).errorType).toBe('Runtime.UserCodeSyntaxError');
    expect((await invoke('unserializable')).errorType).toBe('Runtime.MarshalError');
  });

  it('runs the built-in hello-python and cpu-python with the same checksum as cpu-node', async () => {
    expect((await invoke('hello-python', { echo: [1, 2] })).body).toMatchObject({ echo: [1, 2], memoryLimitInMB: 128 });
    const cpu = await invoke('cpu-python', { iterations: 1_000_000, workers: 2, mode: 'processes' });
    expect(cpu.body.checksums).toEqual([3533651717, 3533651717]);
  });
});

describe.skipIf(!status.available)("AWS's own Python runtime client (awslambdaric) against the engine", () => {
  let ricEngine: Engine;
  let ricDir: string;
  let installed = false;

  beforeAll(async () => {
    ricDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-ric-'));
    const ric = await awsLambdaRicPython(status.path ?? 'python3');
    installed = 'site' in ric;
    const site = 'site' in ric ? ric.site : '';
    ricEngine = await Engine.create({ cacheDir: path.join(ricDir, 'cache'), isolation: 'none' });
    const dir = path.join(ricDir, 'fn');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'app.py'),
      'def handler(e, c):\n    if e.get("fail"):\n        raise ValueError("asked to")\n    return {"got": e, "id": c.aws_request_id}\n',
    );
    await writeFile(
      path.join(dir, 'bootstrap'),
      `#!/bin/sh\nexport PYTHONPATH="${site}:$LAMBDA_TASK_ROOT"\nexec "${status.path}" -m awslambdaric app.handler\n`,
      { mode: 0o755 },
    );
    await writeFile(
      path.join(dir, 'function.json'),
      JSON.stringify({ name: 'ric', runtime: 'provided.al2023', timeout: 10 }),
    );
    await ricEngine.functions.registerFolder(dir);
  }, 300_000);

  afterAll(async () => {
    await ricEngine?.close();
    await rm(ricDir, { recursive: true, force: true });
  });

  it('serves invocations and errors through the Runtime API exactly as AWS does', async (ctx) => {
    if (!installed) ctx.skip();
    const ok = await ricEngine.invoke({ functionName: 'ric', payload: '{"a":1}' });
    expect(ok.errorType).toBeNull();
    expect(JSON.parse(ok.payload.toString())).toEqual({ got: { a: 1 }, id: ok.requestId });
    const warm = await ricEngine.invoke({ functionName: 'ric', payload: '{"fail":true}' });
    expect(warm.cold).toBe(false);
    expect(warm.errorType).toBe('ValueError');
    expect(JSON.parse(warm.payload.toString())).toMatchObject({ errorType: 'ValueError', errorMessage: 'asked to' });
  });
});
