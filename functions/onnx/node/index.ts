import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import * as ort from 'onnxruntime-node';
import { decodePpm, toTensorData } from './image.js';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

interface OnnxEvent {
  bucket?: string;
  /** The .onnx model's key. */
  modelKey?: string;
  /** Every object under this prefix is an image to classify. */
  prefix?: string;
  /** onnxruntime's intra-op threads; 0 lets onnxruntime choose (one per core it sees). */
  threads?: number;
  /**
   * Let idle intra-op threads spin-wait for work (onnxruntime's default). Spinning burns CPU quota that a
   * fractional vCPU cannot spare; false makes them sleep instead.
   */
  spin?: boolean;
}

/** Loaded once per environment and kept while it is warm, as a deployed function keeps its model. */
const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function getBytes(bucket: string, key: string): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body.`);
  return object.Body.transformToByteArray();
}

function session(bucket: string, modelKey: string, threads: number, spin: boolean): Promise<ort.InferenceSession> {
  const id = `${bucket}/${modelKey}#${threads}#${spin}`;
  let pending = sessions.get(id);
  if (!pending) {
    pending = getBytes(bucket, modelKey).then((bytes) =>
      ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } },
      }),
    );
    pending.catch(() => sessions.delete(id));
    sessions.set(id, pending);
  }
  return pending;
}

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

const argmax = (values: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
};

/**
 * onnx (nogibjj write-up idea): classify every image under a prefix, one image per run as a request-serving
 * function does, with onnxruntime-node's intra-op threads as the knob to compare against memory (= vCPUs).
 */
export const handler = async (event: OnnxEvent) => {
  const { bucket, modelKey, prefix } = event;
  if (!bucket || !modelKey || prefix === undefined) {
    throw new TypeError('The payload needs "bucket", "modelKey" and "prefix" (and optionally "threads").');
  }
  const threads = event.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 0) {
    throw new TypeError(`"threads" must be a whole number ≥ 0 (0 = onnxruntime's choice); got ${event.threads}.`);
  }
  const spin = event.spin ?? true;
  const loadStarted = performance.now();
  const [model, keys] = await Promise.all([session(bucket, modelKey, threads, spin), listKeys(bucket, prefix)]);
  if (keys.length === 0) throw new Error(`No images under s3://${bucket}/${prefix}.`);
  const images = await Promise.all(keys.map(async (key) => decodePpm(await getBytes(bucket, key), key)));
  const loadMs = performance.now() - loadStarted;
  const inferStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  const logits: number[][] = [];
  for (const image of images) {
    const input = new ort.Tensor('float32', toTensorData(image), [1, 3, image.height, image.width]);
    const output = await model.run({ [model.inputNames[0] as string]: input });
    const values = output[model.outputNames[0] as string]?.data as Float32Array;
    logits.push(Array.from(values));
    input.dispose();
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    images: images.length,
    threads,
    spin,
    top1: logits.map(argmax),
    logits,
    loadMs: Math.round(loadMs),
    inferenceMs: Math.round(performance.now() - inferStarted),
    /** CPU time of every thread of the process during inference: above inferenceMs means threads ran in parallel (or spun). */
    inferenceCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
};
