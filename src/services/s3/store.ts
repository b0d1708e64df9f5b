import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsError } from '../../errors.js';
import { type ChecksumAlgorithm, createChecksum } from './checksums.js';

export interface ObjectMeta {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  acl: string;
  /** Data file name inside the bucket's data folder (a new one per write, so a replace is one rename). */
  dataFile: string;
}

export interface BucketMeta {
  name: string;
  created: string;
  acl: string;
}

export const s3Error = (code: string, status: number, message: string) => new AwsError(code, status, message);
export const noSuchBucket = (bucket: string) =>
  s3Error('NoSuchBucket', 404, `The specified bucket does not exist: ${bucket}`);
export const noSuchKey = (key: string) => s3Error('NoSuchKey', 404, `The specified key does not exist: ${key}`);

const keyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Objects on the filesystem: `<root>/<bucket>/bucket.json`, `data/<hash>-<uuid>` (bytes), `meta/<hash>.json`
 * (metadata naming its data file). Writes stream into `tmp/` then rename, and the metadata rename is the commit
 * point: a crash leaves at most an orphan data file, never a half object. Keys are indexed in memory per bucket.
 */
export class ObjectStore {
  readonly #index = new Map<string, Map<string, ObjectMeta>>();
  readonly #buckets = new Map<string, BucketMeta>();

  constructor(readonly root: string) {}

  async load(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const name of await readdir(this.root)) {
      const file = path.join(this.root, name, 'bucket.json');
      if (!existsSync(file)) continue;
      this.#buckets.set(name, JSON.parse(await readFile(file, 'utf8')) as BucketMeta);
      const objects = new Map<string, ObjectMeta>();
      const metaDir = path.join(this.root, name, 'meta');
      for (const entry of existsSync(metaDir) ? await readdir(metaDir) : []) {
        if (!entry.endsWith('.json')) continue;
        const meta = JSON.parse(await readFile(path.join(metaDir, entry), 'utf8')) as ObjectMeta;
        objects.set(meta.key, meta);
      }
      this.#index.set(name, objects);
    }
  }

  bucketDir = (bucket: string) => path.join(this.root, bucket);
  tmpFile = (bucket: string) => path.join(this.root, bucket, 'tmp', randomUUID());

  listBuckets(): BucketMeta[] {
    return [...this.#buckets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  bucket(name: string): BucketMeta {
    const bucket = this.#buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  async createBucket(name: string, acl: string): Promise<boolean> {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
      throw s3Error('InvalidBucketName', 400, `The specified bucket is not valid: ${name}`);
    }
    if (this.#buckets.has(name)) return false;
    const dir = this.bucketDir(name);
    for (const sub of ['data', 'meta', 'tmp', 'uploads']) await mkdir(path.join(dir, sub), { recursive: true });
    const meta: BucketMeta = { name, created: new Date().toISOString(), acl };
    await writeFile(path.join(dir, 'bucket.json'), JSON.stringify(meta));
    this.#buckets.set(name, meta);
    this.#index.set(name, new Map());
    return true;
  }

  async deleteBucket(name: string): Promise<void> {
    this.bucket(name);
    if ((this.#index.get(name)?.size ?? 0) > 0) {
      throw s3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty');
    }
    this.#buckets.delete(name);
    this.#index.delete(name);
    await rm(this.bucketDir(name), { recursive: true, force: true });
  }

  objects(bucket: string): Map<string, ObjectMeta> {
    this.bucket(bucket);
    return this.#index.get(bucket) ?? new Map();
  }

  head(bucket: string, key: string): ObjectMeta {
    const meta = this.objects(bucket).get(key);
    if (!meta) throw noSuchKey(key);
    return meta;
  }

  dataPath(bucket: string, meta: ObjectMeta): string {
    return path.join(this.bucketDir(bucket), 'data', meta.dataFile);
  }

  read(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): Readable {
    return createReadStream(this.dataPath(bucket, meta), range);
  }

  /**
   * Streams `body` into a temp file, computing MD5 and any checksums asked for, then hands the digests to
   * `verify` (which may throw to refuse the object) before committing.
   */
  async write(
    bucket: string,
    key: string,
    body: Readable,
    meta: Omit<ObjectMeta, 'key' | 'size' | 'etag' | 'lastModified' | 'dataFile' | 'checksums'>,
    algorithms: ChecksumAlgorithm[],
    verify: (digests: { md5: string; checksums: Partial<Record<ChecksumAlgorithm, string>> }) => void,
    etagOverride?: string,
  ): Promise<ObjectMeta> {
    this.bucket(bucket);
    const tmp = this.tmpFile(bucket);
    const md5 = createHash('md5');
    const sums = algorithms.map((a) => [a, createChecksum(a)] as const);
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            md5.update(chunk);
            for (const [, sum] of sums) sum.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tmp),
      );
      const md5Hex = md5.digest('hex');
      const checksums = Object.fromEntries(sums.map(([a, s]) => [a, s.digest()]));
      verify({ md5: md5Hex, checksums });
      return await this.commit(bucket, key, tmp, {
        ...meta,
        key,
        size,
        etag: etagOverride ?? `"${md5Hex}"`,
        lastModified: new Date().toISOString(),
        checksums,
        dataFile: '',
      });
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /** Moves a finished temp file in as `key`'s data and makes it visible by renaming its metadata. */
  async commit(bucket: string, key: string, tmp: string, meta: ObjectMeta): Promise<ObjectMeta> {
    const dir = this.bucketDir(bucket);
    const hash = keyHash(key);
    const final: ObjectMeta = { ...meta, dataFile: `${hash}-${randomUUID()}` };
    await rename(tmp, path.join(dir, 'data', final.dataFile));
    const metaTmp = path.join(dir, 'tmp', `${randomUUID()}.json`);
    await writeFile(metaTmp, JSON.stringify(final));
    await rename(metaTmp, path.join(dir, 'meta', `${hash}.json`));
    const previous = this.objects(bucket).get(key);
    this.objects(bucket).set(key, final);
    if (previous) await unlink(path.join(dir, 'data', previous.dataFile)).catch(() => {});
    return final;
  }

  async delete(bucket: string, key: string): Promise<void> {
    const meta = this.objects(bucket).get(key);
    if (!meta) return;
    const dir = this.bucketDir(bucket);
    await unlink(path.join(dir, 'meta', `${keyHash(key)}.json`)).catch(() => {});
    this.objects(bucket).delete(key);
    await unlink(path.join(dir, 'data', meta.dataFile)).catch(() => {});
  }

  async setAcl(bucket: string, key: string, acl: string): Promise<void> {
    const meta = this.head(bucket, key);
    const updated = { ...meta, acl };
    const dir = this.bucketDir(bucket);
    const metaTmp = path.join(dir, 'tmp', `${randomUUID()}.json`);
    await writeFile(metaTmp, JSON.stringify(updated));
    await rename(metaTmp, path.join(dir, 'meta', `${keyHash(key)}.json`));
    this.objects(bucket).set(key, updated);
  }
}
