import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listenRuntimeApi, MAX_RESPONSE_BYTES, type RuntimeResponse } from './runtime-api.js';

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

describe('Runtime API state machine answers', () => {
  it("answers a refused transition 403 InvalidStateTransition in RAPID's words, for posts and init errors", async () => {
    const refusing = await listenRuntimeApi({
      next: (res) => res.destroy(),
      response: () => ({ from: 'RuntimeResponseSentState', to: 'InvocationResponse' }),
      error: () => false,
      initError: () => ({ from: 'Running', to: 'InitError' }),
      responseTooLarge: () => ({ from: 'Ready', to: 'InvocationResponse' }),
    });
    try {
      const at = (p: string) => `http://${refusing.address}/2018-06-01/runtime/${p}`;
      const twice = await fetch(at('invocation/req-1/response'), { method: 'POST', body: '1' });
      expect(twice.status).toBe(403);
      expect(await twice.json()).toEqual({
        errorType: 'InvalidStateTransition',
        errorMessage:
          'State transition from RuntimeResponseSentState to InvocationResponse failed for runtime. Error: State transition is not allowed',
      });
      const late = await fetch(at('init/error'), { method: 'POST', body: '{}' });
      expect(late.status).toBe(403);
      expect(((await late.json()) as { errorMessage: string }).errorMessage).toMatch(
        /^State transition from Running to InitError/,
      );
      const unknown = await fetch(at('invocation/other/error'), { method: 'POST', body: '{}' });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({ errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
      const big = await fetch(at('invocation/req-1/response'), {
        method: 'POST',
        body: Buffer.alloc(MAX_RESPONSE_BYTES + 1),
      });
      expect(big.status).toBe(403);
    } finally {
      refusing.server.closeAllConnections();
      refusing.server.close();
    }
  });
});

describe('Runtime API HTTP/1.1 handling', () => {
  let parked: ((body: string) => void) | undefined;
  let parkedResponse: RuntimeResponse | undefined;
  let pipelined: Awaited<ReturnType<typeof listenRuntimeApi>>;
  const bodies: string[] = [];

  beforeAll(async () => {
    pipelined = await listenRuntimeApi({
      next: (res) => {
        parkedResponse = res;
        parked = (body) => {
          res.writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': 'req-2' });
          res.end(body);
        };
      },
      response: (id, body) => {
        bodies.push(`${id} ${body}`);
        return id === 'req-2';
      },
      error: () => false,
      initError: () => {},
      responseTooLarge: () => false,
    });
  });

  afterAll(() => {
    pipelined.server.closeAllConnections();
    pipelined.server.close();
  });

  /** A raw connection: everything it received so far, and a way to wait for more. */
  function connect() {
    const [host, port] = pipelined.address.split(':');
    const socket = net.connect(Number(port), host);
    let received = '';
    const waiters: Array<() => void> = [];
    socket.on('data', (chunk) => {
      received += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    const until = async (test: (text: string) => boolean) => {
      while (!test(received)) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    };
    return { socket, until, received: () => received };
  }

  it('decodes chunked bodies and, for a pipelined /next, sends the 202 with the next event in one write', async () => {
    const c = connect();
    c.socket.write(
      'POST /2018-06-01/runtime/invocation/req-2/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\n{"a\r\n5;ext=1\r\n":12}\r\n0\r\nTrailer: t\r\n\r\n' +
        'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await vi.waitFor(() => expect(parked).toBeDefined());
    expect(bodies).toEqual(['req-2 {"a":12}']);
    // Held: the client pipelined /next, so its 202 waits for the next event and leaves with it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.received()).toBe('');
    parked?.('{"n":1}');
    const text = await c.until((t) => t.endsWith('{"n":1}'));
    expect(text).toMatch(/^HTTP\/1\.1 202 Accepted\r\n[\s\S]*\{"status":"OK"\}HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('Lambda-Runtime-Aws-Request-Id: req-2\r\nContent-Length: 7\r\n');
    c.socket.destroy();
  });

  it('answers Expect: 100-continue, and closes after Connection: close', async () => {
    const c = connect();
    c.socket.write(
      'POST /2018-06-01/runtime/invocation/req-2/response HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n',
    );
    await c.until((t) => t.startsWith('HTTP/1.1 100 Continue\r\n\r\n'));
    c.socket.write('"ok"');
    const closed = new Promise((resolve) => c.socket.on('close', resolve));
    await c.until((t) => t.includes('{"status":"OK"}'));
    await closed;
    expect(c.received()).toMatch(/HTTP\/1\.1 202 Accepted\r\n[\s\S]*Connection: close\r\n/);
    expect(bodies).toContain('req-2 "ok"');
  });

  it('refuses a header value that would break the response head, as node:http does', async () => {
    parkedResponse = undefined;
    const c = connect();
    c.socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(() => expect(parkedResponse).toBeDefined());
    expect(() => parkedResponse?.writeHead(200, { 'Lambda-Runtime-Client-Context': 'a\r\nX: b' })).toThrow(TypeError);
    c.socket.destroy();
  });
});
