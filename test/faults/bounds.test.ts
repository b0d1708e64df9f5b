import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  partialUpload,
  rawRequest,
  type Served,
  signedHeaders,
  startServe,
  stillServes as stillServesIn,
} from './helpers.js';

/** Request bodies are bounded before they are buffered, and a client that gives up mid-body harms nothing. */
let served: Served;
beforeAll(async () => {
  served = await startServe();
});
afterAll(async () => {
  await served?.close();
});

const s3Signer = { service: 's3' } as const;
const stillServes = () => stillServesIn(served);
describe('request bodies are bounded before they are buffered', () => {
  const signed = async (endpoint: string, method: string, path: string, service: 'lambda' | 'dynamodb', extra = {}) => {
    return signedHeaders(endpoint, { method, path, headers: extra }, { service });
  };

  it('an Invoke declaring 7 MB is answered 413 after 64 KB, without waiting for the rest', async () => {
    const path = '/2015-03-31/functions/hello-node/invocations';
    const headers = { ...(await signed(served.endpoints.lambda, 'POST', path, 'lambda')), 'content-length': '7000000' };
    const answer = await partialUpload(served.endpoints.lambda, { method: 'POST', path, headers }, 65_536);
    expect(answer).not.toBe('no answer');
    expect(answer).toMatchObject({ status: 413 });
    expect((answer as { text: string }).text).toMatch(/RequestEntityTooLargeException/);
    await stillServes();
  });

  it('a chunked Invoke body is cut off once it passes 6 MB', async () => {
    const path = '/2015-03-31/functions/hello-node/invocations';
    const headers = {
      ...(await signed(served.endpoints.lambda, 'POST', path, 'lambda')),
      'transfer-encoding': 'chunked',
    };
    const chunk = `${(1 << 20).toString(16)}\r\n${' '.repeat(1 << 20)}\r\n`;
    const url = new URL(served.endpoints.lambda);
    const status = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname);
      let text = '';
      socket.on('data', (c) => {
        text += c.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text.slice(9, 12));
        }
      });
      socket.on('error', () => resolve(text.slice(9, 12)));
      const lines = [`POST ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      // 7 chunks of 1 MiB, and no terminating chunk: the answer must come before the body ends.
      for (let i = 0; i < 7; i++) socket.write(chunk);
    });
    expect(status).toBe('413');
    await stillServes();
  });

  it('a control-plane request declaring 80 MB is answered 413 at once', async () => {
    const path = '/2015-03-31/functions';
    const headers = {
      ...(await signed(served.endpoints.lambda, 'POST', path, 'lambda')),
      'content-length': '80000000',
    };
    const answer = await partialUpload(served.endpoints.lambda, { method: 'POST', path, headers }, 1024);
    expect(answer).toMatchObject({ status: 413 });
    expect((answer as { text: string }).text).toMatch(/Request must be smaller than 70167211 bytes/);
  });

  it('DynamoDB refuses a body over 16 MB at once', async () => {
    const headers = {
      ...(await signed(served.endpoints.dynamodb, 'POST', '/', 'dynamodb', {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      })),
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(17 * 1024 * 1024),
    };
    const answer = await partialUpload(served.endpoints.dynamodb, { method: 'POST', path: '/', headers }, 1024);
    expect(answer).toMatchObject({ status: 413 });
  });
});

describe("S3's body bounds", () => {
  it('a PutObject declaring more than 5 GiB is EntityTooLarge at once; an XML body over 4 MiB is MaxMessageLengthExceeded', async () => {
    await rawRequest(served.endpoints.s3, { method: 'PUT', path: '/bounds' }, s3Signer);
    const put = {
      ...(await signedHeaders(
        served.endpoints.s3,
        { method: 'PUT', path: '/bounds/huge', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
        s3Signer,
      )),
      'content-length': String(5 * 1024 ** 3 + 1),
    };
    const answer = await partialUpload(
      served.endpoints.s3,
      { method: 'PUT', path: '/bounds/huge', headers: put },
      65_536,
    );
    expect(answer).toMatchObject({ status: 400 });
    expect((answer as { text: string }).text).toContain('<Code>EntityTooLarge</Code>');
    const del = await rawRequest(
      served.endpoints.s3,
      {
        method: 'POST',
        path: '/bounds?delete',
        headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        body: `<Delete>${' '.repeat(5 * 1024 ** 2)}</Delete>`,
      },
      s3Signer,
    );
    expect(del.status).toBe(400);
    expect(del.body).toContain('<Code>MaxMessageLengthExceeded</Code>');
    await stillServes();
  });
});

describe('aborted uploads', () => {
  it.each(['lambda', 's3', 'dynamodb'] as const)(
    'a %s client that hangs up mid-body leaves the service serving',
    async (service) => {
      const endpoint = served.endpoints[service];
      const path =
        service === 'lambda' ? '/2015-03-31/functions/hello-node/invocations' : service === 's3' ? '/aborted/key' : '/';
      const headers = {
        ...(await signedHeaders(
          endpoint,
          {
            method: service === 's3' ? 'PUT' : 'POST',
            path,
            headers:
              service === 'dynamodb'
                ? { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' }
                : {},
          },
          { service },
        )),
        'content-length': '100000',
      };
      const url = new URL(endpoint);
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(url.port), url.hostname, () => {
          const lines = [
            `${service === 's3' ? 'PUT' : 'POST'} ${path} HTTP/1.1`,
            ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
          ];
          socket.write(`${lines.join('\r\n')}\r\n\r\n{"partial":`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', () => {});
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await stillServes();
      const tables = await rawRequest(
        served.endpoints.dynamodb,
        {
          method: 'POST',
          path: '/',
          headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
          body: '{}',
        },
        { service: 'dynamodb' },
      );
      expect(tables.status).toBe(200);
    },
  );
});
