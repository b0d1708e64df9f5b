import { OWNER } from './acl.js';
import { xmlParser } from './multipart.js';
import { cannedAcl } from './objects.js';
import { bodyOf, MAX_XML_BYTES, type S3Request, sendEmpty, sendXml, xmlTooLarge } from './request.js';
import { type ObjectStore, s3Error } from './store.js';
import { doc, el } from './xml.js';

export async function createBucket(store: ObjectStore, r: S3Request): Promise<void> {
  r.req.resume();
  // As in us-east-1, creating a bucket you already own succeeds (200) rather than failing.
  await store.createBucket(r.bucket, cannedAcl(r));
  sendEmpty(r, 200, { Location: `/${r.bucket}` });
}

export function listBuckets(store: ObjectStore, r: S3Request): void {
  const buckets = store
    .listBuckets()
    .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.created)}</Bucket>`)
    .join('');
  sendXml(
    r,
    200,
    doc(
      'ListAllMyBucketsResult',
      `<Owner>${el('ID', OWNER.id)}${el('DisplayName', OWNER.name)}</Owner><Buckets>${buckets}</Buckets>`,
    ),
  );
}

/** DeleteObjects: `<Delete><Quiet/><Object><Key/></Object>…</Delete>`, up to 1,000 keys. */
export async function deleteObjects(store: ObjectStore, r: S3Request): Promise<void> {
  store.bucket(r.bucket);
  const chunks: Buffer[] = [];
  for await (const chunk of bodyOf(r.req, MAX_XML_BYTES, xmlTooLarge).stream) chunks.push(chunk as Buffer);
  let parsed: { Delete?: { Quiet?: boolean; Object?: Array<{ Key: unknown }> } };
  try {
    parsed = xmlParser.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed.');
  }
  const objects = parsed.Delete?.Object ?? [];
  if (objects.length > 1000) throw s3Error('MalformedXML', 400, 'DeleteObjects accepts at most 1000 keys.');
  const deleted: string[] = [];
  for (const object of objects) {
    const key = String(object.Key);
    await store.delete(r.bucket, key);
    deleted.push(key);
  }
  const quiet = String(parsed.Delete?.Quiet) === 'true';
  sendXml(r, 200, doc('DeleteResult', quiet ? '' : deleted.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('')));
}
