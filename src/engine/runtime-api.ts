import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** AWS accepts function responses up to 6 MB (6,291,556 bytes) on the Runtime API. */
export const MAX_RESPONSE_BYTES = 6_291_556;
const PREFIX = '/2018-06-01/runtime/';

export interface RuntimeApiHandlers {
  /** The runtime asks for work; the response is parked until an invocation is dispatched. */
  next(res: ServerResponse): void;
  /** Returns false when the request id is not the invocation in flight. */
  response(requestId: string, body: Buffer): boolean;
  error(requestId: string, errorType: string | undefined, body: Buffer): boolean;
  initError(errorType: string | undefined, body: Buffer): void;
  /** A response body above the limit: the invocation fails with Function.ResponseSizeTooLarge. */
  responseTooLarge(requestId: string, bytes: number): boolean;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const accepted = (res: ServerResponse) => sendJson(res, 202, { status: 'OK' });

function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | null, bytes: number) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= limit) chunks.push(chunk);
  });
  req.on('end', () => done(bytes <= limit ? Buffer.concat(chunks, bytes) : null, bytes));
  req.on('error', () => done(null, bytes));
}

/** Routes one environment's Runtime API requests (2018-06-01) to its handlers; anything else gets AWS-style 4xx. */
export function runtimeApiListener(handlers: RuntimeApiHandlers) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX))
      return sendJson(res, 404, { errorType: 'NotFound', errorMessage: `Unknown path ${url}` });
    const route = url.slice(PREFIX.length);
    if (route === 'invocation/next') {
      if (req.method !== 'GET') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Use GET' });
      req.resume();
      return handlers.next(res);
    }
    const match = /^invocation\/([^/]+)\/(response|error)$/.exec(route);
    if (route !== 'init/error' && !match) {
      return sendJson(res, 404, { errorType: 'NotFound', errorMessage: `Unknown path ${url}` });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Use POST' });
    if (route === 'init/error') {
      return readBody(req, MAX_RESPONSE_BYTES, (body) => {
        handlers.initError(header(req, 'lambda-runtime-function-error-type'), body ?? Buffer.alloc(0));
        accepted(res);
      });
    }
    if (!match) return;
    const requestId = decodeURIComponent(match[1] ?? '');
    const kind = match[2];
    readBody(req, MAX_RESPONSE_BYTES, (body, bytes) => {
      if (body === null) {
        const known = handlers.responseTooLarge(requestId, bytes);
        if (!known) return invalidRequestId(res);
        return sendJson(res, 413, {
          errorType: 'RequestEntityTooLarge',
          errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        });
      }
      const known =
        kind === 'response'
          ? handlers.response(requestId, body)
          : handlers.error(requestId, header(req, 'lambda-runtime-function-error-type'), body);
      if (!known) return invalidRequestId(res);
      accepted(res);
    });
  };
}

function invalidRequestId(res: ServerResponse): void {
  sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function listenRuntimeApi(
  handlers: RuntimeApiHandlers,
): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer({ keepAliveTimeout: 0, noDelay: true }, runtimeApiListener(handlers));
  // A parked /next may wait for minutes between invocations; Node's default request timeout would cut it.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, address: `127.0.0.1:${port}` };
}
