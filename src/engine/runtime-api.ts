import net, { type AddressInfo } from 'node:net';
import { Connection, type Request, type Response } from './http1.js';
import { type StreamHandlers, streamHook } from './runtime-stream.js';

export type { Response as RuntimeResponse } from './http1.js';

/** AWS accepts function responses up to 6 MB (6,291,556 bytes) on the Runtime API. */
export const MAX_RESPONSE_BYTES = 6_291_556;
const PREFIX = '/2018-06-01/runtime/';
/** Lambda-Runtime-Function-Response-Mode's values (AWS's RAPID compares them case-insensitively). */
const RESPONSE_MODES = /^(streaming|buffered)$/i;
const INVOCATION = 'invocation/';

/**
 * What a handler says of a runtime's post: accepted (true), not the invocation in flight (false: 400
 * InvalidRequestID), or refused by the state machine (`Refused`: 403 InvalidStateTransition, as RAPID answers).
 */
export type Verdict = boolean | Refused;

/** RAPID's runtime states (its names, which its 403 messages quote) between which a post was refused. */
export interface Refused {
  from: string;
  to: string;
}

export interface RuntimeApiHandlers {
  /** The runtime asks for work; the response is parked until an invocation is dispatched. */
  next(res: Response): void;
  response(requestId: string, body: Buffer): Verdict;
  error(requestId: string, errorType: string | undefined, body: Buffer): Verdict;
  /** Accepted unless refused (after init). */
  initError(errorType: string | undefined, body: Buffer): Refused | undefined;
  /** A response body above the limit: the invocation fails with Function.ResponseSizeTooLarge. */
  responseTooLarge(requestId: string, bytes: number): Verdict;
  /** Streamed responses (`Lambda-Runtime-Function-Response-Mode: streaming`), see runtime-stream.ts. */
  stream?: StreamHandlers;
}

function sendJson(res: Response, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
}

const ACCEPTED = Buffer.from('{"status":"OK"}');
const ACCEPTED_HEADERS = { 'Content-Type': 'application/json', 'Content-Length': ACCEPTED.length };

function accepted(res: Response): void {
  res.writeHead(202, ACCEPTED_HEADERS);
  res.end(ACCEPTED);
}

const notFound = (res: Response, target: string) =>
  sendJson(res, 404, { errorType: 'NotFound', errorMessage: `Unknown path ${target}` });

/** `invocation/{id}/response|error` → [id, kind] without a regular expression on the hot path. */
function invocationRoute(route: string): [string, 'response' | 'error'] | null {
  if (!route.startsWith(INVOCATION)) return null;
  const slash = route.indexOf('/', INVOCATION.length);
  if (slash <= INVOCATION.length) return null;
  const kind = route.slice(slash + 1);
  if (kind !== 'response' && kind !== 'error') return null;
  return [route.slice(INVOCATION.length, slash), kind];
}

/** Routes one environment's Runtime API requests (2018-06-01) to its handlers; anything else gets AWS-style 4xx. */
export function routeRuntimeApi(handlers: RuntimeApiHandlers) {
  return (req: Request, res: Response): void => {
    const { target, method } = req;
    if (!target.startsWith(PREFIX)) return notFound(res, target);
    const route = target.slice(PREFIX.length);
    if (route === 'invocation/next') {
      if (method !== 'GET') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Use GET' });
      return handlers.next(res);
    }
    const match = invocationRoute(route);
    if (route !== 'init/error' && !match) return notFound(res, target);
    if (method !== 'POST') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Use POST' });
    const errorType = req.headers['lambda-runtime-function-error-type'];
    if (!match) {
      const refused = handlers.initError(errorType, req.body ?? Buffer.alloc(0));
      return refused ? invalidStateTransition(res, refused) : accepted(res);
    }
    const [rawId, kind] = match;
    const mode = req.headers['lambda-runtime-function-response-mode'];
    if (kind === 'response' && mode !== undefined && !RESPONSE_MODES.test(mode)) {
      return sendJson(res, 400, {
        errorType: 'InvalidFunctionResponseMode',
        errorMessage: 'Invalid function response mode',
      });
    }
    const requestId = rawId.includes('%') ? safeDecode(rawId) : rawId;
    if (req.trailers && handlers.stream) {
      const ended = handlers.stream.end(requestId, req.trailers);
      if (ended === 'unknown') return refuse(res, false);
      if (ended === 'accepted') return accepted(res);
      return sendJson(res, 413, {
        errorType: 'RequestEntityTooLarge',
        errorMessage: `Exceeded maximum allowed payload size (${ended.limit} bytes).`,
      });
    }
    if (req.body === null) {
      const verdict = handlers.responseTooLarge(requestId, req.bytes);
      if (verdict !== true) return refuse(res, verdict);
      return sendJson(res, 413, {
        errorType: 'RequestEntityTooLarge',
        errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      });
    }
    const verdict =
      kind === 'response' ? handlers.response(requestId, req.body) : handlers.error(requestId, errorType, req.body);
    if (verdict !== true) return refuse(res, verdict);
    accepted(res);
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function refuse(res: Response, verdict: false | Refused): void {
  if (verdict === false)
    return sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
  invalidStateTransition(res, verdict);
}

/** RAPID's 403 for a call its runtime state machine does not allow (rapi/handler, StateTransitionFailed…). */
export function invalidStateTransition(res: Response, { from, to }: Refused): void {
  sendJson(res, 403, {
    errorType: 'InvalidStateTransition',
    errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`,
  });
}

/** The Runtime API listener of one environment; closing it drops the runtime's connections. */
export interface RuntimeApiServer {
  closeAllConnections(): void;
  close(callback?: () => void): void;
}

export async function listenRuntimeApi(
  handlers: RuntimeApiHandlers,
): Promise<{ server: RuntimeApiServer; address: string }> {
  const route = routeRuntimeApi(handlers);
  const hook = handlers.stream ? streamHook(handlers.stream, PREFIX) : undefined;
  const sockets = new Set<net.Socket>();
  // A parked /next may wait for minutes between invocations: no timeouts on these connections.
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new Connection(socket, MAX_RESPONSE_BYTES, route, hook);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server: {
      closeAllConnections: () => {
        for (const socket of sockets) socket.destroy();
      },
      close: (callback) => server.close(() => callback?.()),
    },
    address: `127.0.0.1:${port}`,
  };
}
