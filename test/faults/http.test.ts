import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { createLambdaHandler } from '../../src/engine/http/server.js';
import { json, rawRequest, type Served, startServe, stillServes as stillServesIn } from './helpers.js';

/**
 * Hostile and malformed HTTP against the three services of `lambench serve`: each answer is AWS's, and the
 * services go on answering afterwards.
 */
let served: Served;
let lambda: LambdaClient;

beforeAll(async () => {
  served = await startServe();
  lambda = new LambdaClient({
    endpoint: served.endpoints.lambda,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  lambda?.destroy();
  await served?.close();
});

const lambdaSigner = { service: 'lambda' } as const;
const s3Signer = { service: 's3' } as const;

const stillServes = () => stillServesIn(served);

describe('malformed percent-encoding', () => {
  it.each([
    ['POST', '/2015-03-31/functions/%E0%A4%A/invocations'],
    ['GET', '/2015-03-31/functions/%E0%A4%A'],
    ['GET', '/2015-03-31/functions/hello-node/aliases/%E0%A4%A'],
    ['DELETE', '/2015-03-31/functions/%ZZ/aliases/%'],
  ])('%s %s is a 400 ValidationException, and the engine keeps serving', async (method, path) => {
    const answer = await rawRequest(served.endpoints.lambda, { method, path, body: '{}' }, lambdaSigner);
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(json(answer.body).message).toMatch(/at 'functionName' failed to satisfy constraint/);
    await stillServes();
  });

  it('a malformed Qualifier is a ValidationException too', async () => {
    const path = '/2015-03-31/functions/hello-node/invocations?Qualifier=%E0%A4%A';
    const answer = await rawRequest(served.endpoints.lambda, { method: 'POST', path, body: '{}' }, lambdaSigner);
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(json(answer.body).message).toMatch(/at 'qualifier' failed to satisfy constraint/);
    await stillServes();
  });

  it("S3 answers InvalidURI for a key, and InvalidArgument for a copy source, it can't decode", async () => {
    await rawRequest(served.endpoints.s3, { method: 'PUT', path: '/enc-bucket' }, s3Signer);
    const key = await rawRequest(
      served.endpoints.s3,
      { method: 'PUT', path: '/enc-bucket/%E0%A4%A', body: 'x' },
      s3Signer,
    );
    expect(key.status).toBe(400);
    expect(key.body).toContain('<Code>InvalidURI</Code>');
    const copy = await rawRequest(
      served.endpoints.s3,
      { method: 'PUT', path: '/enc-bucket/dst', headers: { 'x-amz-copy-source': '/enc-bucket/%E0%A4%A' } },
      s3Signer,
    );
    expect(copy.status).toBe(400);
    expect(copy.body).toContain('<Code>InvalidArgument</Code>');
    await stillServes();
  });
});

describe('found by the fuzzer', () => {
  it('a body announced as aws-chunked that is not is a 400, not a 500', async () => {
    await rawRequest(served.endpoints.s3, { method: 'PUT', path: '/chunky' }, s3Signer);
    for (const [method, path] of [
      ['POST', '/chunky?delete'],
      ['PUT', '/chunky/object'],
    ] as const) {
      const answer = await rawRequest(
        served.endpoints.s3,
        {
          method,
          path,
          headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' },
          body: '{"not":"chunks"}',
        },
        s3Signer,
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toMatch(/<Code>(InvalidRequest|IncompleteBody)<\/Code>/);
    }
  });
});

describe('a top-level guard', () => {
  it('an exception inside a handler is a 500 ServiceException, and the listener goes on answering', async () => {
    const broken = {
      region: 'us-east-1',
      functions: {
        list() {
          throw new TypeError('a bug');
        },
      },
    } as unknown as Engine;
    const server = http.createServer(createLambdaHandler(broken, { dataDir: '/nonexistent' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await rawRequest(endpoint, { path: '/2015-03-31/functions' }, lambdaSigner);
        expect(answer.status).toBe(500);
        expect(answer.headers['x-amzn-errortype']).toBe('ServiceException');
      }
    } finally {
      server.close();
    }
  });
});

describe('function ARNs of another region or account', () => {
  const otherRegion = 'arn:aws:lambda:eu-west-1:000000000000:function:hello-node';
  const otherAccount = 'arn:aws:lambda:us-east-1:123456789012:function:hello-node';

  it('another region is ResourceNotFoundException, as AWS answers it', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: otherRegion }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(served.engine.invoke({ functionName: otherRegion, payload: '{}' })).rejects.toMatchObject({
      awsType: 'ResourceNotFoundException',
    });
  });

  it('another account is AccessDeniedException', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: otherAccount }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      served.engine.invoke({ functionName: '123456789012:function:hello-node', payload: '{}' }),
    ).rejects.toMatchObject({ awsType: 'AccessDeniedException', statusCode: 403 });
  });

  it('the local region and account still invoke', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:hello-node';
    const out = await lambda.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{"echo":2}') }));
    expect(out.StatusCode).toBe(200);
  });
});

describe("Invoke's 6 MB boundary (AWS: 'Request must be smaller than 6291456 bytes')", () => {
  const LIMIT = 6_291_456;
  const payload = (bytes: number) => Buffer.from(`"${'x'.repeat(bytes - 2)}"`);

  it.each([
    [LIMIT - 1, 200],
    [LIMIT, 413],
    [LIMIT + 1, 413],
  ])('%i bytes through the Invoke API → %i', async (bytes, status) => {
    const send = lambda.send(new InvokeCommand({ FunctionName: 'hello-node', Payload: payload(bytes) }));
    if (status === 200) expect((await send).StatusCode).toBe(200);
    else {
      await expect(send).rejects.toMatchObject({
        name: 'RequestEntityTooLargeException',
        message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
        $metadata: { httpStatusCode: 413 },
      });
    }
  });

  it.each([
    [LIMIT - 1, true],
    [LIMIT, false],
    [LIMIT + 1, false],
  ])('%i bytes through Engine.invoke → accepted: %s', async (bytes, accepted) => {
    const run = served.engine.invoke({ functionName: 'hello-node', payload: payload(bytes) });
    if (accepted) expect((await run).functionError).toBeNull();
    else await expect(run).rejects.toMatchObject({ awsType: 'RequestEntityTooLargeException', statusCode: 413 });
  });

  it("an Event invocation may be 1 MB, the limit included (AWS: '… (limit 1048576 bytes)')", async () => {
    const send = (bytes: number) =>
      lambda.send(new InvokeCommand({ FunctionName: 'hello-node', InvocationType: 'Event', Payload: payload(bytes) }));
    expect((await send(1_048_576)).StatusCode).toBe(202);
    await expect(send(1_048_577)).rejects.toMatchObject({
      name: 'RequestEntityTooLargeException',
      message: '1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
    });
  });
});
