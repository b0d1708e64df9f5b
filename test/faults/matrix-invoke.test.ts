import { strToU8, zipSync } from 'fflate';
import { expect } from 'vitest';
import { deflatedZeros, rawZip } from '../../src/engine/test-helpers/zip.js';
import { json, type RawAnswer, rawRequest } from './helpers.js';
import { errorType, type MatrixContext, matrixCase, payloadOf, runMatrix } from './matrix.js';

/** The fault matrix, Invoke API and control plane: AWS's answer, still serving, nothing left (see matrix.ts). */
const LIMIT = 6_291_456;
const INVOKE = '/2015-03-31/functions/hello-node/invocations';
const ROLE = 'arn:aws:iam::123456789012:role/test';
const nodeZip = (source: string) => Buffer.from(zipSync({ 'index.mjs': strToU8(source) }));
const helloZip = nodeZip(
  'export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return "ok"; };',
);
let counter = 0;

/** CreateFunction as the SDK sends it (ZipFile base64 in JSON), signed. */
const createFunction = (ctx: MatrixContext, overrides: Record<string, unknown>, zip: Buffer = helloZip) =>
  ctx.lambda({
    method: 'POST',
    path: '/2015-03-31/functions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      FunctionName: `matrix-fn-${++counter}`,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: ROLE,
      Timeout: 3,
      Code: { ZipFile: zip.toString('base64') },
      ...overrides,
    }),
  });

const refusedAs = (type: string, status: number, message: RegExp) => (answer: RawAnswer) => {
  expect(answer.status, answer.body).toBe(status);
  expect(errorType(answer)).toBe(type);
  expect(String(json(answer.body).message ?? json(answer.body).Message)).toMatch(message);
};
const envRefusal = /^Lambda was unable to configure your environment variables because the environment variables/;
const unzipRefusal = /^Could not unzip uploaded file\. Please check your file, then try to upload again\./;

/** Waits until no invocation runs (an Event invocation goes on after its 202). */
async function quiet(ctx: MatrixContext): Promise<void> {
  for (let i = 0; i < 200 && ctx.served.engine.stats().active > 0; i++) await new Promise((r) => setTimeout(r, 25));
}

runMatrix('fault matrix: Invoke API and control plane', [
  matrixCase({
    surface: 'invoke',
    name: 'bad percent-encoding in the function name is a 400 ValidationException',
    act: (ctx) => ctx.lambda({ method: 'POST', path: '/2015-03-31/functions/%E0%A4%A/invocations', body: '{}' }),
    expect: refusedAs('ValidationException', 400, /at 'functionName' failed to satisfy constraint/),
  }),
  matrixCase({
    surface: 'invoke',
    name: 'a payload of exactly 6,291,456 bytes is 413 RequestEntityTooLargeException',
    act: (ctx) => ctx.invoke('hello-node', JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) })),
    expect: refusedAs(
      'RequestEntityTooLargeException',
      413,
      /^Request must be smaller than 6291456 bytes for the InvokeFunction operation$/,
    ),
  }),
  matrixCase({
    surface: 'invoke',
    name: 'a payload of 6,291,455 bytes is accepted',
    act: (ctx) => ctx.invoke('hello-node', JSON.stringify({ echo: 7, pad: 'x'.repeat(LIMIT - 1 - 20) })),
    expect: (answer) => {
      expect(answer.status).toBe(200);
      expect(answer.headers['x-amz-function-error']).toBeUndefined();
      expect(payloadOf(answer).echo).toBe(7);
    },
  }),
  matrixCase({
    surface: 'invoke',
    name: 'a payload that is not JSON is InvalidRequestContentException',
    act: (ctx) => ctx.invoke('hello-node', '{"unterminated": '),
    expect: refusedAs('InvalidRequestContentException', 400, /^Could not parse request body into json: /),
  }),
  matrixCase({
    surface: 'invoke',
    name: 'an unknown function is 404 ResourceNotFoundException',
    act: (ctx) => ctx.invoke('no-such-function', '{}'),
    expect: refusedAs('ResourceNotFoundException', 404, /^Function not found: .*no-such-function/),
  }),
  matrixCase({
    surface: 'invoke',
    name: 'reserved concurrency 0 is 429 TooManyRequestsException',
    act: async (ctx) => {
      const name = `matrix-fn-${counter + 1}`;
      await createFunction(ctx, {});
      const concurrency = `/2017-10-31/functions/${name}/concurrency`;
      const put = await ctx.lambda({ method: 'PUT', path: concurrency, body: '{"ReservedConcurrentExecutions":0}' });
      expect(put.status, put.body).toBe(200);
      const answer = await ctx.invoke(name, '{}');
      await ctx.lambda({ method: 'DELETE', path: `/2015-03-31/functions/${name}` });
      return answer;
    },
    expect: (answer) => {
      refusedAs('TooManyRequestsException', 429, /Rate Exceeded/)(answer);
      expect(json(answer.body).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    },
  }),
  matrixCase({
    surface: 'invoke',
    name: 'the ARN of another region is 404',
    act: (ctx) => ctx.invoke('arn:aws:lambda:eu-west-1:000000000000:function:hello-node', '{}'),
    expect: refusedAs('ResourceNotFoundException', 404, /^Functions from 'eu-west-1' are not reachable/),
  }),
  matrixCase({
    surface: 'invoke',
    name: 'an unsigned request with a browser Origin is 403 AccessDeniedException',
    act: (ctx) =>
      rawRequest(ctx.served.endpoints.lambda, {
        method: 'POST',
        path: INVOKE,
        headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
        body: '{}',
      }),
    expect: refusedAs('AccessDeniedException', 403, /^Cross-site request refused/),
  }),
  matrixCase({
    surface: 'invoke',
    name: 'an Event invocation is 202 with no body, and runs',
    act: async (ctx) => {
      const before = ctx.served.engine.stats();
      const answer = await ctx.invoke('hello-node', '{"sleepMs":100}', { 'x-amz-invocation-type': 'Event' });
      await quiet(ctx);
      return { answer, ran: ctx.served.engine.stats().environments > before.environments };
    },
    expect: ({ answer, ran }) => {
      expect(answer.status).toBe(202);
      expect(answer.body).toBe('');
      expect(ran).toBe(true);
    },
  }),
  matrixCase({
    surface: 'control plane',
    name: 'an environment variable with a NUL byte is refused',
    act: (ctx) => createFunction(ctx, { Environment: { Variables: { NUL_HERE: 'a\0b' } } }),
    expect: refusedAs('InvalidParameterValueException', 400, envRefusal),
  }),
  matrixCase({
    surface: 'control plane',
    name: 'environment variables over 4 KB are refused',
    act: (ctx) => createFunction(ctx, { Environment: { Variables: { BIG: 'a'.repeat(4097) } } }),
    expect: refusedAs('InvalidParameterValueException', 400, /exceeded the 4KB limit/),
  }),
  matrixCase({
    surface: 'control plane',
    name: 'a reserved variable (AWS_REGION) is refused',
    act: (ctx) => createFunction(ctx, { Environment: { Variables: { AWS_REGION: 'eu-west-1' } } }),
    expect: refusedAs('InvalidParameterValueException', 400, /Reserved keys used in this request: AWS_REGION$/),
  }),
  matrixCase({
    surface: 'control plane',
    name: 'Handler "core" is accepted, and its invoke fails with Runtime.MalformedHandlerName',
    act: async (ctx) => {
      const name = `matrix-fn-${counter + 1}`;
      const created = await createFunction(ctx, { Handler: 'core' });
      const invoked = await ctx.invoke(name, '{}');
      await ctx.lambda({ method: 'DELETE', path: `/2015-03-31/functions/${name}` });
      return { created, invoked };
    },
    expect: ({ created, invoked }) => {
      expect(created.status, created.body).toBe(201);
      expect(invoked.status).toBe(200);
      expect(invoked.headers['x-amz-function-error']).toBe('Unhandled');
      expect(payloadOf(invoked).errorType).toBe('Runtime.MalformedHandlerName');
    },
  }),
  matrixCase({
    surface: 'zips',
    name: 'a zip bomb (1 entry inflating past 250 MB) is refused while inflating',
    act: async (ctx) => {
      const bytes = 300 * 2 ** 20;
      return createFunction(ctx, {}, rawZip([{ name: 'zeros', ...(await deflatedZeros(bytes)), size: bytes }]));
    },
    expect: refusedAs('InvalidParameterValueException', 400, /^Unzipped size must be smaller than 262144000 bytes$/),
  }),
  matrixCase({
    surface: 'zips',
    name: 'a zip-slip entry (../../escape.js) is refused',
    act: (ctx) => createFunction(ctx, {}, rawZip([{ name: '../../escape.js', data: Buffer.from('x') }])),
    expect: refusedAs('InvalidParameterValueException', 400, unzipRefusal),
  }),
  matrixCase({
    surface: 'zips',
    name: 'a corrupt zip (bad CRC) is refused',
    act: (ctx) => createFunction(ctx, {}, rawZip([{ name: 'index.mjs', data: Buffer.from('x'), crc: 7 }])),
    expect: refusedAs('InvalidParameterValueException', 400, unzipRefusal),
  }),
  matrixCase({
    surface: 'control plane',
    name: 'a function deleted while an invocation runs: the invocation completes, then 404',
    act: async (ctx) => {
      const name = `matrix-fn-${counter + 1}`;
      await createFunction(ctx, {});
      const running = ctx.invoke(name, '{"ms":400}');
      for (let i = 0; i < 200 && ctx.served.engine.stats().active === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      const deleted = await ctx.lambda({ method: 'DELETE', path: `/2015-03-31/functions/${name}` });
      return { deleted, answer: await running, after: await ctx.invoke(name, '{}') };
    },
    expect: ({ deleted, answer, after }) => {
      expect(deleted.status).toBe(204);
      expect(answer.status).toBe(200);
      expect(answer.headers['x-amz-function-error']).toBeUndefined();
      expect(JSON.parse(answer.body)).toBe('ok');
      refusedAs('ResourceNotFoundException', 404, /^Function not found: /)(after);
    },
  }),
  matrixCase({
    surface: 'control plane',
    name: 'code updated while its first invocation starts: the old environment is destroyed, not pooled',
    act: async (ctx) => {
      const name = `matrix-fn-${counter + 1}`;
      await createFunction(ctx, {});
      const before = ctx.served.engine.stats().environments;
      const running = ctx.invoke(name, '{}');
      for (let i = 0; i < 200 && ctx.served.engine.stats().active === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      const v2 = nodeZip('export const handler = async () => "v2";');
      const code = `/2015-03-31/functions/${name}/code`;
      const updated = await ctx.lambda({
        method: 'PUT',
        path: code,
        body: JSON.stringify({ ZipFile: v2.toString('base64') }),
      });
      const first = await running;
      const second = await ctx.invoke(name, '{}');
      await quiet(ctx);
      // Only the new code's environment may stay warm: the old one's key is never asked for again.
      for (let i = 0; i < 100 && ctx.served.engine.stats().environments > before + 1; i++)
        await new Promise((r) => setTimeout(r, 20));
      const environments = ctx.served.engine.stats().environments - before;
      await ctx.lambda({ method: 'DELETE', path: `/2015-03-31/functions/${name}` });
      return { updated, first, second, environments };
    },
    expect: ({ updated, first, second, environments }) => {
      expect(updated.status, updated.body).toBe(200);
      expect(JSON.parse(first.body)).toBe('ok');
      expect(JSON.parse(second.body)).toBe('v2');
      expect(environments).toBe(1);
    },
  }),
]);
