import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS Signature Version 4, the server's half: parse what a client sent (an `Authorization` header or a presigned
 * query) and recompute the signature from the request as it arrived on the wire.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = createHash('sha256').digest('hex');

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What a request claims about its signature. */
export interface SignedClaim {
  accessKeyId: string;
  /** `YYYYMMDD'T'HHMMSS'Z'` */
  amzDate: string;
  /** `date/region/service/aws4_request` */
  scope: string;
  signedHeaders: string[];
  signature: string;
  presigned: boolean;
  /** Presigned URLs: seconds after `amzDate` during which the URL is valid. */
  expiresSeconds?: number;
}

export type ClaimResult = { claim: SignedClaim } | { missing: true } | { incomplete: string } | { sigV2: true };

/** The parts of a request a signature covers, exactly as they arrived. */
export interface WireRequest {
  method: string;
  /** Path and query as sent (`req.url`), not normalised. */
  url: string;
  headers: IncomingHttpHeaders;
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Reads the claim from the `Authorization` header, or (S3: `s3` true) from `X-Amz-*` query parameters. S3 also
 * knows Signature Version 2 (`AWS key:signature`, or `AWSAccessKeyId`/`Signature`/`Expires` in the query), which
 * boto3 still uses for presigned URLs: reported as `sigV2`.
 */
export function readClaim(req: WireRequest, s3: boolean): ClaimResult {
  const authorization = first(req.headers.authorization);
  const query = new URLSearchParams(req.url.split('?')[1] ?? '');
  if (s3 && authorization !== undefined && /^AWS [^:\s]+:\S+$/.test(authorization.trim())) return { sigV2: true };
  if (authorization !== undefined) return parseAuthorization(authorization, req.headers);
  if (s3 && query.has('X-Amz-Algorithm')) return parsePresigned(query);
  if (s3 && query.has('AWSAccessKeyId') && query.has('Signature')) return { sigV2: true };
  return { missing: true };
}

function parseAuthorization(header: string, headers: IncomingHttpHeaders): ClaimResult {
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) {
    return { incomplete: `Unsupported AWS 'algorithm': '${algorithm ?? ''}' (only ${ALGORITHM} for now).` };
  }
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.get(name));
  const amzDate = first(headers['x-amz-date']);
  const problems = missing.map((name) => `Authorization header requires '${name}' parameter.`);
  if (!amzDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length > 0) return { incomplete: `${problems.join(' ')} Authorization=${header}` };
  return claimFrom(
    fields.get('Credential') ?? '',
    amzDate ?? '',
    fields.get('SignedHeaders') ?? '',
    fields.get('Signature') ?? '',
    false,
  );
}

function parsePresigned(query: URLSearchParams): ClaimResult {
  const names = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const missing = names.filter((name) => !query.get(name));
  if (missing.length > 0) {
    return {
      incomplete: `${missing.map((n) => `AWS query-string parameters must include '${n}'.`).join(' ')} Re-examine the query-string parameters.`,
    };
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
    return { incomplete: `X-Amz-Algorithm only supports "${ALGORITHM}".` };
  }
  const expires = Number(query.get('X-Amz-Expires') ?? '604800');
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
    return { incomplete: 'X-Amz-Expires must be between 1 and 604800 seconds.' };
  }
  const result = claimFrom(
    query.get('X-Amz-Credential') ?? '',
    query.get('X-Amz-Date') ?? '',
    query.get('X-Amz-SignedHeaders') ?? '',
    query.get('X-Amz-Signature') ?? '',
    true,
  );
  if ('claim' in result) result.claim.expiresSeconds = expires;
  return result;
}

function claimFrom(
  credential: string,
  amzDate: string,
  signedHeaders: string,
  signature: string,
  presigned: boolean,
): ClaimResult {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '') || parts[4] !== 'aws4_request') {
    return {
      incomplete: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${credential}'.`,
    };
  }
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return { incomplete: `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.` };
  }
  if (parts[1] !== amzDate.slice(0, 8)) {
    return {
      incomplete: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parts[1]}' != '${amzDate.slice(0, 8)}'.`,
    };
  }
  return {
    claim: {
      accessKeyId: parts[0] ?? '',
      amzDate,
      scope: parts.slice(1).join('/'),
      signedHeaders: signedHeaders.split(';').filter(Boolean),
      signature,
      presigned,
    },
  };
}

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent plus `!'()*`. */
const uriEscape = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const decodeLoose = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/**
 * S3 signs the path as sent; every other service signs it normalised and encoded once more (the SDKs'
 * `uriEscapePath`), so `%3A` in a Lambda ARN is signed as `%253A`.
 */
function canonicalPath(rawPath: string, doubleEncode: boolean): string {
  if (!doubleEncode) return rawPath || '/';
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEscape(normalised).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  const pairs: string[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeLoose(eq < 0 ? part : part.slice(0, eq));
    if (presigned && key === 'X-Amz-Signature') continue;
    pairs.push(`${uriEscape(key)}=${uriEscape(decodeLoose(eq < 0 ? '' : part.slice(eq + 1)))}`);
  }
  return pairs.sort().join('&');
}

const canonicalHeaderValue = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The signature the client should have sent for `req`, given the secret of the key it named. */
export function expectedSignature(
  req: WireRequest,
  claim: SignedClaim,
  secretAccessKey: string,
  payloadHash: string,
  service: string,
): string {
  const [rawPath = '', rawQuery = ''] = splitOnce(req.url, '?');
  const canonical = [
    req.method,
    canonicalPath(rawPath, service !== 's3'),
    canonicalQuery(rawQuery, claim.presigned),
    ...claim.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers[name])}`),
    '',
    claim.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = [
    ALGORITHM,
    claim.amzDate,
    claim.scope,
    createHash('sha256').update(canonical, 'utf8').digest('hex'),
  ].join('\n');
  return createHmac('sha256', signingKey(secretAccessKey, claim.scope)).update(stringToSign, 'utf8').digest('hex');
}

/** The derived key changes once a day per region and service: four HMACs saved on every other request. */
const signingKeys = new Map<string, Buffer>();
function signingKey(secretAccessKey: string, scope: string): Buffer {
  const id = `${secretAccessKey}\u0000${scope}`;
  let key = signingKeys.get(id);
  if (!key) {
    const [date = '', region = '', service = ''] = scope.split('/');
    key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
    if (signingKeys.size >= 64) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

export function signaturesMatch(expected: string, sent: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** `20260102T030405Z` → epoch ms. */
export function amzDateMs(amzDate: string): number {
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
  return Date.parse(iso);
}
