import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { builtInFunctionsDir } from '../src/paths.js';
import { type LocalServices, startLocalServices } from '../src/services/index.js';
import { bandwidthBytesPerSecond, LAMBDA_2026, Network, requestLatencyMs } from '../src/services/network/index.js';
import { LocalTarget } from '../src/targets/local/target.js';

const MB = 1024 * 1024;
let workDir: string;
let engine: Engine;
let services: LocalServices;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-network-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), network: new Network(LAMBDA_2026) });
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 's3-download', 'node'));
  services = await startLocalServices(engine, { dataDir: path.join(workDir, 'data') });
  const s3 = new S3Client({
    endpoint: services.endpoints.s3,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIALAMBENCHTEST0000', secretAccessKey: 'secret' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'net' }));
  await s3.send(new PutObjectCommand({ Bucket: 'net', Key: 'one/object', Body: Buffer.alloc(16 * MB, 1) }));
  s3.destroy();
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await services?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('the network model in the engine', () => {
  it("gives each environment its own shaped endpoints, and a function's S3 download takes at least the model's time", async () => {
    const invoke = async (memoryMB: number) => {
      const result = await engine.invoke({
        functionName: 's3-download-node',
        memoryMB,
        payload: Buffer.from(JSON.stringify({ bucket: 'net', prefix: 'one/' })),
      });
      expect(result.functionError).toBeNull();
      return JSON.parse(result.payload.toString()) as { bytes: number; elapsedMs: number };
    };
    // List + GetObject of 16 MB: the model's floor (the function's own CPU comes on top, as on AWS).
    const floor = (memoryMB: number) =>
      requestLatencyMs(LAMBDA_2026, 's3', 'ListObjects') +
      requestLatencyMs(LAMBDA_2026, 's3', 'GetObject') +
      (16 * MB * 1000) / bandwidthBytesPerSecond(LAMBDA_2026, memoryMB);
    const small = await invoke(256);
    expect(small.bytes).toBe(16 * MB);
    expect(small.elapsedMs).toBeGreaterThan(floor(256) * 0.95);
    const large = await invoke(1769);
    expect(large.elapsedMs).toBeGreaterThan(floor(1769) * 0.95);
    expect(large.elapsedMs).toBeLessThan(small.elapsedMs);
    const network = (await new LocalTarget(engine).environment()).network;
    expect(network?.model).toBe('lambda-2026');
  }, 120_000);
});
