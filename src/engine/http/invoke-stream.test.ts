import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamResponseEvent,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../services/auth/test-helpers/sign.js';
import { Engine } from '../engine.js';
import { decodeMessages } from '../eventstream.js';
import { RAW_BOOTSTRAP, WAIT_FOR } from '../test-helpers/raw-streaming-runtime.js';
import { patientSeconds } from '../test-helpers/slowdown.js';
import { type LambdaServer, startLambdaServer } from './server.js';

let engine: Engine;
let server: LambdaServer;
let lambda: LambdaClient;
let workDir: string;

async function fn(name: string, files: Record<string, string>, manifest: object = {}) {
  const dir = path.join(workDir, 'functions', name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name, runtime: 'nodejs20.x', handler: 'index.handler', timeout: patientSeconds(20), ...manifest }),
  );
  await engine.functions.registerFolder(dir);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-stream-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), isolation: 'none' });
  await fn('streamer', {
    'index.mjs': `import fs from 'node:fs';
${WAIT_FOR}
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  responseStream.write('a');
  if (event.signal) await waitFor(event.signal);
  if (event.fail) throw new TypeError('boom');
  if (event.bigMB) responseStream.write(Buffer.alloc(event.bigMB * 1024 * 1024, 0x61));
  responseStream.write('b');
  responseStream.end();
});`,
  });
  await fn('http-streamer', {
    'index.mjs': `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const http = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'x-a': '1' } });
  http.write('body');
  http.end();
});`,
  });
  await fn('piped', {
    'index.mjs': `import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const pieces = function* () { for (let i = 0; i < event.pieces; i++) yield Buffer.alloc(64 * 1024, 0x30 + (i % 10)); };
  await pipeline(Readable.from(pieces()), responseStream);
});`,
  });
  await fn('counted', {
    'index.mjs': `import fs from 'node:fs';
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const piece = Buffer.alloc(1024 * 1024, 0x78);
  for (let i = 1; i <= event.pieces; i++) {
    await new Promise((resolve) => responseStream.write(piece, resolve));
    fs.writeFileSync(event.progress, String(i));
  }
  responseStream.end();
});`,
  });
  await fn(
    'streamer24',
    {
      'index.mjs':
        'export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => { responseStream.write(context.awsRequestId ? "id" : "none"); responseStream.end(); });',
    },
    { runtime: 'nodejs24.x' },
  );
  await fn(
    'no-global',
    { 'index.mjs': 'export const handler = async () => typeof globalThis.awslambda;' },
    { environment: { AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: '1' } },
  );
  await fn(
    'stream-hangs',
    { 'index.mjs': 'export const handler = awslambda.streamifyResponse(async (e, s) => { s.write("a"); });' },
    { timeout: 1 },
  );
  await fn('stream-crashes', {
    'index.mjs':
      'export const handler = awslambda.streamifyResponse(async (e, s) => { s.write("a"); await new Promise((r) => setTimeout(r, 50)); process.exit(3); });',
  });
  await fn('not-async', { 'index.js': 'exports.handler = awslambda.streamifyResponse((event, stream) => 1);' });
  await fn('buffered', { 'index.mjs': 'export const handler = async (event) => ({ echo: event.n });' });
  await fn('buffered-fails', { 'index.mjs': 'export const handler = async () => { throw new RangeError("no"); };' });
  const raw = path.join(workDir, 'functions', 'raw-stream');
  await mkdir(raw, { recursive: true });
  await writeFile(path.join(raw, 'bootstrap'), RAW_BOOTSTRAP);
  await chmod(path.join(raw, 'bootstrap'), 0o755);
  await fn('raw-stream', {}, { runtime: 'provided.al2023', handler: 'bootstrap' });
  server = await startLambdaServer(engine, { port: 0, dataDir: path.join(workDir, 'data') });
  lambda = new LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

type Seen = { chunk: string } | { complete: InvokeWithResponseStreamResponseEvent['InvokeComplete'] };

/** Invokes with the SDK and records the events in arrival order; `onChunk` runs as each chunk arrives. */
async function stream(functionName: string, payload: object, onChunk: (seen: Seen[]) => void = () => {}, tail = false) {
  const out = await lambda.send(
    new InvokeWithResponseStreamCommand({
      FunctionName: functionName,
      Payload: Buffer.from(JSON.stringify(payload)),
      ...(tail ? { LogType: 'Tail' as const } : {}),
    }),
  );
  const seen: Seen[] = [];
  for await (const event of out.EventStream ?? []) {
    if (event.PayloadChunk) {
      seen.push({ chunk: Buffer.from(event.PayloadChunk.Payload ?? []).toString('latin1') });
      onChunk(seen);
    } else if (event.InvokeComplete) seen.push({ complete: event.InvokeComplete });
  }
  return { out, seen, text: seen.map((s) => ('chunk' in s ? s.chunk : '')).join('') };
}

/** The final event's error: its code and its details (the error's JSON body) parsed. */
function failure(seen: Seen[]) {
  const last = seen.at(-1);
  if (!last || !('complete' in last)) throw new Error('no InvokeComplete');
  return { code: last.complete?.ErrorCode, details: JSON.parse(last.complete?.ErrorDetails ?? 'null') };
}

const signalFile = (name: string) => path.join(workDir, `${name}-${Math.random().toString(36).slice(2)}`);

describe('InvokeWithResponseStream through @aws-sdk/client-lambda', () => {
  it('delivers the first chunk before the handler returns', { timeout: 60_000 }, async () => {
    const signal = signalFile('first');
    const { out, seen, text } = await stream('streamer', { signal }, (events) => {
      // The handler cannot finish before this file exists: a chunk arriving now was streamed, not buffered.
      if (events.length === 1) {
        expect(existsSync(signal)).toBe(false);
        void writeFile(signal, '');
      }
    });
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.ResponseStreamContentType).toBe('text/plain');
    expect(seen[0]).toEqual({ chunk: 'a' });
    expect(text).toBe('ab');
    expect(seen.at(-1)).toEqual({ complete: {} });
  });

  it('reports an error thrown mid-stream in InvokeComplete, after the chunks already sent', async () => {
    const signal = signalFile('fail');
    const { seen } = await stream('streamer', { signal, fail: true }, () => void writeFile(signal, ''));
    expect(seen[0]).toEqual({ chunk: 'a' });
    const { code, details } = failure(seen);
    expect(code).toBe('TypeError');
    expect(details).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
    expect(details.trace[0]).toBe('TypeError: boom');
  });

  it('sends a buffered handler’s response as one chunk', async () => {
    const { seen } = await stream('buffered', { n: 7 });
    expect(seen).toEqual([{ chunk: '{"echo":7}' }, { complete: {} }]);
    const failed = await stream('buffered-fails', {});
    expect(failed.seen).toHaveLength(1);
    expect(failure(failed.seen)).toMatchObject({ code: 'RangeError', details: { errorMessage: 'no' } });
  });

  it('tails the log into InvokeComplete with LogType Tail', async () => {
    const { seen } = await stream('buffered', { n: 1 }, () => {}, true);
    const complete = seen.at(-1) as { complete: { LogResult?: string } };
    expect(Buffer.from(complete.complete.LogResult ?? '', 'base64').toString()).toMatch(/REPORT RequestId: /);
  });

  it('passes HttpResponseStream’s prelude and content type through', async () => {
    const { out, text } = await stream('http-streamer', {});
    expect(out.ResponseStreamContentType).toBe('application/vnd.awslambda.http-integration-response');
    expect(text).toBe(`{"statusCode":201,"headers":{"x-a":"1"}}${'\0'.repeat(8)}body`);
  });

  it('fails a streaming handler that does not return a promise, as AWS', async () => {
    const { seen } = await stream('not-async', {});
    expect(failure(seen)).toEqual({
      code: 'string',
      details: { errorType: 'string', errorMessage: 'Streaming does not support non-async handlers.', trace: [] },
    });
  });

  it('ends a stream that is never ended with Sandbox.Timedout, and one whose runtime dies with Runtime.ExitError', async () => {
    const hung = await stream('stream-hangs', {});
    expect(hung.seen[0]).toEqual({ chunk: 'a' });
    expect(hung.seen.at(-1)).toMatchObject({ complete: { ErrorCode: 'Sandbox.Timedout' } });
    const crashed = await stream('stream-crashes', {});
    expect(crashed.seen[0]).toEqual({ chunk: 'a' });
    expect(crashed.seen.at(-1)).toMatchObject({ complete: { ErrorCode: 'Runtime.ExitError' } });
  });

  it('takes a Readable piped into responseStream (back-pressure through the socket)', { timeout: 60_000 }, async () => {
    const { text, seen } = await stream('piped', { pieces: 64 });
    expect(text.length).toBe(64 * 64 * 1024);
    expect(text.slice(64 * 1024 * 3, 64 * 1024 * 3 + 3)).toBe('333');
    expect(seen.at(-1)).toEqual({ complete: {} });
  });

  it('holds the function back while the client does not read (no buffering in the engine)', {
    timeout: 120_000,
  }, async () => {
    const pieces = 96;
    const progress = signalFile('progress');
    const url = new URL(`${server.endpoint}/2021-11-15/functions/counted/response-streaming-invocations`);
    const payload = JSON.stringify({ pieces, progress });
    // Signed as the SDK signs: the Lambda API refuses unsigned requests, as AWS does.
    const headers = await signedHeaders(
      server.endpoint,
      { method: 'POST', path: url.pathname, body: payload },
      {
        service: 'lambda',
      },
    );
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
    res.pause();
    const written = async () => Number(await readFile(progress, 'utf8').catch(() => '0'));
    // Wait until the function stops making progress (1 s without a new piece), or has written everything.
    let last = -1;
    let now = await written();
    while (now !== last && now < pieces) {
      last = now;
      await new Promise((r) => setTimeout(r, 1000));
      now = await written();
    }
    expect(now).toBeLessThan(pieces);
    const body: Buffer[] = [];
    for await (const piece of res) body.push(piece as Buffer);
    const { messages } = decodeMessages(Buffer.concat(body));
    const chunks = messages.filter((m) => m.headers[':event-type'] === 'PayloadChunk');
    expect(chunks.reduce((sum, m) => sum + m.payload.length, 0)).toBe(pieces * 1024 * 1024);
    expect(JSON.parse(messages.at(-1)?.payload.toString() ?? '')).toEqual({});
    expect(await written()).toBe(pieces);
  });

  it('streams on nodejs24.x, where a 3-parameter streaming handler is no callback handler', async () => {
    const { text, seen } = await stream('streamer24', {});
    expect(text).toBe('id');
    expect(seen.at(-1)).toEqual({ complete: {} });
  });

  it('leaves the awslambda global out with AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA=1', async () => {
    const { text } = await stream('no-global', {});
    expect(text).toBe('"undefined"');
  });

  it('answers 404 for an unknown function', async () => {
    await expect(
      lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'nope', Payload: Buffer.from('{}') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('streams from a custom runtime speaking the raw Runtime API, trailers included', { timeout: 60_000 }, async () => {
    const signal = signalFile('raw');
    const ok = await stream('raw-stream', { signal }, () => void writeFile(signal, ''));
    expect(ok.out.ResponseStreamContentType).toBe('text/plain');
    expect(ok.seen[0]).toEqual({ chunk: 'first ' });
    expect(ok.text).toBe('first second');
    expect(ok.seen.at(-1)).toEqual({ complete: {} });
    const signal2 = signalFile('raw-fail');
    const failed = await stream('raw-stream', { signal: signal2, fail: true }, () => void writeFile(signal2, ''));
    expect(failed.text).toBe('first second');
    expect(failure(failed.seen)).toEqual({
      code: 'Custom.Broken',
      details: { errorType: 'Custom.Broken', errorMessage: 'half way' },
    });
  });

  it('survives a content type node:http would refuse, streaming on as application/octet-stream', async () => {
    const signal = signalFile('raw-ctype');
    const odd = await stream(
      'raw-stream',
      { signal, contentType: 'text/plain\u0001' },
      () => void writeFile(signal, ''),
    );
    expect(odd.out.ResponseStreamContentType).toBe('application/octet-stream');
    expect(odd.text).toBe('first second');
  });
});

describe('a streaming function under plain Invoke', () => {
  it('answers with the whole streamed body, buffered (as AWS)', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'streamer', Payload: Buffer.from('{}') }));
    expect(out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.Payload ?? []).toString()).toBe('ab');
  });

  it('fails past Invoke’s 6 MB limit with Function.ResponseSizeTooLarge', { timeout: 60_000 }, async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'streamer', Payload: Buffer.from('{"bigMB":7}') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString())).toMatchObject({
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });
});

describe('time to first byte', () => {
  it('is reported next to Duration for a streamed response', { timeout: 60_000 }, async () => {
    const signal = signalFile('ttfb');
    let firstChunkAt = 0;
    const result = await engine.invokeStream(
      { functionName: 'streamer', payload: JSON.stringify({ signal }) },
      {
        start: () => {},
        chunk: () => {
          if (firstChunkAt) return;
          firstChunkAt = performance.now();
          // The handler is held 300 ms past its first byte, so Duration exceeds time to first byte by at least that.
          setTimeout(() => void writeFile(signal, ''), 300);
        },
      },
    );
    expect(result.errorType).toBeNull();
    expect(result.firstByteMs).toBeGreaterThan(0);
    expect(result.report.durationMs - (result.firstByteMs ?? 0)).toBeGreaterThanOrEqual(290);
    const buffered = await engine.invoke({ functionName: 'buffered', payload: '{}' });
    expect(buffered.firstByteMs).toBeUndefined();
  });
});
