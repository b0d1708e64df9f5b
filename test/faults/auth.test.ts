import { createHash, createHmac } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, rawRequest, type Served, startServe } from './helpers.js';

/** Authentication as AWS does it: unsigned, mis-signed and cross-site requests are refused by all three services. */

const KEY = 'AKIALOCALTEST';
const SECRET = 'the-right-secret';

const clients = (endpoints: Served['endpoints'], accessKeyId: string, secretAccessKey: string) => {
  const common = { region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } };
  return {
    lambda: new LambdaClient({ ...common, endpoint: endpoints.lambda }),
    s3: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
  };
};

const LIST_TABLES = {
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
  body: '{}',
};

describe('by default: any signed request, no unsigned or cross-site one', () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe();
  });
  afterAll(async () => {
    await served?.close();
  });

  it('unsigned requests get each service’s own refusal', async () => {
    const invoke = await rawRequest(served.endpoints.lambda, {
      method: 'POST',
      path: '/2015-03-31/functions/hello-node/invocations',
      body: '{}',
    });
    expect(invoke.status).toBe(403);
    expect(invoke.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(json(invoke.body).message).toBe('Missing Authentication Token');

    const bucket = await rawRequest(served.endpoints.s3, { method: 'PUT', path: '/unsigned-bucket' });
    expect(bucket.status).toBe(403);
    expect(bucket.body).toContain('<Code>AccessDenied</Code>');

    // DynamoDB answers authentication errors 400, with its coral type.
    const tables = await rawRequest(served.endpoints.dynamodb, LIST_TABLES);
    expect(tables.status).toBe(400);
    expect(json(tables.body).__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
  });

  it("a web page's cross-site request is refused 403 by all three, signed-looking or not", async () => {
    const origin = { origin: 'https://evil.example', 'content-type': 'text/plain' };
    const fakeSignature = {
      authorization: `AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      'x-amz-date': '20260101T000000Z',
    };
    const create = JSON.stringify({ FunctionName: 'pwned', Runtime: 'nodejs20.x', Handler: 'index.handler' });
    for (const headers of [origin, { ...origin, ...fakeSignature }]) {
      const lambda = await rawRequest(served.endpoints.lambda, {
        method: 'POST',
        path: '/2015-03-31/functions',
        headers,
        body: create,
      });
      expect(lambda.status).toBe(403);
      expect(lambda.headers['x-amzn-errortype']).toBe('AccessDeniedException');
      const s3 = await rawRequest(served.endpoints.s3, { method: 'PUT', path: '/cross-site-bucket', headers });
      expect(s3.status).toBe(403);
      expect(s3.body).toContain('<Code>AccessDenied</Code>');
      const ddb = await rawRequest(served.endpoints.dynamodb, {
        ...LIST_TABLES,
        headers: { ...LIST_TABLES.headers, ...headers },
      });
      expect(ddb.status).toBe(403);
      expect(ddb.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(served.engine.functions.has('pwned')).toBe(false);
  });

  it('a name that only resolves to 127.0.0.1 (DNS rebinding) is refused, and a malformed signature is named', async () => {
    const rebound = await rawRequest(
      served.endpoints.lambda,
      { path: '/2015-03-31/functions', headers: { host: 'attacker.example:80' } },
      { service: 'lambda' },
    );
    expect(rebound.status).toBe(403);
    const malformed = await rawRequest(served.endpoints.lambda, {
      path: '/2015-03-31/functions',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-amz-date': '20260101T000000Z' },
    });
    expect(malformed.status).toBe(403);
    expect(malformed.headers['x-amzn-errortype']).toBe('IncompleteSignatureException');
    expect(json(malformed.body).message).toMatch(/requires 'SignedHeaders' parameter/);
  });

  it("boto3's presigned URLs (Signature Version 2, its default for a custom endpoint) keep working", async () => {
    const c = clients(served.endpoints, 'whatever', 'anything');
    await c.s3.send(new CreateBucketCommand({ Bucket: 'sig-v2' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'sig-v2', Key: 'a b', Body: 'v2 body' }));
    c.s3.destroy();
    const url = `/sig-v2/a%20b?AWSAccessKeyId=whatever&Signature=${encodeURIComponent('+MUYsTHNe5SthfWDRVxohroXiQw=')}&Expires=${Math.floor(Date.now() / 1000) + 60}`;
    const answer = await rawRequest(served.endpoints.s3, { path: url });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('v2 body');
  });

  it('the SDK with any credentials needs no setup', async () => {
    const c = clients(served.endpoints, 'whatever', 'anything');
    expect((await c.lambda.send(new ListFunctionsCommand({}))).Functions?.length).toBeGreaterThan(0);
    expect((await c.s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
    expect((await c.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    for (const client of Object.values(c)) client.destroy();
  });
});

describe('serve --credentials KEY:SECRET verifies SigV4 signatures', () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe({ credentials: { accessKeyId: KEY, secretAccessKey: SECRET } });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('the right secret is accepted by all three, an ARN path (encoded twice when signed) included', async () => {
    const c = clients(served.endpoints, KEY, SECRET);
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:hello-node';
    const out = await c.lambda.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{"echo":"ok"}') }));
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString()).echo).toBe('ok');
    await c.s3.send(new CreateBucketCommand({ Bucket: 'signed-bucket' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'signed-bucket', Key: 'a b/ü+x', Body: 'signed body' }));
    expect((await c.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    for (const client of Object.values(c)) client.destroy();
  });

  it('the wrong secret and an unknown key get AWS’s errors', async () => {
    const wrong = clients(served.endpoints, KEY, 'not-the-secret');
    await expect(wrong.lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(wrong.s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(wrong.dynamodb.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 400 },
    });
    const unknown = clients(served.endpoints, 'AKIAUNKNOWN', SECRET);
    await expect(unknown.lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await expect(unknown.s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    await expect(unknown.dynamodb.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    for (const client of [...Object.values(wrong), ...Object.values(unknown)]) client.destroy();
  });

  it('a body changed after signing is refused (the signature covers it)', async () => {
    const path = '/2015-03-31/functions/hello-node/invocations';
    const signer = { service: 'lambda' as const, accessKeyId: KEY, secretAccessKey: SECRET };
    const { signedHeaders } = await import('./helpers.js');
    const headers = await signedHeaders(served.endpoints.lambda, { method: 'POST', path, body: '{"a":1}' }, signer);
    const tampered = await rawRequest(served.endpoints.lambda, { method: 'POST', path, headers, body: '{"a":2}' });
    expect(tampered.status).toBe(403);
    expect(tampered.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
  });

  it('an S3 body that does not match the x-amz-content-sha256 it signed is refused, and nothing is stored', async () => {
    const signer = { service: 's3' as const, accessKeyId: KEY, secretAccessKey: SECRET };
    await rawRequest(served.endpoints.s3, { method: 'PUT', path: '/sha-check' }, signer);
    const { signedHeaders } = await import('./helpers.js');
    const headers = await signedHeaders(
      served.endpoints.s3,
      { method: 'PUT', path: '/sha-check/k', body: 'signed' },
      signer,
    );
    const swapped = await rawRequest(served.endpoints.s3, {
      method: 'PUT',
      path: '/sha-check/k',
      headers,
      body: 'swappd',
    });
    expect(swapped.status).toBe(400);
    expect(swapped.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    const get = await rawRequest(served.endpoints.s3, { path: '/sha-check/k' }, signer);
    expect(get.status).toBe(404);
    const honest = await rawRequest(served.endpoints.s3, {
      method: 'PUT',
      path: '/sha-check/k',
      headers,
      body: 'signed',
    });
    expect(honest.status).toBe(200);
  });

  it('presigned S3 URLs work with the right secret, and not with a wrong one or once expired', async () => {
    const c = clients(served.endpoints, KEY, SECRET);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'presigned' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'presigned', Key: 'k.txt', Body: 'presigned body' }));
    c.s3.destroy();
    const url = new URL(served.endpoints.s3);
    const presign = async (secretAccessKey: string, expiresIn: number, signingDate?: Date) => {
      const signer = new SignatureV4({
        service: 's3',
        region: 'us-east-1',
        credentials: { accessKeyId: KEY, secretAccessKey },
        sha256: Sha256,
        uriEscapePath: false,
      });
      const signed = await signer.presign(
        {
          method: 'GET',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/presigned/k.txt',
          query: {},
          // As @aws-sdk/s3-request-presigner does it: the payload is not signed, and the header is not sent.
          headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        { expiresIn, unsignableHeaders: new Set(['x-amz-content-sha256']), ...(signingDate ? { signingDate } : {}) },
      );
      const query = new URLSearchParams(signed.query as Record<string, string>).toString();
      return `${signed.path}?${query}`;
    };
    const good = await rawRequest(served.endpoints.s3, { path: await presign(SECRET, 300) });
    expect(good.status).toBe(200);
    expect(good.body).toBe('presigned body');
    const bad = await rawRequest(served.endpoints.s3, { path: await presign('wrong', 300) });
    expect(bad.status).toBe(403);
    expect(bad.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    const expired = await rawRequest(served.endpoints.s3, {
      path: await presign(SECRET, 60, new Date(Date.now() - 3_600_000)),
    });
    expect(expired.status).toBe(403);
    expect(expired.body).toContain('Request has expired');
  });

  it('Signature Version 2 is refused as S3 refuses it in SigV4-only regions', async () => {
    const answer = await rawRequest(served.endpoints.s3, {
      path: `/presigned/k.txt?AWSAccessKeyId=${KEY}&Signature=abc&Expires=${Math.floor(Date.now() / 1000) + 60}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<Code>InvalidRequest</Code>');
    expect(answer.body).toContain('Please use AWS4-HMAC-SHA256');
  });

  it('functions get the configured credentials, so their own SDK calls are accepted', async () => {
    const c = clients(served.endpoints, KEY, SECRET);
    const code = zipSync({
      'index.mjs': strToU8(
        'export const handler = async () => ({ key: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN ?? null });',
      ),
    });
    await c.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'creds',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/x',
        Code: { ZipFile: code },
      }),
    );
    const out = await c.lambda.send(new InvokeCommand({ FunctionName: 'creds' }));
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString())).toEqual({ key: KEY, secret: SECRET, token: null });
    c.lambda.destroy();
    c.s3.destroy();
    c.dynamodb.destroy();
  });
});

/** node:crypto as the SDK's hash (HMAC when given a secret). */
class Sha256 {
  readonly #hash;
  constructor(secret?: string | Uint8Array) {
    this.#hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
  reset(): void {}
}
