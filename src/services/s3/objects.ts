import { pipeline } from 'node:stream/promises';
import { aclPolicy, isCannedAcl } from './acl.js';
import {
  bodyOf,
  entityTooLarge,
  header,
  MAX_OBJECT_BYTES,
  requestedChecksums,
  type S3Request,
  sendEmpty,
  sendXml,
  verifyDigests,
} from './request.js';
import { noSuchKey, type ObjectMeta, type ObjectStore, s3Error } from './store.js';
import { doc, el } from './xml.js';

const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-language', 'expires'];

export function cannedAcl(r: S3Request): string {
  const acl = header(r.req, 'x-amz-acl') ?? 'private';
  if (!isCannedAcl(acl)) throw s3Error('InvalidArgument', 400, `Unknown canned ACL: ${acl}`);
  return acl;
}

export function requestMetadata(r: S3Request) {
  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.req.headers)) {
    if (typeof value !== 'string') continue;
    if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = value;
    if (STORED_HEADERS.includes(name)) headers[name] = value;
  }
  return { contentType: header(r.req, 'content-type') ?? 'application/octet-stream', metadata, headers };
}

function objectHeaders(meta: ObjectMeta, withChecksums: boolean): Record<string, string | number> {
  const out: Record<string, string | number> = {
    'Content-Type': meta.contentType,
    ETag: meta.etag,
    'Last-Modified': new Date(meta.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
    ...meta.headers,
  };
  for (const [k, v] of Object.entries(meta.metadata)) out[`x-amz-meta-${k}`] = v;
  if (withChecksums) for (const [a, v] of Object.entries(meta.checksums)) out[`x-amz-checksum-${a}`] = v;
  return out;
}

export async function putObject(store: ObjectStore, r: S3Request): Promise<void> {
  const body = bodyOf(r.req, MAX_OBJECT_BYTES, entityTooLarge);
  const meta = await store.write(
    r.bucket,
    r.key,
    body.stream,
    { ...requestMetadata(r), acl: cannedAcl(r) },
    requestedChecksums(r.req),
    (digests) => verifyDigests(r.req, body.trailers(), digests),
  );
  const headers: Record<string, string> = { ETag: meta.etag };
  for (const [a, v] of Object.entries(meta.checksums)) headers[`x-amz-checksum-${a}`] = v;
  sendEmpty(r, 200, headers);
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; null when absent; InvalidRange (416) when unsatisfiable. */
export function parseRange(value: string | undefined, size: number): { start: number; end: number } | null {
  if (!value) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw s3Error('InvalidRange', 416, 'The requested range is not satisfiable');
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) throw s3Error('InvalidRange', 416, 'The requested range is not satisfiable');
  return { start, end };
}

export async function getObject(store: ObjectStore, r: S3Request): Promise<void> {
  const meta = store.head(r.bucket, r.key);
  const ifNoneMatch = header(r.req, 'if-none-match');
  if (ifNoneMatch && (ifNoneMatch === meta.etag || ifNoneMatch === '*')) return sendEmpty(r, 304, { ETag: meta.etag });
  const ifMatch = header(r.req, 'if-match');
  if (ifMatch && ifMatch !== meta.etag && ifMatch !== '*') {
    throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
  }
  const range = parseRange(header(r.req, 'range'), meta.size);
  const checksumMode = header(r.req, 'x-amz-checksum-mode') === 'ENABLED' && !range;
  const headers = {
    ...objectHeaders(meta, checksumMode),
    'x-amz-request-id': r.requestId,
    'Content-Length': range ? range.end - range.start + 1 : meta.size,
    ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${meta.size}` } : {}),
  };
  r.res.writeHead(range ? 206 : 200, headers);
  if (r.req.method === 'HEAD' || meta.size === 0) {
    r.res.end();
    return;
  }
  await pipeline(store.read(r.bucket, meta, range ?? undefined), r.res).catch(() => r.res.destroy());
}

export async function deleteObject(store: ObjectStore, r: S3Request): Promise<void> {
  store.bucket(r.bucket);
  await store.delete(r.bucket, r.key);
  sendEmpty(r, 204);
}

export async function copyObject(store: ObjectStore, r: S3Request): Promise<void> {
  const raw = decodeCopySource(header(r.req, 'x-amz-copy-source') ?? '');
  const slash = raw.indexOf('/');
  const sourceBucket = raw.slice(0, slash);
  const sourceKey = raw.slice(slash + 1);
  if (slash < 1 || !sourceKey)
    throw s3Error('InvalidArgument', 400, 'Copy Source must mention the source bucket and key');
  const source = store.objects(sourceBucket).get(sourceKey);
  if (!source) throw noSuchKey(sourceKey);
  const replace = header(r.req, 'x-amz-metadata-directive') === 'REPLACE';
  const described = replace
    ? requestMetadata(r)
    : { contentType: source.contentType, metadata: source.metadata, headers: source.headers };
  drainBody(r);
  const meta = await store.write(
    r.bucket,
    r.key,
    store.read(sourceBucket, source),
    { ...described, acl: cannedAcl(r) },
    [],
    () => {},
  );
  sendXml(r, 200, doc('CopyObjectResult', el('LastModified', meta.lastModified) + el('ETag', meta.etag)));
}

/** `bucket/key` (URL-encoded, optionally with a leading slash and `?versionId=`), as CopyObject takes it. */
function decodeCopySource(value: string): string {
  try {
    return decodeURIComponent(value.split('?')[0] ?? '').replace(/^\//, '');
  } catch {
    throw s3Error('InvalidArgument', 400, 'Invalid copy source encoding.');
  }
}

function drainBody(r: S3Request): void {
  r.req.resume();
}

export function getAcl(store: ObjectStore, r: S3Request): void {
  const acl = r.key ? store.head(r.bucket, r.key).acl : store.bucket(r.bucket).acl;
  sendXml(r, 200, aclPolicy(acl));
}

export async function putAcl(store: ObjectStore, r: S3Request): Promise<void> {
  r.req.resume();
  if (!header(r.req, 'x-amz-acl')) {
    throw s3Error('NotImplemented', 501, 'Only canned ACLs (x-amz-acl header) are supported by the embedded S3.');
  }
  await store.setAcl(r.bucket, r.key, cannedAcl(r));
  sendEmpty(r, 200);
}
