import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const self = fileURLToPath(import.meta.url);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

// This file is also the worker: a thread hashing what it is handed, or a child process doing the same over IPC.
if (!isMainThread) parentPort?.postMessage((workerData as Uint8Array[]).map(sha256));
if (process.env.LAMBENCH_DEDUPE_CHILD) {
  process.once('message', (files: Uint8Array[]) => process.send?.(files.map(sha256), () => process.exit(0)));
}

function inThread(files: Uint8Array[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(self, { workerData: files });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

function inProcess(files: Uint8Array[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = fork(self, [], {
      env: { ...process.env, LAMBENCH_DEDUPE_CHILD: '1' },
      serialization: 'advanced',
      stdio: 'ignore',
    });
    child.once('message', (hashes) => resolve(hashes as string[]));
    child.once('error', reject);
    child.send(files);
  });
}

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/** dedupe: download every object under a prefix, SHA-256 them across workers, count the distinct ones. */
export const handler = async (event: {
  bucket?: string;
  prefix?: string;
  workers?: number;
  mode?: 'threads' | 'processes';
}) => {
  if (!event.bucket) throw new TypeError('The payload needs "bucket" (and optionally "prefix").');
  const workers = event.workers ?? 2;
  const mode = event.mode ?? 'threads';
  if (mode !== 'threads' && mode !== 'processes') throw new RangeError('mode must be "threads" or "processes"');
  const started = performance.now();
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: event.bucket, Prefix: event.prefix ?? '' }));
  const files = await Promise.all(
    (listed.Contents ?? []).map(async (o) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: o.Key }));
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    }),
  );
  const downloadedMs = performance.now() - started;
  const shares = Array.from({ length: workers }, (_, w) => files.filter((_, i) => i % workers === w));
  const hashes = (await Promise.all(shares.map(mode === 'threads' ? inThread : inProcess))).flat();
  const unique = new Set(hashes).size;
  return {
    mode,
    workers,
    files: files.length,
    unique,
    duplicates: files.length - unique,
    bytes: files.reduce((n, f) => n + f.length, 0),
    downloadMs: Math.round(downloadedMs),
    elapsedMs: Math.round(performance.now() - started),
  };
};
