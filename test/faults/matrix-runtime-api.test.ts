import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { RawAnswer } from './helpers.js';
import { bootstrap, matrixCase, payloadOf, providedManifest, runMatrix } from './matrix.js';

/**
 * The fault matrix, Runtime API and provided runtimes: provided.al2023 functions whose bootstrap is a small Node
 * script speaking the Runtime API as a custom runtime would (misbehaving on purpose). See matrix.ts.
 */
const RESPONSE_LIMIT = 6_291_556;

const unhandled = (type: RegExp | string) => (answer: RawAnswer) => {
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
  expect(payloadOf(answer).errorType).toMatch(type);
};

runMatrix(
  'fault matrix: Runtime API and provided runtimes',
  [
    matrixCase({
      surface: 'runtime API',
      name: 'a second /next mid-invocation returns the current event; the sandbox is not frozen',
      act: (ctx) => ctx.invoke('next-twice', '{"n":1}'),
      expect: (answer) => {
        expect(answer.headers['x-amz-function-error']).toBeUndefined();
        expect(payloadOf(answer)).toEqual({ same: true });
      },
    }),
    matrixCase({
      surface: 'runtime API',
      name: 'a response after a response is 403 InvalidStateTransition',
      act: async (ctx) => {
        const answer = await ctx.invoke('responds-twice', '{}');
        // The runtime notes what its second post got, after its answer went out (it may take a while on a busy host).
        const seenFile = path.join(ctx.fixtures, 'responds-twice', 'seen.json');
        for (let i = 0; i < 250 && !existsSync(seenFile); i++) await new Promise((r) => setTimeout(r, 20));
        return { answer, seen: existsSync(seenFile) ? JSON.parse(readFileSync(seenFile, 'utf8')) : 'nothing' };
      },
      expect: ({ answer, seen }) => {
        expect(JSON.parse(answer.body)).toBe('first');
        expect(seen).toEqual([403, 'InvalidStateTransition']);
      },
    }),
    matrixCase({
      surface: 'runtime API',
      name: '/init/error then /next: the invocation fails with the init error, the runtime is stopped',
      act: (ctx) => ctx.invoke('init-error-then-next', '{}'),
      expect: (answer) => {
        // The body is what the runtime posted (no errorType in it: that came as a header).
        expect(answer.status).toBe(200);
        expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
        expect(payloadOf(answer)).toEqual({ errorMessage: 'no config' });
      },
    }),
    matrixCase({
      surface: 'runtime API',
      name: 'garbage HTTP bytes get a 400, and the Runtime API goes on serving that environment',
      // The runtime sends garbage twice, then answers through the same Runtime API: the answer arriving shows it.
      act: (ctx) => ctx.invoke('garbage', '{}'),
      expect: (answer) => {
        expect(answer.headers['x-amz-function-error']).toBeUndefined();
        expect(payloadOf(answer)).toEqual({
          replies: [expect.stringMatching(/^HTTP\/1\.1 400/), expect.stringMatching(/^HTTP\/1\.1 400/)],
        });
      },
    }),
    matrixCase({
      surface: 'runtime API',
      name: 'a response over 6 MB is Function.ResponseSizeTooLarge',
      act: (ctx) => ctx.invoke('too-big', '{}'),
      expect: (answer) => {
        unhandled('Function.ResponseSizeTooLarge')(answer);
        expect(payloadOf(answer).errorMessage).toMatch(/exceeded maximum allowed payload size \(6291556 bytes\)/);
      },
    }),
    matrixCase({
      surface: 'provided',
      name: 'a missing bootstrap is Runtime.InvalidEntrypoint (200 with FunctionError)',
      act: (ctx) => ctx.invoke('no-bootstrap', '{}'),
      expect: unhandled('Runtime.InvalidEntrypoint'),
    }),
    matrixCase({
      surface: 'provided',
      name: 'a bootstrap that exits at once is Runtime.ExitError',
      act: (ctx) => ctx.invoke('exits-at-once', '{}'),
      expect: (answer) => {
        unhandled('Runtime.ExitError')(answer);
        expect(payloadOf(answer).errorMessage).toMatch(/exit status 4/);
      },
    }),
  ],
  async (ctx) => {
    const provided = (name: string, body: string | null) =>
      ctx.register(name, providedManifest(name), body === null ? {} : { bootstrap: bootstrap(body) });
    await provided(
      'next-twice',
      `for (;;) {
         const first = await call('GET', '/invocation/next');
         const again = await call('GET', '/invocation/next');
         await new Promise((r) => setTimeout(r, 50)); // past the freeze delay: a frozen sandbox would time out
         await call('POST', '/invocation/' + first.id + '/response', JSON.stringify({ same: again.id === first.id && again.text === first.text }));
       }`,
    );
    await provided(
      'responds-twice',
      `const seenFile = ${JSON.stringify(path.join(ctx.fixtures, 'responds-twice', 'seen.json'))};
       for (;;) {
         const next = await call('GET', '/invocation/next');
         await call('POST', '/invocation/' + next.id + '/response', '"first"');
         const second = await call('POST', '/invocation/' + next.id + '/response', '"second"');
         // Written aside, then renamed: the test never reads half a file.
         const fs = process.getBuiltinModule('node:fs');
         fs.writeFileSync(seenFile + '.part', JSON.stringify([second.status, JSON.parse(second.text).errorType]));
         fs.renameSync(seenFile + '.part', seenFile);
       }`,
    );
    await provided(
      'init-error-then-next',
      `await call('POST', '/init/error', '{"errorMessage":"no config"}', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.NoConfig' });
       await call('GET', '/invocation/next');
       await new Promise((r) => setTimeout(r, 60_000));`,
    );
    await provided(
      'garbage',
      `const net = await import('node:net');
       const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
       const garbage = () => new Promise((resolve) => {
         const socket = net.connect(Number(port), host, () => socket.write('\\x00\\x01 NOT HTTP\\r\\n\\r\\n'));
         let data = '';
         socket.on('data', (c) => (data += c));
         socket.on('close', () => resolve(data.split('\\r\\n')[0]));
       });
       for (;;) {
         const next = await call('GET', '/invocation/next');
         const replies = [await garbage(), await garbage()];
         await call('POST', '/invocation/' + next.id + '/response', JSON.stringify({ replies }));
       }`,
    );
    await provided(
      'too-big',
      `for (;;) {
         const next = await call('GET', '/invocation/next');
         await call('POST', '/invocation/' + next.id + '/response', Buffer.alloc(${RESPONSE_LIMIT + 1}, 0x20));
       }`,
    );
    await provided('no-bootstrap', null);
    await provided('exits-at-once', 'process.exit(4);');
  },
);
