import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenRuntimeApi, MAX_RESPONSE_BYTES } from './runtime-api.js';

let api: Awaited<ReturnType<typeof listenRuntimeApi>>;
const seen: string[] = [];

beforeAll(async () => {
  api = await listenRuntimeApi({
    next: (res) => {
      res.writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': 'req-1', 'Content-Length': 2 });
      res.end('{}');
    },
    response: (id, body) => {
      seen.push(`response ${id} ${body}`);
      return id === 'req-1';
    },
    error: (id, type) => {
      seen.push(`error ${id} ${type}`);
      return id === 'req-1';
    },
    initError: (type) => void seen.push(`init ${type}`),
    responseTooLarge: (id) => id === 'req-1',
  });
});

afterAll(() => {
  api.server.closeAllConnections();
  api.server.close();
});

const url = (p: string) => `http://${api.address}/2018-06-01/runtime/${p}`;

describe('Runtime API 2018-06-01 endpoint', () => {
  it('hands out work and takes responses, errors and init errors', async () => {
    const next = await fetch(url('invocation/next'));
    expect(next.headers.get('lambda-runtime-aws-request-id')).toBe('req-1');
    expect((await fetch(url('invocation/req-1/response'), { method: 'POST', body: '"ok"' })).status).toBe(202);
    const err = await fetch(url('invocation/req-1/error'), {
      method: 'POST',
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Oops' },
      body: '{}',
    });
    expect(err.status).toBe(202);
    expect(
      (
        await fetch(url('init/error'), {
          method: 'POST',
          body: '{}',
          headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.X' },
        })
      ).status,
    ).toBe(202);
    expect(seen).toEqual(['response req-1 "ok"', 'error req-1 Oops', 'init Runtime.X']);
  });

  it('answers mistakes with 4xx and AWS error types', async () => {
    const unknown = await fetch(url('invocation/other/response'), { method: 'POST', body: '1' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ errorType: 'InvalidRequestID' });
    expect((await fetch(url('nothing-here'))).status).toBe(404);
    expect((await fetch(url('invocation/next'), { method: 'POST', body: '' })).status).toBe(405);
    const big = await fetch(url('invocation/req-1/response'), {
      method: 'POST',
      body: Buffer.alloc(MAX_RESPONSE_BYTES + 1),
    });
    expect(big.status).toBe(413);
  });

  it('survives garbage on the socket and keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const [host, port] = api.address.split(':');
      const socket = net.connect(Number(port), host, () => socket.write('\x00\x01 NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (c) => (data += c));
      socket.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(url('invocation/next'))).status).toBe(200);
  });
});
