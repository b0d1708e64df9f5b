import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import {
  amzDateMs,
  type Credentials,
  expectedSignature,
  readClaim,
  type SignedClaim,
  signaturesMatch,
} from './sigv4.js';

/**
 * Authentication in front of the embedded Lambda, S3 and DynamoDB, as AWS does it: a request must carry a SigV4
 * signature (header, or for S3 a presigned URL). By default any credentials are accepted, so the SDK and the
 * functions' dummy credentials need no setup; with `credentials` the signature itself is verified.
 * Browsers are refused whatever they carry: the services listen on loopback for this machine's programs, and a web
 * page (cross-site, or a DNS-rebound name) must not reach them.
 */
export interface AuthOptions {
  /** When set, only these keys are accepted and signatures are checked against their secrets. */
  credentials?: readonly Credentials[] | undefined;
}

export type AuthService = 'lambda' | 's3' | 'dynamodb';
export type RefusalReason =
  | 'crossSite'
  | 'missing'
  | 'incomplete'
  | 'unknownKey'
  | 'badSignature'
  | 'expired'
  /** S3's Signature Version 2, which lambench does not verify. */
  | 'unsupported';
export interface Refusal {
  reason: RefusalReason;
  message: string;
}
export type Decision =
  | { refusal: Refusal }
  | { accepted: true }
  /** The signature covers the body: call once it has been read in full. */
  | { verifyBody: (body: Buffer) => Refusal | null };

/** AWS allows 15 minutes between a request's X-Amz-Date and the server's clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Loopback names only: a page on another name that resolves to 127.0.0.1 (DNS rebinding) is someone else's. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true; // HTTP/1.0 without Host: not a browser
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function crossSite(req: IncomingMessage): Refusal | null {
  const host = header(req, 'host');
  if (!isLoopbackHost(host)) {
    return { reason: 'crossSite', message: `Host ${host} is not a loopback name; lambench answers 127.0.0.1 only.` };
  }
  const origin = header(req, 'origin');
  const fetchSite = header(req, 'sec-fetch-site');
  if ((origin !== undefined && origin !== `http://${host}`) || fetchSite === 'cross-site') {
    return {
      reason: 'crossSite',
      message: `Cross-site request refused (Origin ${origin ?? 'absent'}): lambench serves programs on this machine, not web pages.`,
    };
  }
  return null;
}

export function authorize(req: IncomingMessage, service: AuthService, options: AuthOptions): Decision {
  const site = crossSite(req);
  if (site) return { refusal: site };
  const read = readClaim({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, service === 's3');
  if ('missing' in read) return { refusal: { reason: 'missing', message: 'Missing Authentication Token' } };
  if ('incomplete' in read) return { refusal: { reason: 'incomplete', message: read.incomplete } };
  if (!options.credentials) return { accepted: true };
  if ('sigV2' in read) {
    // What S3 answers in the regions that only take SigV4: verifying means SigV4 only.
    return {
      refusal: {
        reason: 'unsupported',
        message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      },
    };
  }
  const { claim } = read;
  const credentials = options.credentials.find((c) => c.accessKeyId === claim.accessKeyId);
  if (!credentials) {
    return { refusal: { reason: 'unknownKey', message: 'The security token included in the request is invalid.' } };
  }
  const stale = staleness(claim);
  if (stale) return { refusal: stale };
  const scopeService = claim.scope.split('/')[2];
  if (scopeService !== service) {
    return {
      refusal: { reason: 'badSignature', message: `Credential should be scoped to correct service: '${service}'.` },
    };
  }
  const check = (payloadHash: string): Refusal | null => {
    const wire = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const expected = expectedSignature(wire, claim, credentials.secretAccessKey, payloadHash, service);
    return signaturesMatch(expected, claim.signature)
      ? null
      : {
          reason: 'badSignature',
          message:
            'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        };
  };
  if (service === 's3') {
    // S3 signs the payload's hash as a header (or not at all, for presigned URLs): no need to read the body first.
    const presignedHash = () =>
      new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
    const payloadHash = claim.presigned ? presignedHash() : header(req, 'x-amz-content-sha256');
    if (payloadHash === undefined) {
      return {
        refusal: { reason: 'incomplete', message: 'Missing required header for this request: x-amz-content-sha256' },
      };
    }
    const refusal = check(payloadHash);
    return refusal ? { refusal } : { accepted: true };
  }
  return { verifyBody: (body) => check(createHash('sha256').update(body).digest('hex')) };
}

function staleness(claim: SignedClaim): Refusal | null {
  const signedAt = amzDateMs(claim.amzDate);
  const now = Date.now();
  if (claim.presigned) {
    if (now > signedAt + (claim.expiresSeconds ?? 0) * 1000)
      return { reason: 'expired', message: 'Request has expired' };
    return null;
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return {
      reason: 'expired',
      message: `Signature expired: ${claim.amzDate} is now earlier than ${new Date(now - MAX_SKEW_MS).toISOString()} (15 min. of skew allowed).`,
    };
  }
  return null;
}

/**
 * Reads a body up to `limit` bytes. Past it, nothing more is kept and `tooLarge` gives the size seen so far (the
 * declared Content-Length when there is one), so a 413 can be answered before the rest arrives.
 */
export function readBounded(req: IncomingMessage, limit: number): Promise<{ body: Buffer } | { tooLarge: number }> {
  return new Promise((resolve, reject) => {
    const declared = Number(header(req, 'content-length') ?? 0);
    if (declared > limit) {
      resolve({ tooLarge: declared });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        req.off('data', onData);
        resolve({ tooLarge: bytes });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ body: Buffer.concat(chunks, bytes) }));
    // An aborted upload: nobody waits for the answer, but the handler must not hang (nor the process throw).
    req.on('error', reject);
  });
}

/** A request whose body was already read, for handlers that read `req` themselves (dynalite, the Lambda routes). */
export function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new PassThrough() as PassThrough & Partial<IncomingMessage>;
  Object.assign(copy, {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    socket: req.socket,
    connection: req.socket,
  });
  copy.end(body);
  return copy as unknown as IncomingMessage;
}
