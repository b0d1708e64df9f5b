import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonRuntime } from '../../runtimes/python/adapter.js';
import { type Moto, startMoto } from '../../test-helpers/moto.js';
import { Network } from './index.js';
import { bandwidthBytesPerSecond, LAMBDA_2026, requestLatencyMs } from './model.js';

/** An external endpoint (`--s3-endpoint`, here moto's server) is shaped per environment like the embedded one. */
const python = await pythonRuntime.detect();
let moto: Moto | undefined;
const MB = 1024 * 1024;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const client = (endpoint: string) => new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });

describe.skipIf(!python.available)('the network model in front of moto', () => {
  beforeAll(async () => {
    moto = await startMoto(python.path ?? 'python3');
    const direct = client(moto.endpoint);
    await direct.send(new CreateBucketCommand({ Bucket: 'shaped' }));
    await direct.send(new PutObjectCommand({ Bucket: 'shaped', Key: 'k', Body: Buffer.alloc(4 * MB, 5) }));
    direct.destroy();
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it("a GetObject through a 128 MB environment's relay takes at least the modelled time, and arrives whole", async () => {
    const attached = await new Network(LAMBDA_2026).attach(128, { s3: moto?.endpoint as string });
    const shaped = client(attached.endpoints.s3 as string);
    try {
      const started = performance.now();
      const object = await shaped.send(new GetObjectCommand({ Bucket: 'shaped', Key: 'k' }));
      const body = await object.Body?.transformToByteArray();
      const ms = performance.now() - started;
      expect(body?.length).toBe(4 * MB);
      expect(body?.every((byte) => byte === 5)).toBe(true);
      const modelled =
        requestLatencyMs(LAMBDA_2026, 's3', 'GetObject') + (4 * MB * 1000) / bandwidthBytesPerSecond(LAMBDA_2026, 128);
      expect(ms).toBeGreaterThan(modelled * 0.95);
    } finally {
      shaped.destroy();
      await attached.close();
    }
  });
});
