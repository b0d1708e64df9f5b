import net from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFds, type Served, startServe } from './helpers.js';

/**
 * A small seeded fuzzer for serve's three HTTP surfaces: random methods, paths (bad escapes, `..`, very long),
 * headers (bad Content-Length, huge values, Origin), bodies (random bytes, truncated JSON), written on raw sockets so
 * nothing is normalised on the way. `LAMBENCH_FUZZ_SEED` replays a run; `LAMBENCH_FUZZ_COUNT` / `LAMBENCH_FUZZ_MS`
 * bound each mode (1,000 requests or 3 s by default, whichever ends first).
 *
 * Asserted: every request gets an HTTP answer (status 100–599), none of them a 500 — every error these servers can
 * raise on bad input has an AWS type and a 4xx; a 500 means a handler threw where it should not have, and there is
 * no 500 we consider legitimate for these inputs (the engine's own failures, e.g. a runtime that cannot start, are
 * not reachable from here) — the process is still alive (an uncaught exception would fail the run), and afterwards
 * each service still answers a signed request and no descriptor is left open.
 */
const SEED = Number(process.env.LAMBENCH_FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.LAMBENCH_FUZZ_COUNT ?? 1000);
const BUDGET_MS = Number(process.env.LAMBENCH_FUZZ_MS ?? 3000);

/** mulberry32: small, fast, and the same sequence everywhere for one seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof random>;

const SEGMENTS = [
  'hello-node',
  'nope',
  'fuzz-bucket',
  'key.txt',
  '..',
  '.',
  '',
  '%',
  '%E0%A4%A',
  '%ZZ',
  '%00',
  '%2F',
  '%2e%2e',
  'ü',
  '%C3%BC',
  'arn%3Aaws%3Alambda%3Aeu-west-1%3A000000000000%3Afunction%3Ahello-node',
  '$LATEST',
  'a'.repeat(300),
] as const;
const LAMBDA_PATHS = [
  '/2015-03-31/functions',
  '/2015-03-31/functions/{}',
  '/2015-03-31/functions/{}/invocations',
  '/2015-03-31/functions/{}/aliases',
  '/2015-03-31/functions/{}/aliases/{}',
  '/2015-03-31/functions/{}/versions',
  '/2015-03-31/functions/{}/configuration',
  '/2015-03-31/functions/{}/code',
  '/2017-10-31/functions/{}/concurrency',
  '/2015-03-31/functions/{}/invocations?Qualifier={}',
  '/{}',
  '/',
] as const;
const S3_PATHS = [
  '/',
  '/{}',
  '/{}/{}',
  '/{}/{}/{}',
  '/{}?uploads',
  '/{}/{}?uploads',
  '/{}/{}?uploadId={}&partNumber={}',
  '/{}?acl',
  '/{}/{}?acl',
  '/{}?delete',
  '/{}?list-type=2&prefix={}&continuation-token={}',
  '/{}?location',
  '/{}/{}?uploadId={}',
] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'FUZZ'] as const;
const TARGETS = [
  'DynamoDB_20120810.ListTables',
  'DynamoDB_20120810.PutItem',
  'DynamoDB_20120810.CreateTable',
  'DynamoDB_20120810.Query',
  'DynamoDB_20120810.Nope',
  'nonsense',
] as const;

function path(rng: Rng, service: 'lambda' | 's3' | 'dynamodb'): string {
  if (service === 'dynamodb') return rng.pick(['/', '/', '/', '/x', `/${rng.pick(SEGMENTS)}`, '/?X-Amz-Algorithm=1']);
  const template = rng.pick(service === 'lambda' ? LAMBDA_PATHS : S3_PATHS);
  const filled = template.replace(/\{\}/g, () => rng.pick(SEGMENTS));
  return rng.chance(0.05) ? `${filled}/${'x'.repeat(rng.int(20_000))}` : filled;
}

function body(rng: Rng): Buffer {
  switch (rng.int(6)) {
    case 0:
      return Buffer.alloc(0);
    case 1: {
      const bytes = Buffer.alloc(rng.int(4096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return bytes;
    }
    case 2: {
      const json = JSON.stringify({
        FunctionName: rng.pick(SEGMENTS),
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        MemorySize: rng.pick([128, -1, 1e9, 'x']),
        Code: { ZipFile: 'UEsDBA==' },
        TableName: rng.pick(SEGMENTS),
        Item: { k: { S: 'v' } },
        Name: rng.pick(SEGMENTS),
        FunctionVersion: rng.pick(['1', '$LATEST', '??']),
      });
      return Buffer.from(rng.chance(0.5) ? json.slice(0, rng.int(json.length)) : json);
    }
    case 3:
      return Buffer.from(
        `<?xml version="1.0"?><Delete><Object><Key>${rng.pick(SEGMENTS)}</Key></Object>`.slice(0, rng.int(90)),
      );
    case 4:
      return Buffer.from(JSON.stringify({ echo: rng.pick(SEGMENTS) }));
    default:
      return Buffer.from('{"a":'.repeat(rng.int(2000)));
  }
}

const FAKE_AUTH = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

/** One request on its own connection; the answer's status, or why there was none. */
function exchange(port: number, rng: Rng, service: 'lambda' | 's3' | 'dynamodb') {
  const method = rng.pick(METHODS);
  const target = path(rng, service);
  const payload = body(rng);
  const headers: string[] = [`Host: 127.0.0.1:${port}`, 'Connection: close'];
  if (rng.chance(0.8)) headers.push(`Authorization: ${rng.chance(0.9) ? FAKE_AUTH(service) : 'AWS4-HMAC-SHA256 x'}`);
  headers.push(`X-Amz-Date: ${rng.chance(0.9) ? '20260101T000000Z' : 'yesterday'}`);
  if (service === 's3')
    headers.push(`x-amz-content-sha256: ${rng.pick(['UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'zz'])}`);
  if (service === 'dynamodb') headers.push(`X-Amz-Target: ${rng.pick(TARGETS)}`);
  if (rng.chance(0.5))
    headers.push(
      `Content-Type: ${rng.pick(['application/json', 'application/x-amz-json-1.0', 'text/plain', 'application/xml'])}`,
    );
  if (rng.chance(0.1))
    headers.push(`Origin: ${rng.pick(['https://evil.example', 'null', `http://127.0.0.1:${port}`])}`);
  if (rng.chance(0.05)) headers.push(`X-Big: ${'b'.repeat(rng.int(40_000))}`);
  if (rng.chance(0.1)) headers.push(`X-Amz-Invocation-Type: ${rng.pick(['Event', 'DryRun', 'Nope'])}`);
  if (rng.chance(0.05)) headers.push(`x-amz-copy-source: ${rng.pick(['/fuzz-bucket/key.txt', '%E0%A4%A', '/', 'x'])}`);
  // Mostly an honest length; sometimes one Node's parser must refuse (non-numeric, negative, two of them).
  const length = rng.chance(0.9)
    ? [`Content-Length: ${payload.length}`]
    : rng.pick([
        ['Content-Length: abc'],
        ['Content-Length: -1'],
        [`Content-Length: ${payload.length}`, 'Content-Length: 7'],
      ]);
  const head = `${method} ${target} HTTP/1.1\r\n${[...headers, ...length].join('\r\n')}\r\n\r\n`;
  const request = `${method} ${target.slice(0, 120)} [${headers.map((h) => h.slice(0, 60)).join(' | ')} | ${length.join(' | ')}] body ${payload.length} B`;
  return new Promise<{ request: string; status: number | 'no answer' }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => socket.destroy(), 15_000);
    socket.on('data', (chunk) => {
      if (text.length < 64) text += chunk.toString('latin1');
    });
    const finish = () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ request, status: match ? Number(match[1]) : 'no answer' });
    };
    socket.on('close', finish);
    socket.on('error', () => {});
    // No half-close after the body: Node's server (httpAllowHalfOpen off, as curl and the SDKs expect) drops a
    // request whose client has ended its side before the answer; `Connection: close` ends the exchange instead.
    socket.write(head);
    socket.write(payload);
  });
}

describe.each([
  ['accepting any signature (the default)', undefined],
  // The fuzzer's key, so every request goes on to have its body read and its signature checked (and refused).
  ['verifying signatures (serve --credentials)', { accessKeyId: 'fuzz', secretAccessKey: 'secret' }],
])(`HTTP fuzzing %s (seed ${SEED}: LAMBENCH_FUZZ_SEED=${SEED} replays it)`, (_mode, credentials) => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe(credentials ? { credentials } : {});
  });
  afterAll(async () => {
    await served?.close();
  });

  it('answers every request, never with a 500, and goes on serving', async () => {
    const rng = random(SEED);
    const ports = {
      lambda: Number(new URL(served.endpoints.lambda).port),
      s3: Number(new URL(served.endpoints.s3).port),
      dynamodb: Number(new URL(served.endpoints.dynamodb).port),
    };
    const fdsBefore = openFds();
    const started = Date.now();
    const failures: string[] = [];
    const statuses = new Map<number | string, number>();
    let sent = 0;
    while (sent < COUNT && Date.now() - started < BUDGET_MS) {
      // A few at a time, as concurrent clients would.
      const batch = Array.from({ length: 4 }, () => {
        const service = rng.pick(['lambda', 's3', 'dynamodb'] as const);
        return exchange(ports[service], rng, service).then((answer) => ({ service, ...answer }));
      });
      for (const answer of await Promise.all(batch)) {
        sent++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const bad = answer.status === 'no answer' || answer.status >= 600 || answer.status === 500;
        if (bad) failures.push(`${answer.service} ${answer.request} → ${answer.status}`);
      }
    }
    console.log(`fuzz: ${sent} requests in ${Date.now() - started} ms, statuses`, Object.fromEntries(statuses));
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(40);
    // With verification on, only the HTTP parser's own refusals and the unsigned GET health check answer other
    // than AWS's authentication errors.
    if (credentials) expect(statuses.get(200) ?? 0).toBeLessThan(sent / 10);

    // Still serving: a signed request to each service, a new function created and invoked.
    const common = {
      region: 'us-east-1',
      credentials: credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const lambda = new LambdaClient({ ...common, endpoint: served.endpoints.lambda });
    const s3 = new S3Client({ ...common, endpoint: served.endpoints.s3, forcePathStyle: true });
    const dynamodb = new DynamoDBClient({ ...common, endpoint: served.endpoints.dynamodb });
    const code = zipSync({ 'index.mjs': strToU8('export const handler = async () => "canary";') });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'fuzz-canary',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/x',
        Code: { ZipFile: code },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'fuzz-canary', LogType: 'Tail' }));
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString();
    expect(Buffer.from(out.Payload ?? []).toString(), log).toBe('"canary"');
    expect((await s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
    expect((await dynamodb.send(new ListTablesCommand({}))).$metadata.httpStatusCode).toBe(200);
    for (const client of [lambda, s3, dynamodb]) client.destroy();
    // The fuzzer's sockets are closed; what is left open is the canary's environment (its runtime API listener and
    // the pipes to its process) and the SDK's sockets, not the hundreds of connections the run made.
    expect(openFds()).toBeLessThan(fdsBefore + 30);
  });
});
