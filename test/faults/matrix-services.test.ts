import net from 'node:net';
import { expect } from 'vitest';
import { json, LIST_TABLES, type RawAnswer, rawRequest, signedHeaders } from './helpers.js';
import { errorType, matrixCase, runMatrix } from './matrix.js';

/** The fault matrix, embedded S3 and DynamoDB: AWS's answer, still serving, nothing left (see matrix.ts). */
const BUCKET = 'matrix';

/** Sends a signed request's head and `sent` bytes of a longer body, waits for the server to take them, then hangs up. */
async function abortMidBody(
  endpoint: string,
  request: { method: string; path: string; headers: Record<string, string>; body: Buffer },
  service: 's3' | 'dynamodb',
  sent: number,
): Promise<string> {
  const headers = await signedHeaders(endpoint, request, { service });
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const head = Object.entries({ ...headers, 'content-length': String(request.body.length) })
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n');
      socket.write(`${request.method} ${request.path} HTTP/1.1\r\n${head}\r\n\r\n`);
      socket.write(request.body.subarray(0, sent));
      // Long enough for the server to be streaming the body (into S3's tmp/ file), then gone mid-body.
      setTimeout(() => socket.destroy(), 200);
    });
    let answered = '';
    socket.on('data', (c) => (answered += c));
    socket.on('close', () => resolve(answered));
    socket.on('error', () => {});
  });
}

const s3Error = (status: number, code: string, message?: RegExp) => (answer: RawAnswer) => {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.body).toContain(`<Code>${code}</Code>`);
  if (message) expect(/<Message>(.*)<\/Message>/.exec(answer.body)?.[1]).toMatch(message);
};

const dynamoError = (status: number, type: string) => (answer: RawAnswer) => {
  expect(answer.status, answer.body).toBe(status);
  expect(json(answer.body).__type).toBe(`com.amazon.coral.service#${type}`);
};

runMatrix(
  'fault matrix: S3 and DynamoDB',
  [
    matrixCase({
      surface: 's3',
      name: 'key ../x round-trips in its bucket (no escape, no other bucket)',
      act: async (ctx) => {
        const put = await ctx.s3({ method: 'PUT', path: `/${BUCKET}/../x`, body: 'kept' });
        const got = await ctx.s3({ path: `/${BUCKET}/../x` });
        const buckets = await ctx.s3({ path: '/' });
        await ctx.s3({ method: 'DELETE', path: `/${BUCKET}/../x` });
        return { put, got, buckets };
      },
      expect: ({ put, got, buckets }) => {
        expect(put.status, put.body).toBe(200);
        expect(got.status).toBe(200);
        expect(got.body).toBe('kept');
        expect(buckets.body.match(/<Name>[^<]*<\/Name>/g)).toEqual([`<Name>${BUCKET}</Name>`]);
      },
    }),
    matrixCase({
      surface: 's3',
      name: 'a key over 1,024 bytes is KeyTooLongError',
      act: (ctx) => ctx.s3({ method: 'PUT', path: `/${BUCKET}/${'k'.repeat(1025)}`, body: 'x' }),
      expect: s3Error(400, 'KeyTooLongError', /^Your key is too long$/),
    }),
    matrixCase({
      surface: 's3',
      name: 'an unsigned PUT with a browser Origin is 403 AccessDenied',
      act: (ctx) =>
        rawRequest(ctx.served.endpoints.s3, {
          method: 'PUT',
          path: `/${BUCKET}/from-a-web-page`,
          headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
          body: 'x',
        }),
      expect: s3Error(403, 'AccessDenied'),
    }),
    matrixCase({
      surface: 's3',
      name: 'a Range past the end is 416 InvalidRange',
      act: async (ctx) => {
        await ctx.s3({ method: 'PUT', path: `/${BUCKET}/ten`, body: '0123456789' });
        return ctx.s3({ path: `/${BUCKET}/ten`, headers: { range: 'bytes=10-20' } });
      },
      expect: s3Error(416, 'InvalidRange', /^The requested range is not satisfiable$/),
    }),
    matrixCase({
      surface: 's3',
      name: 'an upload aborted mid-body stores nothing and leaves no tmp file',
      act: async (ctx) => {
        const endpoint = ctx.served.endpoints.s3;
        const path = `/${BUCKET}/half-sent`;
        const headers = { host: new URL(endpoint).host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
        const answered = await abortMidBody(
          endpoint,
          { method: 'PUT', path, headers, body: Buffer.alloc(4 << 20) },
          's3',
          1 << 20,
        );
        return { answered, got: await ctx.s3({ path }) };
      },
      expect: ({ answered, got }) => {
        expect(answered).toBe('');
        s3Error(404, 'NoSuchKey')(got);
      },
    }),
    matrixCase({
      surface: 'dynamodb',
      name: 'an unsigned request is MissingAuthenticationTokenException',
      act: (ctx) => rawRequest(ctx.served.endpoints.dynamodb, LIST_TABLES),
      expect: dynamoError(400, 'MissingAuthenticationTokenException'),
    }),
    matrixCase({
      surface: 'dynamodb',
      name: 'a body that is not JSON is SerializationException',
      act: (ctx) => ctx.dynamodb({ ...LIST_TABLES, body: '{"Limit": ' }),
      expect: dynamoError(400, 'SerializationException'),
    }),
    matrixCase({
      surface: 'dynamodb',
      name: 'a request aborted mid-body gets no answer and harms nothing',
      act: (ctx) => {
        const endpoint = ctx.served.endpoints.dynamodb;
        const body = Buffer.from(JSON.stringify({ TableName: 'half', Item: { id: { S: 'x'.repeat(1 << 20) } } }));
        const headers = {
          ...LIST_TABLES.headers,
          host: new URL(endpoint).host,
          'x-amz-target': 'DynamoDB_20120810.PutItem',
        };
        return abortMidBody(endpoint, { method: 'POST', path: '/', headers, body }, 'dynamodb', 64 << 10);
      },
      expect: (answered) => expect(answered).toBe(''),
    }),
  ],
  async (ctx) => {
    const created = await ctx.s3({ method: 'PUT', path: `/${BUCKET}` });
    if (created.status !== 200) throw new Error(`CreateBucket answered ${created.status} ${created.body}`);
    expect(errorType(created)).toBeUndefined();
  },
);
