import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';

let engine: Engine;
let workDir: string;

async function fn(name: string, files: Record<string, string>, handler = 'index.handler', extra: object = {}) {
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  await writeFile(path.join(dir, 'function.json'), JSON.stringify({ name, runtime: 'nodejs20.x', handler, ...extra }));
  await engine.functions.registerFolder(dir);
}

const invoke = async (name: string, payload: unknown = {}) => {
  const result = await engine.invoke({ functionName: name, payload: JSON.stringify(payload) });
  return { ...result, body: JSON.parse(result.payload.toString('utf8')) };
};

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-node-rt-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), isolation: 'none' });
  await fn(
    'esm',
    {
      'index.mjs':
        'export const handler = async (e, ctx) => ({ e, name: ctx.functionName, mem: ctx.memoryLimitInMB, arn: ctx.invokedFunctionArn, left: ctx.getRemainingTimeInMillis(), id: ctx.awsRequestId });',
    },
    'index.handler',
    { timeout: 10 },
  );
  await fn('cjs', {
    'index.js': 'exports.handler = async () => "cjs"; exports.nested = { deep: async () => "deep" };',
  });
  await fn('nested', { 'lib/app.js': 'exports.nested = { deep: async () => "deep" };' }, 'lib/app.nested.deep');
  await fn('callback', {
    'index.js': 'exports.handler = (e, ctx, cb) => setTimeout(() => cb(null, { viaCallback: true }), 5);',
  });
  await fn('callback-error', { 'index.js': 'exports.handler = (e, ctx, cb) => cb(new RangeError("nope"));' });
  await fn('throws-string', { 'index.mjs': 'export const handler = async () => { throw "plain"; };' });
  await fn('logs', {
    'index.mjs':
      'export const handler = async () => { console.log("hello %s", "world"); console.error("bad"); return 1; };',
  });
  await fn('missing-export', { 'index.mjs': 'export const other = 1;' });
  await fn('syntax', { 'index.mjs': 'export const handler = async () => {;' });
  await fn('no-module', {}, 'missing.handler');
  await fn('rejection', {
    'index.mjs':
      'export const handler = async () => { Promise.reject(new Error("floating")); await new Promise((r) => setTimeout(r, 50)); return "late"; };',
  });
  await fn('typescript', {
    'index.ts':
      'type Out = { n: number }; export const handler = async (e: { n: number }): Promise<Out> => ({ n: e.n * 2 });',
  });
});

afterAll(async () => {
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('Node.js runtime through the engine', () => {
  it('runs ESM handlers with the full context', async () => {
    const { body } = await invoke('esm', { a: 1 });
    expect(body).toMatchObject({ e: { a: 1 }, name: 'esm', mem: '128' });
    expect(body.arn).toBe('arn:aws:lambda:us-east-1:000000000000:function:esm');
    expect(body.left).toBeGreaterThan(8000);
    expect(body.left).toBeLessThanOrEqual(10_000);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs CommonJS, nested exports, callbacks and TypeScript (esbuild)', async () => {
    expect((await invoke('cjs')).body).toBe('cjs');
    expect((await invoke('nested')).body).toBe('deep');
    expect((await invoke('callback')).body).toEqual({ viaCallback: true });
    expect((await invoke('typescript', { n: 21 })).body).toEqual({ n: 42 });
  });

  it('reports errors in AWS shape', async () => {
    const cb = await invoke('callback-error');
    expect(cb.errorType).toBe('RangeError');
    expect(cb.body).toMatchObject({ errorType: 'RangeError', errorMessage: 'nope' });
    // AWS's Node.js runtime names the stack `trace` (first line included); Python's is `stackTrace`.
    expect(cb.body.trace[0]).toBe('RangeError: nope');
    expect((await invoke('throws-string')).body).toMatchObject({ errorType: 'string', errorMessage: 'plain' });
  });

  it('prints console lines as <time>\\t<request id>\\t<LEVEL>\\t<message>', async () => {
    const result = await invoke('logs');
    expect(result.logs).toMatch(
      new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${result.requestId}\\tINFO\\thello world\\n`),
    );
    expect(result.logs).toContain(`${result.requestId}\tERROR\tbad`);
  });

  it.each([
    ['missing-export', 'Runtime.HandlerNotFound'],
    ['syntax', 'Runtime.UserCodeSyntaxError'],
    ['no-module', 'Runtime.ImportModuleError'],
  ])('reports init failure of %s as %s', async (name, errorType) => {
    const result = await invoke(name);
    expect(result.errorType).toBe(errorType);
    expect(result.report.initDurationMs).not.toBeNull();
  });

  it('turns an unhandled rejection into the invocation error', async () => {
    const result = await invoke('rejection');
    expect(result.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect((await invoke('cjs')).body).toBe('cjs');
  });
});
