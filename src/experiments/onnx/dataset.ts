import { PutObjectCommand } from '@aws-sdk/client-s3';
import { seededRandom as prng } from '../../stats/random.js';
import { ensureBucket, s3Client } from '../csv-etl/upload.js';
import { modelForSeed } from './model.js';

export const ONNX_SEED = 1769;

/**
 * Image `index` of the seeded set: soft colour gradients, a few discs and noise, so neighbouring pixels correlate
 * as in photographs and the activations are not all alike. Interleaved RGB, `size`×`size`.
 */
export function syntheticImage(index: number, size: number, seed = ONNX_SEED): Uint8Array {
  const random = prng(seed * 7919 + index);
  const base = [random(), random(), random()].map((v) => v * 255);
  const slope = [random(), random(), random()].map((v) => (v - 0.5) * 2);
  const discs = Array.from({ length: 3 }, () => ({
    x: random() * size,
    y: random() * size,
    r: (0.1 + random() * 0.25) * size,
    rgb: [random() * 255, random() * 255, random() * 255],
  }));
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const disc = discs.find((d) => (x - d.x) ** 2 + (y - d.y) ** 2 < d.r ** 2);
      for (let c = 0; c < 3; c++) {
        const value = disc
          ? (disc.rgb[c] as number)
          : (base[c] as number) + (slope[c] as number) * (x + y) * (128 / size);
        pixels[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(value + (random() - 0.5) * 24)));
      }
    }
  }
  return pixels;
}

/** Binary PPM (P6): the header, then the raw RGB bytes. */
export function encodePpm(pixels: Uint8Array, width: number, height: number): Buffer {
  return Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), pixels]);
}

export interface OnnxDataset {
  bucket: string;
  modelKey: string;
  prefix: string;
  images: number;
  size: number;
  modelBytes: number;
}

/** The seeded model and `images` seeded PPM images of `size`×`size` into S3 under `onnx/<size>/`. */
export async function uploadOnnxDataset(
  endpoint: string | undefined,
  target: { bucket: string; images: number; size: number; seed?: number },
): Promise<OnnxDataset> {
  const seed = target.seed ?? ONNX_SEED;
  const client = s3Client(endpoint);
  const root = `onnx/${seed}/${target.size}/`;
  try {
    await ensureBucket(client, target.bucket);
    const model = modelForSeed(seed);
    await client.send(new PutObjectCommand({ Bucket: target.bucket, Key: `${root}model.onnx`, Body: model }));
    for (let i = 0; i < target.images; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, target.images - i) }, (_, j) =>
          client.send(
            new PutObjectCommand({
              Bucket: target.bucket,
              Key: `${root}images/${String(i + j).padStart(4, '0')}.ppm`,
              Body: encodePpm(syntheticImage(i + j, target.size, seed), target.size, target.size),
              ContentType: 'image/x-portable-pixmap',
            }),
          ),
        ),
      );
    }
    return {
      bucket: target.bucket,
      modelKey: `${root}model.onnx`,
      prefix: `${root}images/`,
      images: target.images,
      size: target.size,
      modelBytes: model.length,
    };
  } finally {
    client.destroy();
  }
}
