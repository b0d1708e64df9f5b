import type { S3Request } from './request.js';
import { sendXml } from './request.js';
import type { ObjectMeta, ObjectStore } from './store.js';
import { s3Error } from './store.js';
import { doc, el } from './xml.js';

/** S3 orders keys by their UTF-8 bytes, which differs from JavaScript's UTF-16 order for some characters. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface Page {
  contents: ObjectMeta[];
  prefixes: string[];
  truncated: boolean;
  last?: { value: string; isPrefix: boolean };
}

/** One page of keys after `after` with prefix/delimiter grouping; a common prefix counts as one entry. */
export function listPage(
  objects: Map<string, ObjectMeta>,
  opts: { prefix: string; delimiter: string; after: string; afterIsPrefix: boolean; maxKeys: number },
): Page {
  const keys = [...objects.keys()].filter((k) => k.startsWith(opts.prefix)).sort(byUtf8);
  const page: Page = { contents: [], prefixes: [], truncated: false };
  for (const key of keys) {
    if (opts.after && byUtf8(key, opts.after) <= 0) continue;
    if (opts.afterIsPrefix && key.startsWith(opts.after)) continue;
    const rest = key.slice(opts.prefix.length);
    const cut = opts.delimiter ? rest.indexOf(opts.delimiter) : -1;
    const common = cut >= 0 ? opts.prefix + rest.slice(0, cut + opts.delimiter.length) : undefined;
    if (common && page.prefixes.at(-1) === common) continue;
    if (page.contents.length + page.prefixes.length >= opts.maxKeys) {
      page.truncated = true;
      break;
    }
    if (common) {
      page.prefixes.push(common);
      page.last = { value: common, isPrefix: true };
    } else {
      page.contents.push(objects.get(key) as ObjectMeta);
      page.last = { value: key, isPrefix: false };
    }
  }
  return page;
}

const encodeToken = (last: { value: string; isPrefix: boolean }) =>
  Buffer.from(JSON.stringify([last.value, last.isPrefix])).toString('base64url');

function decodeToken(token: string): { value: string; isPrefix: boolean } {
  try {
    const [value, isPrefix] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, boolean];
    if (typeof value !== 'string') throw new Error('bad');
    return { value, isPrefix: isPrefix === true };
  } catch {
    throw s3Error('InvalidArgument', 400, 'The continuation token provided is incorrect');
  }
}

function maxKeysOf(query: URLSearchParams): number {
  const raw = query.get('max-keys');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw s3Error('InvalidArgument', 400, 'max-keys must be a non-negative integer');
  return Math.min(n, 1000);
}

const contentsXml = (o: ObjectMeta, encode: (s: string) => string) =>
  `<Contents>${el('Key', encode(o.key))}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${el('Size', o.size)}${el('StorageClass', 'STANDARD')}</Contents>`;

/** ListObjectsV2 (list-type=2) and the original ListObjects (marker). */
export function listObjects(store: ObjectStore, r: S3Request): void {
  const q = r.query;
  const v2 = q.get('list-type') === '2';
  const url = q.get('encoding-type') === 'url';
  const encode = (s: string) => (url ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(q);
  const token = v2 ? q.get('continuation-token') : null;
  const from = token
    ? decodeToken(token)
    : { value: (v2 ? q.get('start-after') : q.get('marker')) ?? '', isPrefix: false };
  const page = listPage(store.objects(r.bucket), {
    prefix,
    delimiter,
    after: from.value,
    afterIsPrefix: from.isPrefix,
    maxKeys,
  });
  const common = page.prefixes.map((p) => `<CommonPrefixes>${el('Prefix', encode(p))}</CommonPrefixes>`).join('');
  const contents = page.contents.map((o) => contentsXml(o, encode)).join('');
  const head =
    el('Name', r.bucket) +
    el('Prefix', encode(prefix)) +
    (delimiter ? el('Delimiter', encode(delimiter)) : '') +
    el('MaxKeys', maxKeys) +
    (url ? el('EncodingType', 'url') : '') +
    el('IsTruncated', page.truncated);
  const tail = v2
    ? el('KeyCount', page.contents.length + page.prefixes.length) +
      (token ? el('ContinuationToken', token) : '') +
      (page.truncated && page.last ? el('NextContinuationToken', encodeToken(page.last)) : '') +
      (q.get('start-after') ? el('StartAfter', encode(q.get('start-after') ?? '')) : '')
    : el('Marker', encode(q.get('marker') ?? '')) +
      (page.truncated && page.last && delimiter ? el('NextMarker', encode(page.last.value)) : '');
  sendXml(r, 200, doc('ListBucketResult', head + tail + contents + common));
}
