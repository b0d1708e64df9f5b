import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import { AwsError } from '../../errors.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksums.js';
import { AwsChunkedDecoder } from './chunked.js';
import { s3Error } from './store.js';
import { doc, el } from './xml.js';

export interface S3Request {
  req: IncomingMessage;
  res: ServerResponse;
  bucket: string;
  key: string;
  query: URLSearchParams;
  requestId: string;
}

export const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Requests whose signature was verified: their body must match the `x-amz-content-sha256` it signed. */
const payloadChecked = new WeakSet<IncomingMessage>();
export const checkPayloadHash = (req: IncomingMessage) => payloadChecked.add(req);

/** S3's largest single PUT (PutObject, UploadPart): 5 GiB. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
/** lambench's bound on an XML request body (CompleteMultipartUpload's 10,000 parts take about 1.5 MB). */
export const MAX_XML_BYTES = 4 * 1024 ** 2;

export const entityTooLarge = () =>
  s3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size.');
export const xmlTooLarge = () => s3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.');

/**
 * The body as the client meant it: aws-chunked framing removed; trailers available once it has ended. Past
 * `limit` bytes (declared, or counted as they arrive) it fails with `tooLarge()` before anything more is kept.
 */
export function bodyOf(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => AwsError,
): { stream: Readable; trailers: () => Record<string, string> } {
  const encoding = header(req, 'content-encoding') ?? '';
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  const chunked = encoding.includes('aws-chunked') || sha.startsWith('STREAMING-');
  const declared = Number(header(req, chunked ? 'x-amz-decoded-content-length' : 'content-length') ?? 0);
  if (declared > limit) throw tooLarge();
  let bytes = 0;
  const claimed = payloadChecked.has(req) ? header(req, 'x-amz-content-sha256') : undefined;
  const sha256 = claimed && /^[0-9a-f]{64}$/.test(claimed) ? createHash('sha256') : undefined;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      sha256?.update(chunk);
      callback(bytes > limit ? tooLarge() : null, chunk);
    },
    flush(callback) {
      // The signature covers the header, so a body that does not match it was changed on the way.
      const mismatch = sha256 && sha256.digest('hex') !== claimed;
      callback(
        mismatch
          ? s3Error(
              'XAmzContentSHA256Mismatch',
              400,
              "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
          : null,
      );
    },
  });
  // pipe, not pipeline: a failure must not destroy `req`, whose socket still has to carry the error answer.
  req.on('error', (error) => bounded.destroy(error));
  if (chunked) {
    const decoder = new AwsChunkedDecoder();
    decoder.on('error', (error) => bounded.destroy(error));
    req.pipe(decoder).pipe(bounded);
    return { stream: bounded, trailers: () => decoder.trailers };
  }
  return { stream: req.pipe(bounded), trailers: () => ({}) };
}

/** Which checksums the client sent (as headers or announced trailers) or asked for. */
export function requestedChecksums(req: IncomingMessage): ChecksumAlgorithm[] {
  // A list of names: compared whole, or `x-amz-checksum-crc32c` would also ask for CRC32.
  const trailer = (header(req, 'x-amz-trailer') ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  const sdk = (
    header(req, 'x-amz-sdk-checksum-algorithm') ??
    header(req, 'x-amz-checksum-algorithm') ??
    ''
  ).toLowerCase();
  return CHECKSUM_ALGORITHMS.filter(
    (a) => header(req, `x-amz-checksum-${a}`) !== undefined || trailer.includes(`x-amz-checksum-${a}`) || sdk === a,
  );
}

/** Compares what was sent with what was computed: S3 answers BadDigest on a mismatch. */
export function verifyDigests(
  req: IncomingMessage,
  trailers: Record<string, string>,
  digests: { md5: string; checksums: Partial<Record<ChecksumAlgorithm, string>> },
): void {
  const contentMd5 = header(req, 'content-md5');
  if (contentMd5 && Buffer.from(contentMd5, 'base64').toString('hex') !== digests.md5) {
    throw s3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
  }
  for (const [algorithm, computed] of Object.entries(digests.checksums)) {
    const sent = header(req, `x-amz-checksum-${algorithm}`) ?? trailers[`x-amz-checksum-${algorithm}`];
    if (sent !== undefined && sent !== computed) {
      throw s3Error(
        'BadDigest',
        400,
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
  }
}

export function sendXml(r: S3Request, status: number, xml: string, headers: Record<string, string> = {}): void {
  r.res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amz-request-id': r.requestId,
    ...headers,
  });
  r.res.end(r.req.method === 'HEAD' ? undefined : xml);
}

export function sendEmpty(r: S3Request, status: number, headers: Record<string, string | number> = {}): void {
  r.res.writeHead(status, { 'x-amz-request-id': r.requestId, 'Content-Length': 0, ...headers });
  r.res.end();
}

/** S3's XML error body; HEAD responses carry none, as on S3. */
export function sendS3Error(r: S3Request, error: unknown): void {
  if (r.res.headersSent || r.res.destroyed) {
    r.res.destroy();
    return;
  }
  const aws =
    error instanceof AwsError ? error : s3Error('InternalError', 500, (error as Error)?.message ?? String(error));
  const body = doc(
    'Error',
    el('Code', aws.awsType) +
      el('Message', aws.message) +
      (r.key ? el('Key', r.key) : '') +
      (r.bucket ? el('BucketName', r.bucket) : '') +
      el('RequestId', r.requestId),
  ).replace(' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', '');
  r.req.resume();
  // Refused for its size: closing is how the rest of the body is refused (it is not read to be thrown away).
  const tooLarge = aws.awsType === 'EntityTooLarge' || aws.awsType === 'MaxMessageLengthExceeded';
  sendXml(r, aws.statusCode, body, tooLarge ? { Connection: 'close' } : {});
}
