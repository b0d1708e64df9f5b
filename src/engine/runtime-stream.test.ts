import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32, decodeMessages, invokeComplete, payloadChunk } from './eventstream.js';
import { listenRuntimeApi } from './runtime-api.js';
import { MAX_STREAMED_RESPONSE_BYTES, StreamedResponse } from './runtime-stream.js';

let api: Awaited<ReturnType<typeof listenRuntimeApi>>;
const events: string[] = [];
let onPiece: (piece: string) => void = () => {};

beforeAll(async () => {
  api = await listenRuntimeApi({
    next: (res) => {
      events.push('next');
      res.writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': 'req-1', 'Content-Length': 2 });
      res.end('{}');
    },
    response: (id, body) => {
      events.push(`buffered ${id} ${body}`);
      return id === 'req-1';
    },
    error: () => false,
    initError: () => {},
    responseTooLarge: () => false,
    stream: {
      open: (id, contentType) => {
        if (id !== 'req-1' && id !== 'req-big') return undefined;
        events.push(`open ${contentType}`);
        return {
          write: (bytes) => {
            events.push(`piece ${bytes}`);
            onPiece(bytes.toString());
          },
        };
      },
      end: (id, trailers) => {
        events.push(`end ${JSON.stringify(trailers)}`);
        if (id === 'req-big') return { limit: 6_291_556 };
        return id === 'req-1' ? 'accepted' : 'unknown';
      },
    },
  });
});

afterAll(() => {
  api.server.closeAllConnections();
  api.server.close();
});

/** A raw connection: what a custom runtime writes, byte for byte. */
function connect() {
  const [host, port] = api.address.split(':');
  const socket = net.connect(Number(port), host);
  let data = '';
  const waiters: Array<[RegExp, () => void]> = [];
  socket.on('data', (c) => {
    data += c;
    for (const [pattern, resolve] of waiters.splice(0)) {
      if (pattern.test(data)) resolve();
      else waiters.push([pattern, resolve]);
    }
  });
  return {
    write: (text: string) => socket.write(text),
    until: (pattern: RegExp) =>
      new Promise<string>((resolve) => {
        if (pattern.test(data)) return resolve(data);
        waiters.push([pattern, () => resolve(data)]);
      }),
    close: () => socket.destroy(),
  };
}

const STREAM_HEAD =
  'POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\n' +
  'Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n';

describe('Runtime API streaming response mode', () => {
  it('hands each piece on as it arrives, even one chunk split across writes', async () => {
    events.length = 0;
    const runtime = connect();
    const first = new Promise<string>((resolve) => (onPiece = resolve));
    runtime.write(`${STREAM_HEAD}5\r\nhel`);
    expect(await first).toBe('hel');
    const second = new Promise<string>((resolve) => (onPiece = resolve));
    runtime.write('lo\r\n');
    expect(await second).toBe('lo');
    // The end, its trailers, and a pipelined /next in one write: 202 first, then the next event.
    runtime.write(
      '0\r\nLambda-Runtime-Function-Error-Type: Oops\r\nLambda-Runtime-Function-Error-Body: e30=\r\n\r\n' +
        'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const reply = await runtime.until(/HTTP\/1\.1 200[\s\S]*\{\}$/);
    expect(reply).toMatch(/^HTTP\/1\.1 202 /);
    runtime.close();
    expect(events).toEqual([
      'open text/plain',
      'piece hel',
      'piece lo',
      'end {"lambda-runtime-function-error-type":"Oops","lambda-runtime-function-error-body":"e30="}',
      'next',
    ]);
  });

  it('buffers a streaming POST for an invocation not in flight, and refuses it as AWS does', async () => {
    events.length = 0;
    const runtime = connect();
    runtime.write(
      'POST /2018-06-01/runtime/invocation/other/response HTTP/1.1\r\nHost: x\r\n' +
        'Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    );
    expect(await runtime.until(/InvalidRequestID/)).toMatch(/^HTTP\/1\.1 400 /);
    runtime.close();
    expect(events).toEqual(['buffered other x']);
  });

  it('answers an unknown response mode with 400 InvalidFunctionResponseMode, as AWS', async () => {
    events.length = 0;
    const runtime = connect();
    runtime.write(
      'POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\n' +
        'Lambda-Runtime-Function-Response-Mode: chunky\r\nContent-Length: 2\r\n\r\nok',
    );
    const reply = await runtime.until(/Invalid function response mode/);
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toMatch(/"errorType":"InvalidFunctionResponseMode"/);
    runtime.close();
    expect(events).toEqual([]);
  });

  it('refuses a stream past its limit at its end with 413 RequestEntityTooLarge naming the limit', async () => {
    const runtime = connect();
    runtime.write(
      'POST /2018-06-01/runtime/invocation/req-big/response HTTP/1.1\r\nHost: x\r\n' +
        'Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    );
    const reply = await runtime.until(/\}$/);
    runtime.close();
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toMatch(
      /"errorType":"RequestEntityTooLarge","errorMessage":"Exceeded maximum allowed payload size \(6291556 bytes\)\."/,
    );
  });

  it('leaves buffered responses (no streaming header) on the buffered path', async () => {
    events.length = 0;
    const runtime = connect();
    runtime.write(
      'POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    );
    expect(await runtime.until(/HTTP\/1\.1 202/)).toMatch(/^HTTP\/1\.1 202 /);
    runtime.close();
    expect(events).toEqual(['buffered req-1 ok']);
  });
});

describe('StreamedResponse', () => {
  it('reads the error trailers: the type from its trailer (as AWS), else from the body', () => {
    const body = Buffer.from('{"errorType":"Custom.X","errorMessage":"m"}').toString('base64');
    const streamed = new StreamedResponse(undefined, 'text/plain', 'r');
    streamed.write(Buffer.from('part'));
    const typed = streamed.finish({
      'lambda-runtime-function-error-type': 'Runtime.Y',
      'lambda-runtime-function-error-body': body,
    });
    expect(typed).toMatchObject({ kind: 'error', errorType: 'Runtime.Y' });
    expect(JSON.parse(typed.body.toString())).toEqual({ errorType: 'Custom.X', errorMessage: 'm' });
    const untyped = new StreamedResponse(undefined, 'text/plain', 'r').finish({
      'lambda-runtime-function-error-body': body,
    });
    expect(untyped).toMatchObject({ kind: 'error', errorType: 'Custom.X' });
  });

  it('stops forwarding past 200 MB and fails with Function.ResponseSizeTooLarge', () => {
    let forwarded = 0;
    const streamed = new StreamedResponse(
      {
        start: () => {},
        chunk: (bytes) => {
          forwarded += bytes.length;
        },
      },
      'application/octet-stream',
      'r',
    );
    const mb = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 201; i++) streamed.write(mb);
    expect(forwarded).toBe(MAX_STREAMED_RESPONSE_BYTES);
    const result = streamed.finish({});
    expect(result).toMatchObject({
      kind: 'error',
      errorType: 'Function.ResponseSizeTooLarge',
      tooLarge: { limit: 209_715_200 },
    });
    expect(JSON.parse(result.body.toString()).errorMessage).toBe(
      'Response payload size (210763776 bytes) exceeded maximum allowed payload size (209715200 bytes).',
    );
  });
});

describe('event stream encoding', () => {
  it('computes the IEEE CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('frames PayloadChunk and InvokeComplete so they decode with their headers, and rejects a corrupted one', () => {
    const bytes = Buffer.concat([payloadChunk(Buffer.from('hi')), invokeComplete({ ErrorCode: 'E' })]);
    const { messages, rest } = decodeMessages(bytes.subarray(0, bytes.length - 1));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.headers[':event-type']).toBe('PayloadChunk');
    expect(messages[0]?.payload.toString()).toBe('hi');
    expect(rest.length).toBeGreaterThan(0);
    const all = decodeMessages(bytes).messages;
    expect(all[1]?.headers).toEqual({
      ':event-type': 'InvokeComplete',
      ':content-type': 'application/json',
      ':message-type': 'event',
    });
    expect(JSON.parse(all[1]?.payload.toString() ?? '')).toEqual({ ErrorCode: 'E' });
    const corrupt = Buffer.from(bytes);
    corrupt[14] = (corrupt[14] ?? 0) ^ 1;
    expect(() => decodeMessages(corrupt)).toThrow(/CRC mismatch/);
  });
});
