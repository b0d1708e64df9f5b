import { expect } from 'vitest';
import { patientSeconds } from '../../src/engine/test-helpers/slowdown.js';
import type { RawAnswer } from './helpers.js';
import { type MatrixContext, matrixCase, payloadOf, runMatrix } from './matrix.js';

/** The fault matrix, Node and Python runtimes misbehaving: AWS's answer, still serving, nothing left (matrix.ts). */
const TIMEOUT_S = patientSeconds(1);

/** Invokes with LogType Tail: the answer and its decoded log (the last 4 KB, as AWS's Tail). */
async function tailed(ctx: MatrixContext, name: string, payload: unknown) {
  const answer = await ctx.invoke(name, JSON.stringify(payload), { 'x-amz-log-type': 'Tail' });
  const log = Buffer.from(String(answer.headers['x-amz-log-result'] ?? ''), 'base64').toString('utf8');
  return { answer, log };
}

const failedWith = (answer: RawAnswer, type: string | RegExp) => {
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
  expect(payloadOf(answer).errorType).toMatch(type);
};
const fine = (answer: RawAnswer) => {
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers['x-amz-function-error'], answer.body).toBeUndefined();
};

/** A fault, then an unrelated invocation of the same function: it must succeed (a fresh or a healthy environment). */
const faultThenNext = (name: string, fault: unknown) => async (ctx: MatrixContext) => ({
  fault: await tailed(ctx, name, fault),
  next: await tailed(ctx, name, {}),
});

runMatrix(
  'fault matrix: Node and Python runtimes',
  [
    matrixCase({
      surface: 'node',
      name: 'a throw is Unhandled with its type; the next invocation is warm and fine',
      act: faultThenNext('faulty-node', { throw: true }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, /^TypeError$/);
        expect(payloadOf(fault.answer).errorMessage).toBe('bad input');
        fine(next.answer);
        expect(next.log).toMatch(/^START RequestId/);
        expect(next.log).not.toContain('Init Duration'); // warm: the environment survived the throw
      },
    }),
    matrixCase({
      surface: 'node',
      name: 'process.exit is Runtime.ExitError; the next invocation is fine',
      act: faultThenNext('faulty-node', { exit: 3 }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, 'Runtime.ExitError');
        expect(payloadOf(fault.answer).errorMessage).toMatch(/exit status 3/);
        fine(next.answer);
      },
    }),
    matrixCase({
      surface: 'node',
      name: 'an unhandled rejection fails that invocation only; the next succeeds',
      act: faultThenNext('faulty-node', { reject: true }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, 'Runtime.UnhandledPromiseRejection');
        fine(next.answer);
      },
    }),
    matrixCase({
      surface: 'node',
      name: 'allocating past MemorySize is Runtime.OutOfMemory; the next invocation is fine',
      skip: (ctx) =>
        ctx.served.engine.isolation === 'none'
          ? 'isolation "none" enforces no memory limit (a cgroup driver does)'
          : null,
      act: faultThenNext('faulty-node', { allocateMB: 400 }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, 'Runtime.OutOfMemory');
        fine(next.answer);
      },
    }),
    matrixCase({
      surface: 'node',
      name: 'a timeout is Sandbox.Timedout with AWS message; the runtime is killed',
      act: faultThenNext('slow-node', { sleepMs: TIMEOUT_S * 5000 }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, 'Sandbox.Timedout');
        expect(payloadOf(fault.answer).errorMessage).toMatch(
          new RegExp(`Task timed out after ${TIMEOUT_S}\\.00 seconds$`),
        );
        fine(next.answer);
        expect(next.log).toContain('Init Duration'); // a new environment: the timed-out one was destroyed
      },
    }),
    matrixCase({
      surface: 'node',
      name: 'an init that cannot load a module is Runtime.ImportModuleError',
      act: (ctx) => ctx.invoke('init-fails-node', '{}'),
      expect: (answer) => {
        failedWith(answer, 'Runtime.ImportModuleError');
        expect(payloadOf(answer).errorMessage).toMatch(/Cannot find module '\.\/does-not-exist'/);
      },
    }),
    matrixCase({
      surface: 'node',
      name: '100 MB printed in one invocation: answered, and Tail stays within 4 KB',
      act: (ctx) => tailed(ctx, 'faulty-node', { printMB: 100 }),
      expect: ({ answer, log }) => {
        fine(answer);
        expect(payloadOf(answer)).toEqual({ printedMB: 100 });
        expect(Buffer.byteLength(log)).toBeLessThanOrEqual(4096);
        expect(log).toMatch(/REPORT RequestId: /);
      },
    }),
    matrixCase({
      surface: 'python',
      name: 'a raise is Unhandled with its errorType; the next invocation is fine',
      act: faultThenNext('faulty-python', { raise: true }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, /^ValueError$/);
        expect(payloadOf(fault.answer).errorMessage).toBe('bad input');
        fine(next.answer);
      },
    }),
    matrixCase({
      surface: 'python',
      name: 'sys.exit is Runtime.ExitError; the next invocation is fine',
      act: faultThenNext('faulty-python', { exit: 2 }),
      expect: ({ fault, next }) => {
        failedWith(fault.answer, 'Runtime.ExitError');
        expect(payloadOf(fault.answer).errorMessage).toMatch(/exit status 2/);
        fine(next.answer);
      },
    }),
  ],
  async (ctx) => {
    const node = (name: string, files: Record<string, string>, timeout = 10) =>
      ctx.register(
        name,
        { name, runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 128, timeout: patientSeconds(timeout) },
        files,
      );
    await node('faulty-node', {
      'index.mjs': `let kept;
export const handler = async (e) => {
  if (e.throw) throw new TypeError('bad input');
  if (e.exit) process.exit(e.exit);
  if (e.reject) { Promise.reject(new Error('nobody waits for me')); await new Promise((r) => setTimeout(r, 50)); }
  if (e.allocateMB) kept = Buffer.alloc(e.allocateMB * 2 ** 20, 1);
  if (e.printMB) {
    const mb = 'x'.repeat(2 ** 20 - 1) + '\\n';
    for (let i = 0; i < e.printMB; i++) process.stdout.write(mb);
    return { printedMB: e.printMB };
  }
  return { ok: true };
};`,
    });
    await node(
      'slow-node',
      { 'index.mjs': 'export const handler = (e) => new Promise((r) => setTimeout(() => r("done"), e.sleepMs ?? 0));' },
      TIMEOUT_S,
    );
    await node('init-fails-node', { 'index.js': 'require("./does-not-exist");\nexports.handler = async () => 1;' });
    await ctx.register(
      'faulty-python',
      { name: 'faulty-python', runtime: 'python3.11', handler: 'handler.handler', timeout: patientSeconds(10) },
      {
        'handler.py': `import sys


def handler(event, context):
    if event.get("raise"):
        raise ValueError("bad input")
    if event.get("exit"):
        sys.exit(event["exit"])
    return {"ok": True}
`,
      },
    );
  },
);
