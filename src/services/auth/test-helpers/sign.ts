import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Raw HTTP for tests: the path goes on the wire exactly as given (no URL normalisation, unlike fetch), optionally
 * signed by the SDK's own signer (@smithy/signature-v4), so the servers' verification is checked against AWS's code.
 */
export interface RawRequest {
  method?: string;
  /** Path and query exactly as sent. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Signer {
  service: 'lambda' | 's3' | 'dynamodb';
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
}

/** node:crypto behind the SDK's Checksum interface (a plain hash, or an HMAC when given a secret). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

class NodeSha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
  reset(): void {}
}

/** The headers the SDK would add to sign `request` for `endpoint` (its Host included). */
export async function signedHeaders(endpoint: string, request: RawRequest, signer: Signer) {
  const url = new URL(endpoint);
  const [path = '/', rawQuery = ''] = request.path.split(/\?(.*)/s);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = v;
  const body = request.body ?? '';
  const sigv4 = new SignatureV4({
    service: signer.service,
    region: signer.region ?? 'us-east-1',
    credentials: { accessKeyId: signer.accessKeyId ?? 'test', secretAccessKey: signer.secretAccessKey ?? 'test' },
    sha256: NodeSha256,
    uriEscapePath: signer.service !== 's3',
  });
  const headers: Record<string, string> = { host: url.host, ...request.headers };
  if (signer.service === 's3') headers['x-amz-content-sha256'] ??= createHash('sha256').update(body).digest('hex');
  const signed = await sigv4.sign({
    method: request.method ?? 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    // The path as it will be sent (already encoded), as the SDK gives it: the signer encodes it once more for
    // every service but S3.
    path,
    query,
    headers,
    body,
  });
  return signed.headers as Record<string, string>;
}

/** Sends `request` to `endpoint` as is (signed first when `signer` is given). */
export async function rawRequest(endpoint: string, request: RawRequest, signer?: Signer): Promise<RawAnswer> {
  const url = new URL(endpoint);
  const headers = signer ? await signedHeaders(endpoint, request, signer) : { ...request.headers };
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method ?? 'GET',
        path: request.path,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
