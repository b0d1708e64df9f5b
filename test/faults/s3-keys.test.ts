import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type Served, startServe } from './helpers.js';

/** S3 keys are opaque strings: no path normalisation, no escape from the store's folder, AWS's 1,024-byte limit. */
let served: Served;
let s3: S3Client;
const BUCKET = 'keys';

beforeAll(async () => {
  served = await startServe({ functions: [] });
  s3 = new S3Client({
    endpoint: served.endpoints.s3,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await served?.close();
});

const text = async (key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString();

const HOSTILE = ['../escape', '.', '..', './dot', 'a/../../b', '../../../../etc/passwd', 'x/./y', '%2e%2e'];

describe('keys that look like paths', () => {
  it.each(HOSTILE)('%s round-trips through Put, Get, List, Copy and Delete in its bucket', async (key) => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
    expect(await text(key)).toBe(`body of ${key}`);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
    expect(listed.Contents?.map((o) => o.Key)).toContain(key);
    const copy = `${key}.copy`;
    await s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: copy, CopySource: `${BUCKET}/${encodeURIComponent(key)}` }),
    );
    expect(await text(copy)).toBe(`body of ${key}`);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: copy }));
    await expect(text(key)).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('a multipart upload of ../escape completes as that key', async () => {
    const key = '../escape-multipart';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'one part' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(await text(key)).toBe('one part');
  });

  it('nothing was created outside the bucket: no other bucket, no file beside the store', async () => {
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
    const root = path.join(served.workDir, 'data', 's3');
    expect(await readdir(root)).toEqual([BUCKET]);
    expect((await readdir(path.join(served.workDir, 'data'))).sort()).toEqual(['dynamodb', 's3']);
  });

  it('a raw `PUT /bucket/.` is an object, not a bucket request', async () => {
    const put = await rawRequest(
      served.endpoints.s3,
      { method: 'PUT', path: `/${BUCKET}/.`, body: 'dot' },
      { service: 's3' },
    );
    expect(put.status).toBe(200);
    expect(await text('.')).toBe('dot');
  });
});

describe("S3's key length limit: 1,024 bytes of UTF-8", () => {
  it('1,024 bytes is a key; 1,025 is KeyTooLongError', async () => {
    const longest = `${'é'.repeat(511)}xx`; // 1,024 bytes
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: longest, Body: 'long' }));
    expect(await text(longest)).toBe('long');
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${longest}x`, Body: 'too long' })),
    ).rejects.toMatchObject({
      name: 'KeyTooLongError',
      message: 'Your key is too long',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
