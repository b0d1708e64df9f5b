import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LambenchError } from '../../errors.js';
import { startS3Server } from '../../services/s3/index.js';

export interface S3PayloadOptions {
  target: 'local' | 'aws';
  /** Another S3 (moto, MinIO, `lambench serve`'s): --s3-endpoint or LAMBENCH_S3_ENDPOINT. */
  endpoint?: string;
  /** The data dir of the embedded S3 (`lambench data` and `serve` write there): default .lambench/data. */
  dataDir?: string;
}

/**
 * PowerTuning's payloadS3 (utils.fetchPayloadFromS3): the object at s3://bucket/key, parsed as JSON when it is JSON
 * (so it may be a weighted list), else its text. On AWS it is read with the SDK's own configuration; locally from the
 * embedded S3's store (or the endpoint given), so `aws s3 cp event.json s3://…` against `lambench serve` feeds it.
 */
export async function fetchS3Payload(s3Path: string, options: S3PayloadOptions): Promise<unknown> {
  const url = new URL(s3Path);
  const bucket = url.hostname;
  const key = decodeURIComponent(url.pathname).slice(1);
  if (url.protocol !== 's3:' || !bucket || !key) {
    throw new LambenchError('INVALID_ARGUMENT', `Invalid S3 path: "${s3Path}" (bucket: ${bucket}, key: ${key}).`);
  }
  let local: Awaited<ReturnType<typeof startS3Server>> | undefined;
  let endpoint = options.endpoint;
  if (options.target === 'local' && !endpoint) {
    local = await startS3Server({
      dataDir: path.join(path.resolve(options.dataDir ?? path.join('.lambench', 'data')), 's3'),
    });
    endpoint = local.endpoint;
  }
  // The embedded S3 takes any signature; another endpoint gets the SDK's own credentials.
  const client = new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1' } : {}),
    ...(local ? { credentials: { accessKeyId: 'lambench', secretAccessKey: 'lambench' } } : {}),
  });
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await response.Body?.transformToString('utf-8')) ?? '';
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw new LambenchError(
      'INVALID_ARGUMENT',
      status === 404
        ? `The object s3://${bucket}/${key} does not exist${local ? ' in the embedded S3' : ''}.`
        : status === 403
          ? `Permission denied when trying to read s3://${bucket}/${key}.`
          : `Cannot read s3://${bucket}/${key}: ${(error as Error).message}`,
      local
        ? "Upload it first, e.g. aws s3 cp event.json s3://bucket/key --endpoint-url <lambench serve's s3>."
        : undefined,
    );
  } finally {
    client.destroy();
    await local?.close();
  }
}
