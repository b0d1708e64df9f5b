import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runtimeClientPath } from './adapter.js';
import { FakeRuntimeApi, type RuntimeProcess, spawnRuntime } from './test-helpers/fake-runtime-api.js';

let workDir: string;
let clientPath: string;
let api: FakeRuntimeApi;
let runtime: RuntimeProcess | undefined;
/** What the context fixture returns. */
type Observed = {
  e: unknown;
  first: number;
  second: number;
  trace: string | null;
  waits: boolean;
  fields: Record<string, unknown>;
};

/** Writes a function folder and starts the runtime client on it against a fresh fake Runtime API. */
async function start(files: Record<string, string>, handler = 'index.handler', env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(workDir, 'fn-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  api = await FakeRuntimeApi.start();
  runtime = spawnRuntime(process.execPath, [clientPath], api, dir, handler, env);
  return { api, runtime };
}

/** Runs until the client reports an init error and exits. */
async function initFailure(files: Record<string, string>, handler = 'index.handler') {
  const { api, runtime } = await start(files, handler);
  const code = await runtime.exited;
  expect(api.initErrors).toHaveLength(1);
  const [report] = api.initErrors as [{ errorType: string; body: Record<string, unknown> }];
  return { code, ...report, output: runtime.output() };
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-node-client-'));
  clientPath = await runtimeClientPath(path.join(workDir, 'cache'));
});

afterEach(async () => {
  runtime?.kill();
  await runtime?.exited;
  runtime = undefined;
  await api?.close();
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('handler loading', () => {
  it('loads ESM (.mjs), CommonJS (.js, .cjs), type:module .js and nested exports', async () => {
    const cases: Array<[Record<string, string>, string, unknown]> = [
      [{ 'index.mjs': 'export const handler = async (e) => ({ esm: e.n });' }, 'index.handler', { esm: 1 }],
      [{ 'index.js': 'exports.handler = async (e) => ({ cjs: e.n });' }, 'index.handler', { cjs: 1 }],
      [{ 'app.cjs': 'module.exports.run = async () => "cjs-ext";' }, 'app.run', 'cjs-ext'],
      [
        {
          'package.json': '{"type":"module"}',
          'src/app.js': 'export const api = { v1: { get: async () => "deep" } };',
        },
        'src/app.api.v1.get',
        'deep',
      ],
    ];
    for (const [files, handler, expected] of cases) {
      const { api, runtime } = await start(files, handler);
      expect((await api.invoke({ n: 1 })).body).toEqual(expected);
      runtime.kill();
      await runtime.exited;
      await api.close();
    }
  });

  it.each([
    ['a missing module', {}, 'missing.handler', 'Runtime.ImportModuleError', /Cannot find module 'missing'/],
    [
      'a missing CommonJS dependency',
      { 'index.js': 'require("nope-pkg");' },
      'index.handler',
      'Runtime.ImportModuleError',
      /nope-pkg/,
    ],
    [
      'a missing export',
      { 'index.mjs': 'export const other = 1;' },
      'index.handler',
      'Runtime.HandlerNotFound',
      /index\.handler is undefined or not exported/,
    ],
    [
      'an export that is not a function',
      { 'index.mjs': 'export const handler = 42;' },
      'index.handler',
      'Runtime.HandlerNotFound',
      /is not a function/,
    ],
    [
      'a syntax error',
      { 'index.mjs': 'export const handler = async () => {;' },
      'index.handler',
      'Runtime.UserCodeSyntaxError',
      /^SyntaxError: /,
    ],
    ['a handler without a dot', { 'index.mjs': '' }, 'index', 'Runtime.MalformedHandlerName', /^Bad handler$/],
    [
      'a handler with ..',
      { 'index.mjs': '' },
      '../index.handler',
      'Runtime.MalformedHandlerName',
      /is not a valid handler name/,
    ],
    // AWS passes other errors through with their own type, including ESM's ERR_MODULE_NOT_FOUND.
    [
      'a module that throws',
      { 'index.js': 'throw new RangeError("at load");' },
      'index.handler',
      'RangeError',
      /^at load$/,
    ],
    ['a missing ESM import', { 'index.mjs': 'import "./gone.mjs";' }, 'index.handler', 'Error', /Cannot find module/],
  ])('reports %s as %s, then exits 129', async (_name, files, handler, errorType, message) => {
    const failure = await initFailure(files as Record<string, string>, handler);
    expect(failure.code).toBe(129);
    expect(failure.errorType).toBe(errorType);
    expect(failure.body.errorType).toBe(errorType);
    expect(failure.body.errorMessage).toMatch(message);
    expect(Array.isArray(failure.body.trace)).toBe(true);
    expect(failure.output).toMatch(/\tundefined\tERROR\tUncaught Exception \t\{"errorType":/);
  });
});

describe('invocations', () => {
  it('builds the context from the headers and the environment, and serves many invocations warm', async () => {
    const source = `export const handler = async (e, ctx) => {
      const first = ctx.getRemainingTimeInMillis();
      await new Promise((r) => setTimeout(r, 30));
      return { e, first, second: ctx.getRemainingTimeInMillis(), trace: process.env._X_AMZN_TRACE_ID ?? null,
        fields: { ...ctx, getRemainingTimeInMillis: undefined, succeed: undefined, fail: undefined, done: undefined },
        waits: ctx.callbackWaitsForEmptyEventLoop };
    };`;
    const { api } = await start({ 'index.mjs': source });
    const deadline = Date.now() + 5_000;
    const first = api.invoke(
      { a: 1 },
      {
        'Lambda-Runtime-Deadline-Ms': String(deadline),
        'Lambda-Runtime-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
        'Lambda-Runtime-Client-Context': '{"custom":{"k":"v"},"env":{"platform":"test"}}',
        'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
      },
    );
    const out = (await first).body as Observed;
    expect(out.e).toEqual({ a: 1 });
    expect(out.first).toBeGreaterThan(0);
    expect(out.first).toBeLessThanOrEqual(5_000);
    // At least the 30 ms the handler slept passed between the two readings.
    expect(out.first - out.second).toBeGreaterThanOrEqual(25);
    expect(out.trace).toBe('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1');
    expect(out.waits).toBe(true);
    expect(out.fields).toEqual({
      callbackWaitsForEmptyEventLoop: true,
      functionVersion: '$LATEST',
      functionName: 'fixture',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/fixture',
      logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
      clientContext: { custom: { k: 'v' }, env: { platform: 'test' } },
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fixture',
      awsRequestId: first.id,
    });
    // Without the headers, the values are gone rather than left over from the previous invocation.
    const second = (await api.invoke({ b: 2 })).body as Observed;
    expect(second.trace).toBeNull();
    expect(second.fields.clientContext).toBeUndefined();
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => api.invoke({ i })));
    expect(many.map((o) => (o.body as { e: { i: number } }).e.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('answers undefined as null, and a plain function that never calls back as null once the loop drains', async () => {
    const { api } = await start({
      'index.js': 'exports.handler = async () => undefined; exports.sync = (e, ctx) => "ignored";',
    });
    expect((await api.invoke({})).body).toBeNull();
    runtime?.kill();
    await runtime?.exited;
    await api.close();
    const again = await start({ 'index.js': 'exports.sync = (e, ctx) => "ignored";' }, 'index.sync');
    expect(await again.api.invoke({})).toMatchObject({ kind: 'response', body: null });
  });

  it('waits for the event loop to drain after callback() unless callbackWaitsForEmptyEventLoop is false', async () => {
    const source = `exports.handler = (e, ctx, cb) => {
      ctx.callbackWaitsForEmptyEventLoop = e.wait;
      setTimeout(() => {}, e.timerMs);
      cb(null, { wait: e.wait });
    };`;
    const { api } = await start({ 'index.js': source });
    let started = performance.now();
    const waited = await api.invoke({ wait: true, timerMs: 300 });
    expect(waited.body).toEqual({ wait: true });
    // The pending 300 ms timer holds the answer back (timers never fire early).
    expect(waited.at - started).toBeGreaterThanOrEqual(290);
    started = performance.now();
    const immediate = await api.invoke({ wait: false, timerMs: 3_000 });
    expect(immediate.body).toEqual({ wait: false });
    expect(immediate.at - started).toBeLessThan(2_500);
  });

  it('reports errors in the shape of AWS’s Node.js runtime', async () => {
    const source = `exports.throws = async () => { throw new TypeError("bad input"); };
      exports.string = (e, ctx, cb) => cb("plain");
      exports.fail = (e, ctx) => ctx.fail();
      exports.twice = (e, ctx, cb) => { ctx.succeed("first"); cb(new Error("ignored")); };
      exports.circular = async () => { const o = {}; o.o = o; return o; };`;
    const results: Record<string, Awaited<ReturnType<FakeRuntimeApi['invoke']>>> = {};
    for (const name of ['throws', 'string', 'fail', 'twice', 'circular']) {
      const { api, runtime } = await start({ 'index.js': source }, `index.${name}`);
      results[name] = await api.invoke({});
      // stdout is a pipe apart from the Runtime API socket: its last lines may land after the response.
      if (name === 'throws')
        await vi.waitFor(() => expect(runtime.output()).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"TypeError"/));
      runtime.kill();
      await runtime.exited;
      await api.close();
    }
    expect(results.throws).toMatchObject({ kind: 'error', errorType: 'TypeError' });
    const body = results.throws?.body as { errorMessage: string; trace: string[] };
    expect(body.errorMessage).toBe('bad input');
    expect(body.trace[0]).toBe('TypeError: bad input');
    expect(body.trace[1]).toMatch(/^ {4}at /);
    expect(results.string).toMatchObject({
      errorType: 'string',
      body: { errorType: 'string', errorMessage: 'plain', trace: [] },
    });
    expect(results.fail).toMatchObject({ errorType: 'string', body: { errorMessage: 'handled' } });
    expect(results.twice).toMatchObject({ kind: 'response', body: 'first' });
    expect(results.circular).toMatchObject({
      kind: 'error',
      body: { errorMessage: 'Unable to stringify response body' },
    });
  });

  it.each([
    [
      'an uncaught exception',
      'setTimeout(() => { throw new RangeError("later"); }, 5); await new Promise(() => setTimeout(() => {}, 5000));',
      'RangeError',
      129,
    ],
    [
      'an unhandled rejection',
      'Promise.reject(new Error("floating")); await new Promise((r) => setTimeout(r, 5000));',
      'Runtime.UnhandledPromiseRejection',
      128,
    ],
  ])('reports %s as the invocation error, then exits', async (_name, body, errorType, exitCode) => {
    const { api, runtime } = await start({ 'index.mjs': `export const handler = async () => { ${body} };` });
    const outcome = await api.invoke({});
    expect(outcome).toMatchObject({ kind: 'error', errorType });
    expect(await runtime.exited).toBe(exitCode);
  });

  it('fails an async handler whose promise can never settle with Runtime.NodeJsExit', async () => {
    const { api, runtime } = await start({ 'index.mjs': 'export const handler = async () => new Promise(() => {});' });
    expect(await api.invoke({})).toMatchObject({ kind: 'error', errorType: 'Runtime.NodeJsExit' });
    // The environment stays usable, as on AWS.
    expect(runtime.child.exitCode).toBeNull();
  });
});

describe('console', () => {
  it('prints <ISO time>\\t<request id>\\t<LEVEL>\\t<message> lines, one record per call', async () => {
    const source = `export const handler = async () => {
      console.log("hello %s", "world", { n: 1 }); console.info("multi\\nline"); console.warn("w"); console.error("e");
      console.debug("d"); console.trace("t"); return 1; };
      console.log("at init");`;
    const { api, runtime } = await start({ 'index.mjs': source });
    const outcome = api.invoke({});
    await outcome;
    const id = outcome.id;
    // stdout is a pipe apart from the Runtime API socket: its last lines may land after the response.
    await vi.waitFor(() => expect(runtime.output()).toContain(`\t${id}\tTRACE\tt`));
    const lines = runtime.output().split('\n');
    const time = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${time}\\tundefined\\tINFO\\tat init$`)));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${time}\\t${id}\\tINFO\\thello world \\{ n: 1 \\}$`)),
    );
    for (const [level, text] of [
      ['INFO', 'multi\rline'],
      ['WARN', 'w'],
      ['ERROR', 'e'],
      ['DEBUG', 'd'],
      ['TRACE', 't'],
    ]) {
      expect(lines).toContain(lines.find((line) => line.endsWith(`\t${id}\t${level}\t${text}`)));
    }
  });

  it('writes JSON records and filters by level when AWS_LAMBDA_LOG_FORMAT=JSON', async () => {
    const source =
      'export const handler = async () => { console.debug("hidden"); console.warn("shown", 2); return 1; };';
    const { api, runtime } = await start({ 'index.mjs': source }, 'index.handler', {
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_LEVEL: 'INFO',
    });
    const outcome = api.invoke({});
    await outcome;
    await vi.waitFor(() => expect(runtime.output()).toContain('shown'));
    const records = runtime
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toEqual([
      { timestamp: expect.any(String), level: 'WARN', requestId: outcome.id, message: 'shown 2' },
    ]);
  });
});

describe('nodejs24.x (promise-only, as AWS’s runtime client v4)', () => {
  const node24 = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };

  it('refuses callback-style handlers at init with Runtime.CallbackHandlerDeprecated', async () => {
    const { api, runtime } = await start(
      { 'index.js': 'exports.handler = (e, ctx, cb) => cb(null, 1);' },
      'index.handler',
      node24,
    );
    expect(await runtime.exited).toBe(129);
    expect(api.initErrors[0]).toMatchObject({
      errorType: 'Runtime.CallbackHandlerDeprecated',
      body: { errorMessage: expect.stringContaining('removed support for callback-based function handlers') },
    });
  });

  it('answers with the awaited return value and has no legacy context methods', async () => {
    const source = `exports.sync = (e, ctx) => ({ legacy: ['succeed', 'fail', 'done', 'callbackWaitsForEmptyEventLoop'].filter((k) => k in ctx), id: ctx.awsRequestId });
      exports.fails = async () => { throw new SyntaxError('nope'); };`;
    const { api } = await start({ 'index.js': source }, 'index.sync', node24);
    const outcome = api.invoke({});
    expect((await outcome).body).toEqual({ legacy: [], id: outcome.id });
    runtime?.kill();
    await runtime?.exited;
    await api.close();
    const failing = await start({ 'index.js': source }, 'index.fails', node24);
    expect(await failing.api.invoke({})).toMatchObject({ kind: 'error', errorType: 'SyntaxError' });
  });
});

describe('when the engine goes away', () => {
  it('exits (1) once its stdout is a broken pipe, instead of reporting each EPIPE by writing again', async () => {
    const { api, runtime } = await start({
      'index.js': 'exports.handler = () => new Promise(() => setInterval(() => console.log("still here"), 5));',
    });
    const outcome = api.invoke({});
    await vi.waitFor(() => expect(runtime.output()).toContain('still here'));
    runtime.child.stdout?.destroy();
    runtime.child.stderr?.destroy();
    const code = await Promise.race([runtime.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
    expect(code).toBe(1);
    void outcome;
  });
});
