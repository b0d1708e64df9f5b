import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

interface Event {
  bucket?: string;
  prefix?: string;
  /** The original times only the response headers; reading the body is the realistic default. */
  readBody?: boolean;
}

/** s3-download (Marchusness/lambda-performance): list a prefix, then GetObject every object in parallel. */
export const handler = async (event: Event) => {
  if (!event.bucket) throw new TypeError('The payload needs "bucket" (and optionally "prefix").');
  const readBody = event.readBody ?? true;
  const started = performance.now();
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: event.bucket, Prefix: event.prefix ?? '' }));
  const keys = (listed.Contents ?? []).map((o) => o.Key as string);
  const sizes = await Promise.all(
    keys.map(async (Key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key }));
      if (!readBody) {
        (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return 0;
      }
      return (await object.Body?.transformToByteArray())?.length ?? 0;
    }),
  );
  return {
    objects: keys.length,
    bytes: sizes.reduce((a, b) => a + b, 0),
    readBody,
    elapsedMs: Math.round(performance.now() - started),
  };
};
