import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server } from '../s3/index.js';
import { classifyRequest } from './classify.js';
import { Network, parseNetworkOption } from './index.js';
import { bandwidthBytesPerSecond, LAMBDA_2026, requestLatencyMs } from './model.js';
import { TokenBucket } from './shaper.js';

const MB = 1024 * 1024;
const credentials = { accessKeyId: 'AKIALAMBENCHTEST0000', secretAccessKey: 'secret' };

let dir: string;
let s3Server: Awaited<ReturnType<typeof startS3Server>>;
const network = new Network(LAMBDA_2026);

function s3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-network-'));
  s3Server = await startS3Server({ dataDir: path.join(dir, 's3') });
  const direct = s3Client(s3Server.endpoint);
  await direct.send(new CreateBucketCommand({ Bucket: 'net' }));
  await direct.send(new PutObjectCommand({ Bucket: 'net', Key: 'big', Body: Buffer.alloc(48 * MB, 7) }));
  direct.destroy();
});

afterAll(async () => {
  await s3Server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the model', () => {
  it('interpolates bandwidth between anchors and holds the ends', () => {
    expect(bandwidthBytesPerSecond(LAMBDA_2026, 128)).toBe(10 * MB);
    expect(bandwidthBytesPerSecond(LAMBDA_2026, 64)).toBe(10 * MB);
    expect(bandwidthBytesPerSecond(LAMBDA_2026, 192)).toBe(15 * MB);
    expect(bandwidthBytesPerSecond(LAMBDA_2026, 20_000)).toBe(80 * MB);
    const sizes = [128, 256, 512, 1024, 1536, 3008, 10240];
    const rates = sizes.map((m) => bandwidthBytesPerSecond(LAMBDA_2026, m));
    expect([...rates].sort((a, b) => a - b)).toEqual(rates);
  });

  it('names every parameter source with a URL', () => {
    for (const source of Object.values(LAMBDA_2026.sources)) expect(source.url).toMatch(/^https:\/\//);
  });

  it('counts BatchWriteItem items', () => {
    const base = requestLatencyMs(LAMBDA_2026, 'dynamodb', 'BatchWriteItem');
    expect(requestLatencyMs(LAMBDA_2026, 'dynamodb', 'BatchWriteItem', 25)).toBeCloseTo(
      base + 25 * (LAMBDA_2026.latency.dynamodb.perBatchItemMs ?? 0),
    );
  });

  it('parses --network', () => {
    expect(parseNetworkOption('none', 'lambda-2026')).toBeNull();
    expect(parseNetworkOption(undefined, 'lambda-2026')?.model.name).toBe('lambda-2026');
    expect(() => parseNetworkOption('lan', 'none')).toThrow(/Unknown network model/);
  });
});

describe('classifyRequest', () => {
  const h = (line: string, ...headers: string[]) => `${line}\r\nHost: 127.0.0.1:1\r\n${headers.join('\r\n')}\r\n`;
  it('names S3 operations', () => {
    expect(classifyRequest('s3', h('GET /b/k HTTP/1.1'))).toBe('GetObject');
    expect(classifyRequest('s3', h('GET /b?list-type=2 HTTP/1.1'))).toBe('ListObjects');
    expect(classifyRequest('s3', h('HEAD /b/k HTTP/1.1'))).toBe('HeadObject');
    expect(classifyRequest('s3', h('PUT /b/k HTTP/1.1'))).toBe('PutObject');
    expect(classifyRequest('s3', h('PUT /b/k?partNumber=1&uploadId=x HTTP/1.1'))).toBe('UploadPart');
    expect(classifyRequest('s3', h('PUT /b/k HTTP/1.1', 'x-amz-copy-source: /b/j'))).toBe('CopyObject');
    expect(classifyRequest('s3', h('POST /b/k?uploadId=x HTTP/1.1'))).toBe('CompleteMultipartUpload');
    expect(classifyRequest('s3', h('DELETE /b/k HTTP/1.1'))).toBe('DeleteObject');
    expect(classifyRequest('s3', 'GET /k HTTP/1.1\r\nHost: b.localhost:9000\r\n')).toBe('GetObject');
  });
  it('names DynamoDB and Lambda operations', () => {
    expect(classifyRequest('dynamodb', h('POST / HTTP/1.1', 'X-Amz-Target: DynamoDB_20120810.PutItem'))).toBe(
      'PutItem',
    );
    expect(classifyRequest('lambda', h('POST /2015-03-31/functions/f/invocations HTTP/1.1'))).toBe('Invoke');
  });
});

describe('TokenBucket', () => {
  it('books senders one after another at its rate, after a burst', () => {
    const bucket = new TokenBucket(1000 * 1000, 1000); // 1000 bytes per ms, 1 ms of burst
    expect(bucket.reserve(1000, 0)).toBe(0);
    expect(bucket.reserve(5000, 0)).toBe(0); // within the burst: the link is booked until 6
    expect(bucket.reserve(5000, 0)).toBe(5); // another sender queues behind: 6 - 1
    expect(bucket.reserve(1000, 5)).toBe(10); // booked until 11 → 10
    expect(bucket.reserve(1000, 100)).toBe(100); // idle since: no credit beyond the burst
    expect(bucket.reserve(2000, 100)).toBe(100);
    expect(bucket.reserve(1000, 100)).toBe(102);
    expect(bucket.bytes).toBe(16_000);
  });
});

/** Reads HTTP/1.1 messages off a socket (head, then Content-Length bytes), calling `onMessage` after each. */
function messages(socket: net.Socket, onMessage: () => void): void {
  let head = '';
  let remaining = -1;
  socket.on('data', (data: Buffer) => {
    let at = 0;
    while (at < data.length) {
      if (remaining < 0) {
        const before = head.length;
        head += data.toString('latin1', at, Math.min(data.length, at + 8192));
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          at += head.length - before;
          continue;
        }
        at += end + 4 - before;
        remaining = Number(/content-length:\s*(\d+)/i.exec(head.slice(0, end))?.[1] ?? 0);
        head = '';
      }
      const take = Math.min(remaining, data.length - at);
      remaining -= take;
      at += take;
      if (remaining === 0) {
        remaining = -1;
        onMessage();
      }
    }
  });
}

/** A raw HTTP/1.1 upstream: answers each request (its body read) after `serverMs` with `bytes` of body. */
async function rawUpstream(serverMs: number, bytes = 2): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer({ noDelay: true }, (socket) => {
    messages(socket, () => {
      setTimeout(() => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${bytes}\r\n\r\n`);
        socket.write(Buffer.alloc(bytes, 1));
      }, serverMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends `count` requests one after another on one connection; resolves with ms per request after the first. */
function sequential(port: number, head: string, count: number, body = Buffer.alloc(0)): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let done = 0;
    let started = 0;
    const send = () => {
      socket.write(`${head}Content-Length: ${body.length}\r\n\r\n`);
      if (body.length) socket.write(body);
    };
    messages(socket, () => {
      done++;
      if (done === 1) started = performance.now();
      if (done === count) {
        socket.destroy();
        return resolve((performance.now() - started) / (count - 1));
      }
      send();
    });
    socket.on('error', reject);
    socket.on('connect', send);
  });
}

/** Runs an SDK client in a process of its own (as a function would be), attached to `endpoint`; returns its output. */
function runClient(script: string, endpoint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: process.cwd(), env: { ...process.env, ENDPOINT: endpoint }, timeout: 30_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())),
    );
  });
}

/**
 * Timings on a shared machine only ever come out slower than the truth (a starved relay delivers late, never early),
 * so a bound from above is checked on the best of a few attempts; one from below on every attempt.
 */
async function bestOf(attempts: number, measure: () => Promise<number>, within: (ms: number) => boolean) {
  const seen: number[] = [];
  for (let i = 0; i < attempts; i++) {
    seen.push(await measure());
    if (within(seen[seen.length - 1] as number)) break;
  }
  return { all: seen, best: Math.min(...seen) };
}

describe('shaped relays', () => {
  it('a 48 MB GetObject at 256 MB takes the modelled time (±20 %), from an SDK client in its own process', async () => {
    const attached = await network.attach(256, { s3: s3Server.endpoint });
    const modelled =
      LAMBDA_2026.latency.s3.connectMs +
      requestLatencyMs(LAMBDA_2026, 's3', 'GetObject') +
      (48 * MB * 1000) / bandwidthBytesPerSecond(LAMBDA_2026, 256);
    const once = async () => {
      const out = await runClient(
        `import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
         const client = new S3Client({ endpoint: process.env.ENDPOINT, region: 'us-east-1', forcePathStyle: true,
           credentials: { accessKeyId: 'AKIALAMBENCHTEST0000', secretAccessKey: 'secret' } });
         const started = performance.now();
         const object = await client.send(new GetObjectCommand({ Bucket: 'net', Key: 'big' }));
         let bytes = 0;
         for await (const chunk of object.Body) bytes += chunk.length;
         console.log(JSON.stringify({ bytes, ms: performance.now() - started }));`,
        attached.endpoints.s3 as string,
      );
      const { bytes, ms } = JSON.parse(out) as { bytes: number; ms: number };
      expect(bytes).toBe(48 * MB);
      return ms;
    };
    try {
      const { all, best } = await bestOf(3, once, (ms) => ms < modelled * 1.2);
      for (const ms of all) expect(ms).toBeGreaterThan(modelled * 0.8);
      expect(best).toBeLessThan(modelled * 1.2);
    } finally {
      await attached.close();
    }
  });

  it("shares one bucket between an environment's connections and both directions", async () => {
    const upstream = await rawUpstream(0, 4 * MB);
    const attached = await network.attach(512, { s3: `http://127.0.0.1:${upstream.port}` });
    const port = Number(new URL(attached.endpoints.s3 as string).port);
    try {
      const download = () => sequential(port, 'GET /b/k HTTP/1.1\r\nHost: x\r\n', 2);
      const upload = () => sequential(port, 'PUT /b/k HTTP/1.1\r\nHost: x\r\n', 2, Buffer.alloc(4 * MB));
      // 2 × 2 × 4 MB down, 2 × 4 MB up and their 2 × 4 MB answers, through one 512 MB bucket.
      const transfer = (32 * MB * 1000) / bandwidthBytesPerSecond(LAMBDA_2026, 512);
      const { all, best } = await bestOf(
        3,
        async () => {
          const started = performance.now();
          await Promise.all([download(), download(), upload()]);
          return performance.now() - started;
        },
        (ms) => ms < transfer * 1.3 + 100,
      );
      // Separate buckets would take a third of this.
      for (const ms of all) expect(ms).toBeGreaterThan(transfer * 0.9);
      expect(best).toBeLessThan(transfer * 1.3 + 100);
    } finally {
      await attached.close();
      await upstream.close();
    }
  });

  it('environments of different sizes are shaped apart', async () => {
    const upstream = await rawUpstream(0, 4 * MB);
    const small = await network.attach(128, { s3: `http://127.0.0.1:${upstream.port}` });
    const large = await network.attach(3008, { s3: `http://127.0.0.1:${upstream.port}` });
    expect(small.endpoints.s3).not.toBe(large.endpoints.s3);
    const time = (endpoint?: string) =>
      sequential(Number(new URL(endpoint as string).port), 'GET /b/k HTTP/1.1\r\nHost: x\r\n', 2);
    const expected = (m: number) => 25 + (4 * MB * 1000) / bandwidthBytesPerSecond(LAMBDA_2026, m);
    try {
      const { all } = await bestOf(
        3,
        async () => {
          const [slow, fast] = await Promise.all([time(small.endpoints.s3), time(large.endpoints.s3)]);
          expect(slow).toBeGreaterThan(expected(128) * 0.9);
          expect(fast).toBeGreaterThan(expected(3008) * 0.9);
          return slow < expected(128) * 1.2 && fast < slow / 3 ? 0 : 1;
        },
        (failed) => failed === 0,
      );
      expect(Math.min(...all)).toBe(0);
    } finally {
      await small.close();
      await large.close();
      await upstream.close();
    }
  });

  it("holds each answer until the operation's latency, counting the service's own time towards it", async () => {
    const instant = await rawUpstream(0);
    const slow = await rawUpstream(15);
    const fast = await network.attach(1024, { dynamodb: `http://127.0.0.1:${instant.port}` });
    const busy = await network.attach(1024, { dynamodb: `http://127.0.0.1:${slow.port}` });
    const put = 'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n';
    const batch = 'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.BatchWriteItem\r\n';
    const items = Buffer.from(JSON.stringify({ RequestItems: { t: Array(25).fill({ PutRequest: { Item: {} } }) } }));
    const port = (attached: { endpoints: { dynamodb?: string } }) =>
      Number(new URL(attached.endpoints.dynamodb as string).port);
    const check = async (measure: () => Promise<number>, modelled: number, slack = 3) => {
      const { all, best } = await bestOf(3, measure, (ms) => ms < modelled + slack);
      for (const ms of all) expect(ms).toBeGreaterThan(modelled - 0.5);
      expect(best).toBeLessThan(modelled + slack);
    };
    try {
      await check(() => sequential(port(fast), put, 11), requestLatencyMs(LAMBDA_2026, 'dynamodb', 'PutItem'));
      await check(
        () => sequential(port(fast), batch, 6, items),
        requestLatencyMs(LAMBDA_2026, 'dynamodb', 'BatchWriteItem', 25),
      );
      // The service took 15 ms, more than the model's PutItem: nothing is added.
      // (The service's own 15 ms timer fires late on a loaded machine: more slack.)
      await check(() => sequential(port(busy), put, 6), 15, 6);
    } finally {
      await fast.close();
      await busy.close();
      await instant.close();
      await slow.close();
    }
  });

  it("adds a Lambda Invoke's overhead to the callee's run", async () => {
    const callee = await rawUpstream(20);
    const attached = await network.attach(1024, { lambda: `http://127.0.0.1:${callee.port}` });
    const overhead = requestLatencyMs(LAMBDA_2026, 'lambda', 'Invoke');
    const port = Number(new URL(attached.endpoints.lambda as string).port);
    try {
      const { all, best } = await bestOf(
        3,
        () => sequential(port, 'POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: x\r\n', 6),
        (ms) => ms < 20 + overhead + 4,
      );
      for (const ms of all) expect(ms).toBeGreaterThan(20 + overhead - 0.5);
      expect(best).toBeLessThan(20 + overhead + 4);
    } finally {
      await attached.close();
      await callee.close();
    }
  });

  it('hands https endpoints on unshaped, and says so', async () => {
    const own = new Network(LAMBDA_2026);
    const attached = await own.attach(512, { s3: 'https://s3.example.com' });
    expect(attached.endpoints.s3).toBe('https://s3.example.com');
    const described = own.describe();
    expect('unshaped' in described && described.unshaped).toEqual(['s3: https://s3.example.com']);
    await attached.close();
  });
});
