import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { XMLParser } from 'fast-xml-parser';
import { cannedAcl, requestMetadata } from './objects.js';
import {
  bodyOf,
  entityTooLarge,
  MAX_OBJECT_BYTES,
  MAX_XML_BYTES,
  requestedChecksums,
  type S3Request,
  sendEmpty,
  sendXml,
  verifyDigests,
  xmlTooLarge,
} from './request.js';
import { type ObjectStore, s3Error } from './store.js';
import { doc, el } from './xml.js';

const MIN_PART_BYTES = 5 * 1024 * 1024;
const parser = new XMLParser({ isArray: (name) => name === 'Part' || name === 'Object' });

interface Upload {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  acl: string;
  initiated: string;
}

const uploadDir = (store: ObjectStore, bucket: string, id: string) => {
  if (!/^[\w-]+$/.test(id)) throw s3Error('NoSuchUpload', 404, 'The specified upload does not exist.');
  return path.join(store.bucketDir(bucket), 'uploads', id);
};

async function readUpload(store: ObjectStore, r: S3Request, id: string): Promise<Upload> {
  store.bucket(r.bucket);
  try {
    const upload = JSON.parse(
      await readFile(path.join(uploadDir(store, r.bucket, id), 'upload.json'), 'utf8'),
    ) as Upload;
    if (upload.key !== r.key) throw new Error('other key');
    return upload;
  } catch {
    throw s3Error(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    );
  }
}

async function readXml(r: S3Request): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyOf(r.req, MAX_XML_BYTES, xmlTooLarge).stream) chunks.push(chunk as Buffer);
  try {
    return parser.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw s3Error(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  }
}

export async function createUpload(store: ObjectStore, r: S3Request): Promise<void> {
  store.bucket(r.bucket);
  r.req.resume();
  const id = randomUUID().replaceAll('-', '');
  const dir = uploadDir(store, r.bucket, id);
  await mkdir(dir, { recursive: true });
  const upload: Upload = { key: r.key, ...requestMetadata(r), acl: cannedAcl(r), initiated: new Date().toISOString() };
  await writeFile(path.join(dir, 'upload.json'), JSON.stringify(upload));
  sendXml(r, 200, doc('InitiateMultipartUploadResult', el('Bucket', r.bucket) + el('Key', r.key) + el('UploadId', id)));
}

export async function uploadPart(store: ObjectStore, r: S3Request, id: string, partNumber: number): Promise<void> {
  await readUpload(store, r, id);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
    throw s3Error('InvalidArgument', 400, 'Part number must be an integer between 1 and 10000, inclusive');
  }
  const dir = uploadDir(store, r.bucket, id);
  const body = bodyOf(r.req, MAX_OBJECT_BYTES, entityTooLarge);
  const tmp = path.join(dir, `part-${partNumber}.${randomUUID()}.tmp`);
  const md5 = createHash('md5');
  const { createChecksum } = await import('./checksums.js');
  const sums = requestedChecksums(r.req).map((a) => [a, createChecksum(a)] as const);
  await pipeline(
    body.stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        md5.update(chunk);
        for (const [, s] of sums) s.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(tmp),
  );
  const digest = md5.digest('hex');
  const checksums = Object.fromEntries(sums.map(([a, s]) => [a, s.digest()]));
  try {
    verifyDigests(r.req, body.trailers(), { md5: digest, checksums });
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await rename(tmp, path.join(dir, `part-${partNumber}`));
  await writeFile(path.join(dir, `part-${partNumber}.etag`), `"${digest}"`);
  const headers: Record<string, string> = { ETag: `"${digest}"` };
  for (const [a, v] of Object.entries(checksums)) headers[`x-amz-checksum-${a}`] = v;
  sendEmpty(r, 200, headers);
}

export async function completeUpload(store: ObjectStore, r: S3Request, id: string): Promise<void> {
  const upload = await readUpload(store, r, id);
  const dir = uploadDir(store, r.bucket, id);
  const xml = await readXml(r);
  const parts = (
    (xml.CompleteMultipartUpload as { Part?: Array<{ PartNumber: number; ETag: string }> })?.Part ?? []
  ).map((p) => ({ number: Number(p.PartNumber), etag: String(p.ETag).replaceAll('&quot;', '"') }));
  if (parts.length === 0) throw s3Error('MalformedXML', 400, 'You must specify at least one part.');
  const md5s: Buffer[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0 && part.number <= (parts[i - 1]?.number ?? 0)) {
      throw s3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order.');
    }
    const file = path.join(dir, `part-${part.number}`);
    const etag = existsSync(file) ? await readFile(`${file}.etag`, 'utf8') : null;
    const normalized = part.etag.startsWith('"') ? part.etag : `"${part.etag}"`;
    if (etag === null || etag !== normalized) {
      throw s3Error('InvalidPart', 400, `One or more of the specified parts could not be found (part ${part.number}).`);
    }
    if (i < parts.length - 1 && (await stat(file)).size < MIN_PART_BYTES) {
      throw s3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
    }
    md5s.push(Buffer.from(etag.slice(1, -1), 'hex'));
  }
  const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}"`;
  const tmp = store.tmpFile(r.bucket);
  let size = 0;
  const files = parts.map((part) => path.join(dir, `part-${part.number}`));
  for (const file of files) size += (await stat(file)).size;
  await pipeline(async function* () {
    for (const file of files) yield* createReadStream(file);
  }, createWriteStream(tmp));
  const { initiated: _initiated, key: _key, ...described } = upload;
  await store.commit(r.bucket, r.key, tmp, {
    ...described,
    key: r.key,
    size,
    etag,
    lastModified: new Date().toISOString(),
    checksums: {},
    dataFile: '',
  });
  await rm(dir, { recursive: true, force: true });
  sendXml(
    r,
    200,
    doc(
      'CompleteMultipartUploadResult',
      el('Location', `/${r.bucket}/${r.key}`) + el('Bucket', r.bucket) + el('Key', r.key) + el('ETag', etag),
    ),
  );
}

export async function abortUpload(store: ObjectStore, r: S3Request, id: string): Promise<void> {
  await readUpload(store, r, id);
  r.req.resume();
  await rm(uploadDir(store, r.bucket, id), { recursive: true, force: true });
  sendEmpty(r, 204);
}

export async function listParts(store: ObjectStore, r: S3Request, id: string): Promise<void> {
  await readUpload(store, r, id);
  const dir = uploadDir(store, r.bucket, id);
  const numbers = (await readdir(dir))
    .map((f) => /^part-(\d+)$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const parts = await Promise.all(
    numbers.map(async (n) => {
      const file = path.join(dir, `part-${n}`);
      const info = await stat(file);
      const etag = await readFile(`${file}.etag`, 'utf8');
      return `<Part>${el('PartNumber', n)}${el('LastModified', info.mtime.toISOString())}${el('ETag', etag)}${el('Size', info.size)}</Part>`;
    }),
  );
  sendXml(
    r,
    200,
    doc(
      'ListPartsResult',
      el('Bucket', r.bucket) + el('Key', r.key) + el('UploadId', id) + el('IsTruncated', false) + parts.join(''),
    ),
  );
}

export { parser as xmlParser };
