import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { s3Client } from '../src/experiments/csv-etl/upload.js';
import { cargoVersion } from '../src/runtimes/provided/cargo.js';
import { pythonRuntime } from '../src/runtimes/python/adapter.js';
import { startS3Server } from '../src/services/s3/index.js';

const python = (await pythonRuntime.detect()).available;
const cargo = (await cargoVersion()) !== null;
let engine: Engine;
let dir: string;
let s3: Awaited<ReturnType<typeof startS3Server>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-s3w-'));
  s3 = await startS3Server({ dataDir: path.join(dir, 's3') });
  engine = await Engine.create({
    cacheDir: path.resolve('.lambench', 'cache'),
    endpoints: { s3: s3.endpoint },
    isolation: 'none',
  });
  for (const w of ['s3-download', 'api-calls', 'dedupe']) {
    for (const lang of python ? ['node', 'python'] : ['node'])
      await engine.functions.registerFolder(path.join(import.meta.dirname, w, lang));
  }
  if (cargo) await engine.functions.registerFolder(path.join(import.meta.dirname, 'dedupe', 'rust'));
  const client = s3Client(s3.endpoint);
  await client.send(new CreateBucketCommand({ Bucket: 'work' }));
  for (let i = 0; i < 20; i++) {
    await client.send(
      new PutObjectCommand({ Bucket: 'work', Key: `download/${i}.bin`, Body: Buffer.alloc(64 * 1024, i) }),
    );
  }
  for (let i = 0; i < 100; i++) {
    await client.send(
      new PutObjectCommand({ Bucket: 'work', Key: `acl/${i}.txt`, Body: 'x', ACL: i % 2 ? 'public-read' : 'private' }),
    );
  }
  // dedupe: 100 files of 1 MB, 50 of them identical.
  for (let i = 0; i < 100; i++) {
    const body = i < 50 ? Buffer.alloc(1 << 20, 7) : Buffer.alloc(1 << 20, i);
    await client.send(new PutObjectCommand({ Bucket: 'work', Key: `dedupe/${i}.bin`, Body: body }));
  }
  client.destroy();
  // pip installs (boto3, aioboto3) happen once and are cached.
  if (python)
    for (const f of ['s3-download-python', 'api-calls-python'])
      await engine.invoke({ functionName: f, payload: '{"bucket":"work","prefix":"none/"}' });
}, 600_000);

afterAll(async () => {
  await engine?.close();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

const call = async (functionName: string, payload: object) => {
  const result = await engine.invoke({ functionName, payload: JSON.stringify(payload) });
  const body = JSON.parse(result.payload.toString());
  expect(result.errorType, JSON.stringify(body)).toBeNull();
  return body;
};

describe('s3-download and api-calls workloads', () => {
  const languages = python ? ['node', 'python'] : ['node'];

  it.each(languages)('s3-download-%s lists and downloads every object, with or without the body', async (lang) => {
    expect(await call(`s3-download-${lang}`, { bucket: 'work', prefix: 'download/' })).toMatchObject({
      objects: 20,
      bytes: 20 * 64 * 1024,
    });
    expect(await call(`s3-download-${lang}`, { bucket: 'work', prefix: 'download/', readBody: false })).toMatchObject({
      objects: 20,
      bytes: 0,
    });
  });

  it.each(
    languages.flatMap((lang) =>
      (lang === 'node' ? ['serial', 'all-at-once', 'pool'] : ['serial', 'threads', 'aioboto3']).map((mode) => [
        lang,
        mode,
      ]),
    ),
  )('api-calls-%s (%s) reads every object ACL', async (lang, mode) => {
    // public-read objects have 2 grants (owner + AllUsers), private ones 1.
    expect(await call(`api-calls-${lang}`, { bucket: 'work', prefix: 'acl/', mode })).toMatchObject({
      mode,
      objects: 100,
      grants: 150,
    });
  });

  it.each(languages.flatMap((lang) => ['threads', 'processes'].map((mode) => [lang, mode])))(
    'dedupe-%s (%s) finds the 49 duplicates among 100 files',
    async (lang, mode) => {
      expect(await call(`dedupe-${lang}`, { bucket: 'work', prefix: 'dedupe/', mode, workers: 2 })).toMatchObject({
        files: 100,
        unique: 51,
        duplicates: 49,
        bytes: 100 << 20,
      });
    },
  );

  it.skipIf(!cargo)(
    'dedupe-rust finds the 49 duplicates among 100 files, on threads',
    { timeout: 900_000 },
    async () => {
      expect(await call('dedupe-rust', { bucket: 'work', prefix: 'dedupe/', workers: 2 })).toMatchObject({
        files: 100,
        unique: 51,
        duplicates: 49,
        bytes: 100 << 20,
      });
    },
  );
});
