/**
 * The onnx experiment's model: a small image classifier whose weights come from a seed, so the project makes it
 * (no download) and a test can recompute its output independently (`referenceLogits`).
 *
 *   image [N,3,H,W] → (Conv 3×3 → Relu → MaxPool 2×2) × 2 → Conv 3×3 → Relu → GlobalAveragePool → Flatten → Gemm → logits [N,10]
 */
import { seededRandom as prng } from '../../stats/random.js';

export interface ConvLayer {
  inChannels: number;
  outChannels: number;
  /** [out][in][3][3], row-major. */
  weight: Float32Array;
  bias: Float32Array;
  /** Followed by a 2×2 max pool (stride 2); the last conv is followed by a global average pool instead. */
  pool: boolean;
}

export interface CnnWeights {
  convs: ConvLayer[];
  /** [classes][features], as Gemm with transB = 1 reads it. */
  denseWeight: Float32Array;
  denseBias: Float32Array;
  classes: number;
}

const CHANNELS = [3, 32, 64, 128] as const;
export const CLASSES = 10;

/** He-uniform weights (keeps activations in range through the Relu layers), small biases. */
function heUniform(random: () => number, count: number, fanIn: number): Float32Array {
  const limit = Math.sqrt(6 / fanIn);
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * limit);
}

export function cnnWeights(seed: number): CnnWeights {
  const random = prng(seed);
  const convs: ConvLayer[] = [];
  for (let i = 0; i + 1 < CHANNELS.length; i++) {
    const inChannels = CHANNELS[i] as number;
    const outChannels = CHANNELS[i + 1] as number;
    convs.push({
      inChannels,
      outChannels,
      weight: heUniform(random, outChannels * inChannels * 9, inChannels * 9),
      bias: Float32Array.from({ length: outChannels }, () => (random() - 0.5) * 0.1),
      pool: i + 2 < CHANNELS.length,
    });
  }
  const features = CHANNELS[CHANNELS.length - 1] as number;
  return {
    convs,
    denseWeight: heUniform(random, CLASSES * features, features),
    denseBias: Float32Array.from({ length: CLASSES }, () => (random() - 0.5) * 0.1),
    classes: CLASSES,
  };
}

/** Conv 3×3, stride 1, zero padding 1, then Relu. */
function convRelu(input: Float32Array, size: { h: number; w: number }, layer: ConvLayer): Float32Array {
  const { h, w } = size;
  const out = new Float32Array(layer.outChannels * h * w);
  for (let o = 0; o < layer.outChannels; o++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = layer.bias[o] as number;
        for (let c = 0; c < layer.inChannels; c++) {
          for (let ky = 0; ky < 3; ky++) {
            const iy = y + ky - 1;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < 3; kx++) {
              const ix = x + kx - 1;
              if (ix < 0 || ix >= w) continue;
              sum +=
                (input[(c * h + iy) * w + ix] as number) *
                (layer.weight[((o * layer.inChannels + c) * 3 + ky) * 3 + kx] as number);
            }
          }
        }
        out[(o * h + y) * w + x] = Math.max(sum, 0);
      }
    }
  }
  return out;
}

function maxPool(input: Float32Array, channels: number, size: { h: number; w: number }) {
  const h = Math.floor(size.h / 2);
  const w = Math.floor(size.w / 2);
  const out = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = Number.NEGATIVE_INFINITY;
        for (const [dy, dx] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const) {
          best = Math.max(best, input[(c * size.h + 2 * y + dy) * size.w + 2 * x + dx] as number);
        }
        out[(c * h + y) * w + x] = best;
      }
    }
  }
  return { out, size: { h, w } };
}

/** The model's output for one preprocessed image ([3][H][W]), computed in plain TypeScript: the test's oracle. */
export function referenceLogits(weights: CnnWeights, image: Float32Array, height: number, width: number): number[] {
  let data = image;
  let size = { h: height, w: width };
  for (const layer of weights.convs) {
    data = convRelu(data, size, layer);
    if (layer.pool) ({ out: data, size } = maxPool(data, layer.outChannels, size));
  }
  const channels = weights.convs.at(-1)?.outChannels ?? 0;
  const pixels = size.h * size.w;
  const features = Array.from({ length: channels }, (_, c) => {
    let sum = 0;
    for (let i = 0; i < pixels; i++) sum += data[c * pixels + i] as number;
    return sum / pixels;
  });
  return Array.from({ length: weights.classes }, (_, k) => {
    let sum = weights.denseBias[k] as number;
    for (let f = 0; f < channels; f++)
      sum += (features[f] as number) * (weights.denseWeight[k * channels + f] as number);
    return sum;
  });
}

/** Multiply-accumulates per image of `height`×`width`, for reports ("GFLOP per invocation"). */
export function macsPerImage(height: number, width: number): number {
  let macs = 0;
  let h = height;
  let w = width;
  for (let i = 0; i + 1 < CHANNELS.length; i++) {
    macs += h * w * (CHANNELS[i + 1] as number) * (CHANNELS[i] as number) * 9;
    if (i + 2 < CHANNELS.length) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
  }
  return macs + CLASSES * (CHANNELS[CHANNELS.length - 1] as number);
}
