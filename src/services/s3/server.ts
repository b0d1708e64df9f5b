import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsError } from '../../errors.js';
import { type AuthOptions, authorize, type Refusal } from '../auth/guard.js';
import { createBucket, deleteObjects, listBuckets } from './buckets.js';
import { listObjects } from './list.js';
import { abortUpload, completeUpload, createUpload, listParts, uploadPart } from './multipart.js';
import { copyObject, deleteObject, getAcl, getObject, putAcl, putObject } from './objects.js';
import { checkPayloadHash, header, type S3Request, sendEmpty, sendS3Error, sendXml } from './request.js';
import { ObjectStore, s3Error } from './store.js';
import { doc } from './xml.js';

export interface S3Options {
  dataDir: string;
  /** Who may call (default: any SigV4-signed or presigned request; with credentials, verified signatures only). */
  auth?: AuthOptions;
  port?: number;
}

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/**
 * Path-style `/bucket/key`, or virtual-hosted `bucket.localhost`, from the path as sent: a key is an opaque string,
 * so `../x` and `.` are keys, never resolved as URL segments.
 */
function locate(req: IncomingMessage): { bucket: string; key: string; query: URLSearchParams } {
  const [rawPath = '/', ...rest] = (req.url ?? '/').split('?');
  const query = new URLSearchParams(rest.join('?'));
  const host = (header(req, 'host') ?? '').split(':')[0] ?? '';
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw s3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
    }
  };
  const located = host.endsWith('.localhost')
    ? { bucket: host.slice(0, -'.localhost'.length), key: decode(path) }
    : (() => {
        const slash = path.indexOf('/');
        return {
          bucket: decode(slash < 0 ? path : path.slice(0, slash)),
          key: slash < 0 ? '' : decode(path.slice(slash + 1)),
        };
      })();
  if (Buffer.byteLength(located.key) > MAX_KEY_BYTES) throw s3Error('KeyTooLongError', 400, 'Your key is too long');
  return { ...located, query };
}

/** S3's answers to unsigned or mis-signed requests. */
function s3Refusal(refusal: Refusal, presigned: boolean): AwsError {
  switch (refusal.reason) {
    case 'crossSite':
      return s3Error('AccessDenied', 403, `Access Denied. ${refusal.message}`);
    case 'missing':
      return s3Error('AccessDenied', 403, 'Access Denied');
    case 'incomplete':
      return presigned
        ? s3Error('AuthorizationQueryParametersError', 400, refusal.message)
        : s3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${refusal.message}`);
    case 'unknownKey':
      return s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.');
    case 'expired':
      return presigned
        ? s3Error('AccessDenied', 403, 'Request has expired')
        : s3Error(
            'RequestTimeTooSkewed',
            403,
            'The difference between the request time and the current time is too large.',
          );
    case 'unsupported':
      return s3Error('InvalidRequest', 400, refusal.message);
    case 'badSignature':
      return s3Error(
        'SignatureDoesNotMatch',
        403,
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
  }
}

async function route(store: ObjectStore, r: S3Request): Promise<void> {
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
    if (method === 'GET' || method === 'HEAD') return getObject(store, r);
    if (method === 'DELETE') return deleteObject(store, r);
  }
  throw s3Error('NotImplemented', 501, `${method} ${r.req.url} is not implemented by the embedded S3.`);
}

/** The S3 request listener (for in-process use); `startS3Server` puts it on a loopback socket. */
export async function createS3Handler(options: S3Options) {
  const store = new ObjectStore(options.dataDir);
  await store.load();
  const auth = options.auth ?? {};
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    let r: S3Request = { req, res, bucket: '', key: '', query: new URLSearchParams(), requestId };
    // Nothing a request carries may escape as an exception: that would end the process and every service in it.
    try {
      const decision = authorize(req, 's3', auth);
      if ('refusal' in decision) {
        return sendS3Error(r, s3Refusal(decision.refusal, !req.headers.authorization));
      }
      if (auth.credentials) checkPayloadHash(req);
      r = { ...r, ...locate(req) };
      route(store, r).catch((error: unknown) => sendS3Error(r, error));
    } catch (error) {
      sendS3Error(r, error);
    }
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
