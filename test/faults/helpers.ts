import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { builtInFunctionsDir } from '../../src/paths.js';
import { privateTmpUnavailable } from '../../src/sandbox/tmp.js';
import type { Credentials } from '../../src/services/auth/sigv4.js';
import { rawRequest } from '../../src/services/auth/test-helpers/sign.js';
import { startLocalServices } from '../../src/services/index.js';

export {
  type RawAnswer,
  type RawRequest,
  rawRequest,
  type Signer,
  signedHeaders,
} from '../../src/services/auth/test-helpers/sign.js';

/**
 * What `lambench serve` runs, in this process: an engine with hello-node registered, the Lambda API, S3 and
 * DynamoDB on 127.0.0.1 ephemeral ports, under a fresh data dir. Shared by the fault tests.
 */
export interface Served {
  engine: Engine;
  endpoints: { lambda: string; s3: string; dynamodb: string };
  workDir: string;
  close(): Promise<void>;
}

export async function startServe(options: { credentials?: Credentials; functions?: string[] } = {}): Promise<Served> {
  // Outside /tmp where functions get a private one: it would hide the unpacked code and the runtime client.
  const root = privateTmpUnavailable() === null;
  const workDir = await mkdtemp(path.join(root ? '/var/tmp' : os.tmpdir(), 'lambench-faults-'));
  // One build cache for every engine in this process, as the CLI's `.lambench/cache`: the Node runtime client's
  // bundle path is remembered per process, so a cache removed with an earlier workDir would be looked for again.
  const engine = await Engine.create({ cacheDir: path.resolve('.lambench', 'cache') });
  for (const folder of options.functions ?? [path.join(builtInFunctionsDir, 'hello', 'node')]) {
    await engine.functions.registerFolder(folder);
  }
  const services = await startLocalServices(engine, {
    dataDir: path.join(workDir, 'data'),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return {
    engine,
    endpoints: services.endpoints,
    workDir,
    close: async () => {
      await services.close();
      await engine.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** This process's open file descriptors (sockets included), to show that nothing leaks. */
export const openFds = () => readdirSync('/proc/self/fd').length;

export const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

/** DynamoDB's ListTables as the SDK sends it (sign it with `{ service: 'dynamodb' }`). */
export const LIST_TABLES = {
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
  body: '{}',
};

/** The three services still answer a signed request: hello-node invoked (echo), S3's ListBuckets, DynamoDB's ListTables. */
export async function stillServes(served: Served): Promise<void> {
  const path = '/2015-03-31/functions/hello-node/invocations';
  const invoke = await rawRequest(
    served.endpoints.lambda,
    { method: 'POST', path, body: '{"echo":1}' },
    { service: 'lambda' },
  );
  if (invoke.status !== 200 || json(invoke.body).echo !== 1)
    throw new Error(`Invoke answered ${invoke.status} ${invoke.body}`);
  const s3 = await rawRequest(served.endpoints.s3, { path: '/' }, { service: 's3' });
  if (s3.status !== 200) throw new Error(`S3 answered ${s3.status} ${s3.body}`);
  const tables = await rawRequest(served.endpoints.dynamodb, LIST_TABLES, { service: 'dynamodb' });
  if (tables.status !== 200 || !Array.isArray(json(tables.body).TableNames))
    throw new Error(`DynamoDB answered ${tables.status} ${tables.body}`);
}

/**
 * Sends a request's head and only the first `sendBytes` of its body, then waits for the answer (or `timeoutMs`):
 * shows whether a server answers an oversized body before it has all arrived.
 */
export function partialUpload(
  endpoint: string,
  head: { method: string; path: string; headers: Record<string, string> },
  sendBytes: number,
  timeoutMs = 10_000,
): Promise<{ status: number; text: string } | 'no answer'> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let text = '';
    const done = (value: { status: number; text: string } | 'no answer') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done('no answer'), timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (end >= 0 && length !== undefined && text.length >= end + 4 + Number(length)) {
        done({ status: Number(text.slice(9, 12)), text });
      }
    });
    socket.on('error', () => done(text ? { status: Number(text.slice(9, 12)), text } : 'no answer'));
    socket.on('close', () => done(text ? { status: Number(text.slice(9, 12)), text } : 'no answer'));
    const lines = [
      `${head.method} ${head.path} HTTP/1.1`,
      ...Object.entries(head.headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    socket.write(Buffer.alloc(sendBytes, 0x20));
  });
}
