import { Readable } from 'node:stream';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { csvChunks } from './dataset.js';

/** A client for the embedded S3 at `endpoint`, or, without one, for S3 itself through the SDK's default chain. */
export function s3Client(endpoint: string | undefined): S3Client {
  if (endpoint === undefined) return new S3Client({});
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'lambench', secretAccessKey: 'lambench' },
  });
}

/** Creates `bucket` unless it exists (on AWS, the user's own bucket is used as it is). */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    (error: { $metadata?: { httpStatusCode?: number } }) => {
      if (error.$metadata?.httpStatusCode === 404) return false;
      throw error;
    },
  );
  if (!exists) await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Streams the seeded dataset into S3 (multipart as needed) without holding it in memory; returns its size. */
export async function uploadCsv(
  endpoint: string | undefined,
  target: { bucket: string; key: string; rows: number; seed?: number },
): Promise<{ bytes: number }> {
  const client = s3Client(endpoint);
  try {
    await ensureBucket(client, target.bucket);
    let bytes = 0;
    const body = Readable.from(
      (function* () {
        for (const chunk of csvChunks(target.rows, target.seed)) {
          const buffer = Buffer.from(chunk);
          bytes += buffer.length;
          yield buffer;
        }
      })(),
    );
    await new Upload({
      client,
      params: { Bucket: target.bucket, Key: target.key, Body: body, ContentType: 'text/csv' },
    }).done();
    return { bytes };
  } finally {
    client.destroy();
  }
}
