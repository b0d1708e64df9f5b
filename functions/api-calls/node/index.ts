import { GetObjectAclCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

interface Event {
  bucket?: string;
  prefix?: string;
  mode?: 'serial' | 'all-at-once' | 'pool';
  poolSize?: number;
}

/** api-calls (Trek10 2020): ListObjectsV2, then GetObjectAcl for each object — serial, all at once, or a pool. */
export const handler = async (event: Event) => {
  if (!event.bucket) throw new TypeError('The payload needs "bucket" (and optionally "prefix").');
  const bucket = event.bucket;
  const mode = event.mode ?? 'serial';
  const started = performance.now();
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: event.prefix ?? '' }));
  const keys = (listed.Contents ?? []).map((o) => o.Key as string);
  const acl = (Key: string) => s3.send(new GetObjectAclCommand({ Bucket: bucket, Key }));
  let grants = 0;
  if (mode === 'serial') {
    for (const key of keys) {
      const answer = await acl(key);
      grants += answer.Grants?.length ?? 0;
    }
  } else if (mode === 'all-at-once') {
    grants = (await Promise.all(keys.map(acl))).reduce((n, r) => n + (r.Grants?.length ?? 0), 0);
  } else if (mode === 'pool') {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(event.poolSize ?? 10, keys.length) }, async () => {
        while (next < keys.length) {
          // Read the answer first: `grants += await …` would add to a stale value across workers.
          const answer = await acl(keys[next++] as string);
          grants += answer.Grants?.length ?? 0;
        }
      }),
    );
  } else {
    throw new RangeError(`mode must be serial, all-at-once or pool, not ${mode}`);
  }
  return { mode, objects: keys.length, grants, elapsedMs: Math.round(performance.now() - started) };
};
