import { Readable } from 'node:stream';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { csvChunks } from './dataset.js';

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'lambench', secretAccessKey: 'lambench' },
  });
}

/** Streams the seeded dataset into S3 (multipart as needed) without holding it in memory; returns its size. */
export async function uploadCsv(
  endpoint: string,
  target: { bucket: string; key: string; rows: number; seed?: number },
): Promise<{ bytes: number }> {
  const client = s3Client(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: target.bucket }));
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
