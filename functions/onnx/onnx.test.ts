import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { s3Client } from '../../src/experiments/csv-etl/upload.js';
import { cnnWeights, referenceLogits } from '../../src/experiments/onnx/cnn.js';
import { type OnnxDataset, syntheticImage, uploadOnnxDataset } from '../../src/experiments/onnx/dataset.js';
import { startS3Server } from '../../src/services/s3/index.js';

const SEED = 42;
const SIZE = 24;
let engine: Engine;
let dir: string;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let data: OnnxDataset;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-onnx-'));
  s3 = await startS3Server({ dataDir: path.join(dir, 's3') });
  engine = await Engine.create({
    cacheDir: path.resolve('.lambench', 'cache'),
    endpoints: { s3: s3.endpoint },
    isolation: 'none',
  });
  await engine.functions.registerFolder(path.join(import.meta.dirname, 'node'));
  data = await uploadOnnxDataset(s3.endpoint, { bucket: 'onnx', images: 6, size: SIZE, seed: SEED });
}, 600_000);

afterAll(async () => {
  await engine?.close();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The test's own preprocessing, written independently of the function's: planar RGB, (v/255 − 0.5)/0.25. */
function expectedLogits(index: number): number[] {
  const rgb = syntheticImage(index, SIZE, SEED);
  const planar = new Float32Array(3 * SIZE * SIZE);
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < SIZE * SIZE; p++) planar[c * SIZE * SIZE + p] = ((rgb[p * 3 + c] as number) / 255 - 0.5) / 0.25;
  return referenceLogits(cnnWeights(SEED), planar, SIZE, SIZE);
}

const invoke = async (payload: object) => {
  const result = await engine.invoke({ functionName: 'onnx-node', payload: JSON.stringify(payload), memoryMB: 1769 });
  return { result, body: JSON.parse(result.payload.toString()) };
};

describe('onnx-node', () => {
  it.each([1, 2])(
    'classifies every image as the reference forward pass does (%i intra-op threads)',
    async (threads) => {
      const { result, body } = await invoke({ ...data, threads });
      expect(result.errorType, JSON.stringify(body)).toBeNull();
      expect(body).toMatchObject({ images: 6, threads });
      for (let i = 0; i < 6; i++) {
        const expected = expectedLogits(i);
        const got = body.logits[i] as number[];
        expect(got).toHaveLength(10);
        // float32 sums in a different order: agreement to ~1e-4 of the logits' scale.
        const scale = Math.max(...expected.map(Math.abs));
        for (const [k, value] of got.entries()) {
          expect(Math.abs(value - (expected[k] as number))).toBeLessThan(1e-4 * scale + 1e-5);
        }
        expect(body.top1[i]).toBe(expected.indexOf(Math.max(...expected)));
      }
      // Different seeds give different images, so the classes are not all the same one.
      expect(new Set(body.logits.map((l: number[]) => l[0])).size).toBe(6);
    },
  );

  it('keeps the loaded model while warm: the second call loads no model', async () => {
    await invoke({ ...data, threads: 1 });
    const { result, body } = await invoke({ ...data, threads: 1 });
    expect(result.cold).toBe(false);
    expect(result.errorType).toBeNull();
    expect(body.images).toBe(6);
  });

  it('names what is missing or malformed', async () => {
    const missing = await invoke({ bucket: data.bucket });
    expect(missing.result.errorType).toBe('TypeError');
    expect(missing.body.errorMessage).toMatch(/modelKey/);

    const client = s3Client(s3.endpoint);
    await client.send(new PutObjectCommand({ Bucket: 'onnx', Key: 'broken/0000.ppm', Body: 'GIF89a not a ppm' }));
    client.destroy();
    const broken = await invoke({ ...data, prefix: 'broken/' });
    expect(broken.result.errorType).toBe('Error');
    expect(broken.body.errorMessage).toMatch(/broken\/0000\.ppm is not an 8-bit binary PPM/);

    const badThreads = await invoke({ ...data, threads: -1 });
    expect(badThreads.body.errorMessage).toMatch(/"threads" must be a whole number/);
  });
});
