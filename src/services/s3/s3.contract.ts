import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type ChecksumAlgorithm,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { describe, expect, it } from 'vitest';
import { rawRequest } from '../auth/test-helpers/sign.js';

/** Deterministic bytes, generated as a stream so nothing holds the whole object. */
function generated(bytes: number, seed: number): { stream: () => Readable; sha256: string } {
  const chunk = (i: number) => {
    const b = Buffer.alloc(Math.min(1 << 20, bytes - i * (1 << 20)));
    for (let j = 0; j < b.length; j += 4)
      b.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ (j * seed)) >>> 0, j - (j + 4 > b.length ? j + 4 - b.length : 0));
    return b;
  };
  const count = Math.ceil(bytes / (1 << 20));
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) hash.update(chunk(i));
  return {
    stream: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < count; i++) yield chunk(i);
        })(),
      ),
    sha256: hash.digest('hex'),
  };
}

/** A CRC given in hex, as S3 sends it: its big-endian bytes in base64. */
const hex64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

async function sha256Of(body: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body ?? []) hash.update(chunk);
  return hash.digest('hex');
}

/** One contract for any S3 endpoint, driven by @aws-sdk/client-s3 with its default settings. */
export interface S3Deviations {
  /**
   * The server stores a body whose x-amz-checksum-* does not match it. AWS's documentation decides: S3 rejects such a
   * request with BadDigest (moto 5 accepts it).
   */
  acceptsBadChecksums?: boolean;
}

export function s3Contract(name: string, getEndpoint: () => string, deviations: S3Deviations = {}) {
  const client = () =>
    new S3Client({
      endpoint: getEndpoint(),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  const bucket = `contract-${Math.floor(Math.random() * 1e9)}`;

  describe(`S3 contract: ${name}`, () => {
    it('creates a bucket and round-trips a streamed 20 MB PutObject with default checksums', async () => {
      const s3 = client();
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const data = generated(20 * 1024 * 1024, 7);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'stream/20mb.bin',
          Body: data.stream(),
          ContentLength: 20 * 1024 * 1024,
        }),
      );
      const got = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: 'stream/20mb.bin', ChecksumMode: 'ENABLED' }),
      );
      expect(got.ContentLength).toBe(20 * 1024 * 1024);
      expect(await sha256Of(got.Body as AsyncIterable<Uint8Array>)).toBe(data.sha256);
    });

    // "123456789" is the CRC catalogue's check input: its CRC32C and CRC-64/NVME are published constants.
    const checkInput = '123456789';
    const expected: Record<string, { field: string; value: string }> = {
      CRC32: { field: 'ChecksumCRC32', value: hex64('cbf43926') },
      CRC32C: { field: 'ChecksumCRC32C', value: hex64('e3069283') },
      CRC64NVME: { field: 'ChecksumCRC64NVME', value: hex64('ae8b14860a799888') },
      SHA1: { field: 'ChecksumSHA1', value: createHash('sha1').update(checkInput).digest('base64') },
      SHA256: { field: 'ChecksumSHA256', value: createHash('sha256').update(checkInput).digest('base64') },
    };

    it.each(['CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const)(
      'verifies and returns %s, sent as a header and as an aws-chunked trailer',
      async (algorithm: ChecksumAlgorithm) => {
        const s3 = client();
        const { field, value } = expected[algorithm] as { field: string; value: string };
        const key = `checksums/${algorithm}`;
        // A fixed body: the SDK sends the checksum as a header. A stream: aws-chunked with the checksum as trailer.
        const put = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: checkInput, ChecksumAlgorithm: algorithm }),
        );
        expect((put as unknown as Record<string, unknown>)[field]).toBe(value);
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        expect((head as unknown as Record<string, unknown>)[field]).toBe(value);
        const streamed = generated(3 * 1024 * 1024 + 5, 13);
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${key}-streamed`,
            Body: streamed.stream(),
            ContentLength: 3 * 1024 * 1024 + 5,
            ChecksumAlgorithm: algorithm,
          }),
        );
        // With ChecksumMode the SDK itself checks the body against the returned checksum while it is read.
        const got = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: `${key}-streamed`, ChecksumMode: 'ENABLED' }),
        );
        expect((got as unknown as Record<string, unknown>)[field]).toMatch(/^[A-Za-z0-9+/]+=*$/);
        expect(await sha256Of(got.Body as AsyncIterable<Uint8Array>)).toBe(streamed.sha256);
      },
    );

    it('uploads 100 MB through lib-storage (multipart) byte-identical', async () => {
      const s3 = client();
      const data = generated(100 * 1024 * 1024, 11);
      await new Upload({ client: s3, params: { Bucket: bucket, Key: 'big/100mb.bin', Body: data.stream() } }).done();
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/100mb.bin' }));
      expect(head.ContentLength).toBe(100 * 1024 * 1024);
      expect(head.ETag).toMatch(/-\d+"$/);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big/100mb.bin' }));
      expect(await sha256Of(got.Body as AsyncIterable<Uint8Array>)).toBe(data.sha256);
    });

    it('pages 1,500 keys in two pages and groups by delimiter', async () => {
      const s3 = client();
      const keys = Array.from({ length: 1500 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(
          keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
        );
      }
      const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'many/' }));
      expect(first.KeyCount).toBe(1000);
      expect(first.IsTruncated).toBe(true);
      const second = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'many/', ContinuationToken: first.NextContinuationToken }),
      );
      expect(second.KeyCount).toBe(500);
      expect(second.IsTruncated).toBe(false);
      expect([...(first.Contents ?? []), ...(second.Contents ?? [])].map((o) => o.Key)).toEqual(keys);
      const grouped = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
      expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['big/', 'checksums/', 'many/', 'stream/']);
    });

    it('serves ranges, including suffix ranges, and refuses unsatisfiable ones', async () => {
      const s3 = client();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'range.txt', Body: '0123456789' }));
      const mid = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=2-5' }));
      expect(await mid.Body?.transformToString()).toBe('2345');
      expect(mid.ContentRange).toBe('bytes 2-5/10');
      const suffix = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=-3' }));
      expect(await suffix.Body?.transformToString()).toBe('789');
      await expect(
        s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=20-30' })),
      ).rejects.toMatchObject({
        name: 'InvalidRange',
        $metadata: { httpStatusCode: 416 },
      });
    });

    it('stores canned ACLs and returns the grants', async () => {
      const s3 = client();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public.txt', Body: 'hi', ACL: 'public-read' }));
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'public.txt' }));
      expect(acl.Grants?.map((g) => g.Permission).sort()).toEqual(['FULL_CONTROL', 'READ']);
      expect(acl.Grants?.find((g) => g.Permission === 'READ')?.Grantee?.URI).toBe(
        'http://acs.amazonaws.com/groups/global/AllUsers',
      );
    });

    it('copies, deletes in bulk, and reports NoSuchKey / NoSuchBucket', async () => {
      const s3 = client();
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'src.txt', Body: 'copy me', Metadata: { colour: 'blue' } }),
      );
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst.txt', CopySource: `${bucket}/src.txt` }));
      const copied = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst.txt' }));
      expect(await copied.Body?.transformToString()).toBe('copy me');
      expect(copied.Metadata?.colour).toBe('blue');
      await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'src.txt' }, { Key: 'dst.txt' }] } }),
      );
      await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst.txt' }))).rejects.toMatchObject({
        name: 'NoSuchKey',
      });
      await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-x', Key: 'k' }))).rejects.toMatchObject({
        name: 'NoSuchBucket',
      });
    });

    it.skipIf(deviations.acceptsBadChecksums).each([
      ['crc32', 'AAAAAA=='],
      ['crc64nvme', 'AAAAAAAAAAA='],
    ])('rejects a body whose %s does not match with BadDigest', async (algorithm, wrong) => {
      const key = `bad-${algorithm}.txt`;
      // Signed by the SDK's own signer (the services refuse unsigned requests), sent without the SDK's checksums.
      const answer = await rawRequest(
        getEndpoint(),
        {
          method: 'PUT',
          path: `/${bucket}/${key}`,
          headers: { [`x-amz-checksum-${algorithm}`]: wrong, 'Content-Length': '5' },
          body: 'hello',
        },
        { service: 's3' },
      );
      const status = { code: answer.status, body: answer.body };
      expect(status.code).toBe(400);
      expect(status.body).toContain('<Code>BadDigest</Code>');
      await expect(client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });
    });
  });
}
