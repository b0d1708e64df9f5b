import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBucket, deleteObjects, listBuckets } from './buckets.js';
import { delayFirstByte, type Latency } from './latency.js';
import { listObjects } from './list.js';
import { abortUpload, completeUpload, createUpload, listParts, uploadPart } from './multipart.js';
import { copyObject, deleteObject, getAcl, getObject, putAcl, putObject } from './objects.js';
import { header, type S3Request, sendEmpty, sendS3Error, sendXml } from './request.js';
import { ObjectStore, s3Error } from './store.js';
import { doc } from './xml.js';

export interface S3Options {
  dataDir: string;
  port?: number;
  latency?: Latency;
}

/** Path-style `/bucket/key`, or virtual-hosted `bucket.localhost`. */
function locate(req: IncomingMessage): { bucket: string; key: string; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const host = (header(req, 'host') ?? '').split(':')[0] ?? '';
  const path = url.pathname.slice(1);
  if (host.endsWith('.localhost')) {
    return { bucket: host.slice(0, -'.localhost'.length), key: decodeURIComponent(path), query: url.searchParams };
  }
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  return { bucket, key, query: url.searchParams };
}

async function route(store: ObjectStore, r: S3Request, latency: Latency): Promise<void> {
  const { method } = r.req;
  const q = r.query;
  if (!r.bucket) {
    if (method === 'GET') return listBuckets(store, r);
    throw s3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
  }
  if (!r.key) {
    if (method === 'PUT' && q.has('acl')) return putAcl(store, r);
    if (method === 'PUT') return createBucket(store, r);
    if (method === 'HEAD') {
      store.bucket(r.bucket);
      return sendEmpty(r, 200);
    }
    if (method === 'DELETE') {
      await store.deleteBucket(r.bucket);
      return sendEmpty(r, 204);
    }
    if (method === 'POST' && q.has('delete')) return deleteObjects(store, r);
    if (method === 'GET' && q.has('acl')) return getAcl(store, r);
    if (method === 'GET' && q.has('location')) {
      store.bucket(r.bucket);
      return sendXml(r, 200, doc('LocationConstraint', ''));
    }
    if (method === 'GET' && !q.has('uploads') && !q.has('versions')) return listObjects(store, r);
  } else {
    const uploadId = q.get('uploadId');
    if (method === 'PUT' && uploadId) return uploadPart(store, r, uploadId, Number(q.get('partNumber')));
    if (method === 'POST' && q.has('uploads')) return createUpload(store, r);
    if (method === 'POST' && uploadId) return completeUpload(store, r, uploadId);
    if (method === 'DELETE' && uploadId) return abortUpload(store, r, uploadId);
    if (method === 'GET' && uploadId) return listParts(store, r, uploadId);
    if (q.has('acl')) return method === 'PUT' ? putAcl(store, r) : getAcl(store, r);
    if (method === 'PUT' && header(r.req, 'x-amz-copy-source')) return copyObject(store, r);
    if (method === 'PUT') return putObject(store, r);
    if (method === 'GET' || method === 'HEAD') return getObject(store, r, latency);
    if (method === 'DELETE') return deleteObject(store, r);
  }
  throw s3Error('NotImplemented', 501, `${method} ${r.req.url} is not implemented by the embedded S3.`);
}

/** The S3 request listener (for in-process use); `startS3Server` puts it on a loopback socket. */
export async function createS3Handler(options: S3Options) {
  const store = new ObjectStore(options.dataDir);
  await store.load();
  const latency = options.latency ?? {};
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    let r: S3Request = { req, res, bucket: '', key: '', query: new URLSearchParams(), requestId };
    try {
      r = { ...r, ...locate(req) };
    } catch (error) {
      return sendS3Error(
        r,
        s3Error('InvalidURI', 400, `Couldn't parse the specified URI: ${(error as Error).message}`),
      );
    }
    // The latency model delays every request's answer, as a remote S3 would (off by default).
    delayFirstByte(latency)
      .then(() => route(store, r, latency))
      .catch((error: unknown) => sendS3Error(r, error));
  };
}

export async function startS3Server(
  options: S3Options,
): Promise<{ endpoint: string; port: number; close(): Promise<void> }> {
  const server = http.createServer({ keepAlive: true, noDelay: true }, await createS3Handler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
