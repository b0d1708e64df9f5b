import type { Socket } from 'node:net';

/**
 * A minimal HTTP/1.1 server connection for the Runtime API. The engine answers two requests per invocation
 * (the runtime's response, then its next /next) and each write wakes the runtime's process, so this reads and
 * writes the socket itself: no per-request IncomingMessage/ServerResponse, and answers that would leave in
 * separate writes leave in one (see `held` below). It supports what runtime clients send: Content-Length and
 * chunked bodies, Expect: 100-continue, keep-alive and Connection: close, and pipelined requests, answered
 * in order, one at a time.
 */
export interface Request {
  method: string;
  target: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** null when the body exceeded the connection's limit; `bytes` is its full size. Empty when streamed. */
  body: Buffer | null;
  bytes: number;
  /** Set when the body went to a `BodySink` as it arrived (see `StreamHook`): the chunked body's trailers. */
  trailers?: Record<string, string>;
}

/**
 * Receives a request's body as it arrives instead of it being buffered (a streamed function response). A write
 * that returns a promise stops reading from the socket until it settles: back-pressure to the sender.
 */
export interface BodySink {
  write(bytes: Buffer): Promise<void> | undefined;
}

/**
 * Asked, for a request carrying `streamHeader`, once its head is read: a sink takes the body as it arrives and
 * the request is handed to `onRequest` when the body (and its trailers) is complete. Requests without the header
 * never reach it, so the buffered path costs one header lookup more.
 */
export interface StreamHook {
  streamHeader: string;
  open(request: Request): BodySink | undefined;
}

/** The part of node:http's ServerResponse the engine uses. */
export interface Response {
  writeHead(status: number, headers?: Record<string, string | number>): void;
  end(body?: Buffer | string): void;
  destroy(): void;
}

const EMPTY = Buffer.alloc(0);
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** node:http's rule for header values (ERR_INVALID_CHAR): no control characters but tab. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const REASONS: Record<number, string> = {
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

type BodyState =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; phase: 'size' | 'data' | 'crlf' | 'trailer'; remaining: number };

interface Pending {
  request: Request;
  chunks: Buffer[];
  state: BodyState;
  close: boolean;
  sink?: BodySink;
  trailers?: Record<string, string>;
}

export class Connection {
  readonly #socket: Socket;
  readonly #onRequest: (request: Request, response: Response) => void;
  readonly #limit: number;
  readonly #stream: StreamHook | undefined;
  #buffer: Buffer = EMPTY;
  #pending: Pending | undefined;
  /** A request whose answer has not been written yet (a parked /next); later requests wait for it. */
  #awaiting = false;
  #processing = false;
  #closed = false;
  /** Sink writes not yet drained; the socket is paused while there are any. */
  #backlog = 0;
  /**
   * Answers written while a later pipelined request is being handled. When that request parks (a runtime that
   * pipelines /next behind its response), the 202 leaves with the next invocation in one write: one wake-up of
   * the runtime instead of two. A client that waits for each answer never has anything held.
   */
  #held: Array<Buffer | string> = [];

  constructor(
    socket: Socket,
    limit: number,
    onRequest: (request: Request, response: Response) => void,
    stream?: StreamHook,
  ) {
    this.#socket = socket;
    this.#limit = limit;
    this.#onRequest = onRequest;
    this.#stream = stream;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#process();
    });
    socket.on('error', () => socket.destroy());
  }

  #process(): void {
    if (this.#processing || this.#closed) return;
    this.#processing = true;
    try {
      while (!this.#awaiting && !this.#closed) {
        if (!this.#pending && !this.#readHead()) break;
        const pending = this.#pending as Pending;
        if (!this.#readBody(pending)) break;
        this.#pending = undefined;
        const { request, chunks } = pending;
        if (pending.sink) {
          request.body = EMPTY;
          request.trailers = pending.trailers ?? {};
        } else if (request.bytes <= this.#limit) {
          request.body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, request.bytes);
        }
        this.#awaiting = true;
        this.#onRequest(request, new Reply(this, pending.close));
      }
    } finally {
      this.#processing = false;
    }
    if (!this.#awaiting) this.#flush();
  }

  /** Called by a Reply with its bytes. */
  answer(parts: Array<Buffer | string>, close: boolean): void {
    this.#held.push(...parts);
    this.#awaiting = false;
    if (close) {
      this.#flush();
      this.#closed = true;
      this.#socket.end();
      return;
    }
    // Inside #process, the loop continues and flushes at its end (or holds, see #held).
    if (!this.#processing) {
      this.#flush();
      this.#process();
    }
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #flush(): void {
    const held = this.#held;
    if (held.length === 0 || this.#socket.destroyed) return;
    this.#held = [];
    if (held.length === 1) {
      this.#socket.write(held[0] as Buffer | string, 'latin1');
      return;
    }
    // One writev for everything: head strings are latin1, bodies are Buffers.
    this.#socket.cork();
    for (const part of held) this.#socket.write(part, 'latin1');
    this.#socket.uncork();
  }

  #fail(status: number): false {
    this.#held.push(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    this.#flush();
    this.#closed = true;
    this.#socket.end();
    return false;
  }

  #readHead(): boolean {
    const buffer = this.#buffer;
    const end = buffer.indexOf(HEAD_END);
    if (end < 0) return buffer.length > MAX_HEAD_BYTES ? this.#fail(431) : false;
    if (end > MAX_HEAD_BYTES) return this.#fail(431);
    const lines = buffer.toString('latin1', 0, end).split('\r\n');
    this.#buffer = buffer.subarray(end + 4);
    const line = REQUEST_LINE.exec(lines[0] ?? '');
    if (!line) return this.#fail(400);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const text = lines[i] as string;
      const colon = text.indexOf(':');
      const name = text.slice(0, colon).toLowerCase();
      if (colon <= 0 || !TOKEN.test(name)) return this.#fail(400);
      headers[name] = text.slice(colon + 1).trim();
    }
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    let state: BodyState;
    if (te !== undefined) {
      if (cl !== undefined || te.toLowerCase() !== 'chunked') return this.#fail(400);
      state = { kind: 'chunked', phase: 'size', remaining: 0 };
    } else {
      if (cl !== undefined && !/^\d+$/.test(cl)) return this.#fail(400);
      state = { kind: 'length', remaining: cl === undefined ? 0 : Number(cl) };
    }
    const connection = headers.connection?.toLowerCase() ?? '';
    const close = connection.includes('close') || (line[3] === '0' && !connection.includes('keep-alive'));
    const request = { method: line[1] as string, target: line[2] as string, headers, body: null, bytes: 0 };
    this.#pending = { request, chunks: [], state, close };
    if (this.#stream && headers[this.#stream.streamHeader] !== undefined) {
      const sink = this.#stream.open(request);
      if (sink) this.#pending.sink = sink;
    }
    if (headers.expect?.toLowerCase() === '100-continue' && (state.kind === 'chunked' || state.remaining > 0)) {
      this.#held.push('HTTP/1.1 100 Continue\r\n\r\n');
      this.#flush();
    }
    return true;
  }

  /** Moves body bytes out of the buffer; true once the body is complete. */
  #readBody(pending: Pending): boolean {
    const { state } = pending;
    if (state.kind === 'length') {
      this.#take(pending, state.remaining);
      return state.remaining === 0;
    }
    for (;;) {
      if (state.phase === 'data') {
        this.#take(pending, state.remaining);
        if (state.remaining > 0) return false;
        state.phase = 'crlf';
      }
      if (state.phase === 'crlf') {
        if (this.#buffer.length < 2) return false;
        if (this.#buffer[0] !== 13 || this.#buffer[1] !== 10) return this.#fail(400);
        this.#buffer = this.#buffer.subarray(2);
        state.phase = 'size';
      }
      const lineEnd = this.#buffer.indexOf('\r\n');
      if (lineEnd < 0) return this.#buffer.length > 4096 ? this.#fail(400) : false;
      const line = this.#buffer.toString('latin1', 0, lineEnd);
      this.#buffer = this.#buffer.subarray(lineEnd + 2);
      if (state.phase === 'trailer') {
        if (line === '') return true;
        const colon = line.indexOf(':');
        if (pending.sink && colon > 0) {
          pending.trailers ??= {};
          pending.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        continue;
      }
      const size = line.split(';')[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]{1,8}$/.test(size)) return this.#fail(400);
      state.remaining = Number.parseInt(size, 16);
      state.phase = state.remaining === 0 ? 'trailer' : 'data';
    }
  }

  #wait(drained: Promise<void> | undefined): void {
    if (!drained) return;
    if (this.#backlog++ === 0) this.#socket.pause();
    const resume = () => {
      if (--this.#backlog === 0 && !this.#closed) this.#socket.resume();
    };
    drained.then(resume, resume);
  }

  /** Takes up to `state.remaining` body bytes; beyond the limit, counts them without keeping them. */
  #take(pending: Pending, wanted: number): void {
    const n = Math.min(wanted, this.#buffer.length);
    if (n === 0) return;
    const { request } = pending;
    request.bytes += n;
    if (pending.sink) this.#wait(pending.sink.write(this.#buffer.subarray(0, n)));
    else if (request.bytes <= this.#limit) pending.chunks.push(this.#buffer.subarray(0, n));
    this.#buffer = n === this.#buffer.length ? EMPTY : this.#buffer.subarray(n);
    pending.state.remaining -= n;
  }
}

class Reply implements Response {
  readonly #connection: Connection;
  readonly #close: boolean;
  #head = '';
  #hasLength = false;
  #done = false;

  constructor(connection: Connection, close: boolean) {
    this.#connection = connection;
    this.#close = close;
  }

  writeHead(status: number, headers: Record<string, string | number> = {}): void {
    let head = `HTTP/1.1 ${status} ${REASONS[status] ?? ''}\r\n`;
    for (const name in headers) {
      const value = String(headers[name]);
      if (INVALID_VALUE.test(value)) throw new TypeError(`Invalid character in header content ["${name}"]`);
      if (name.length === 14 && name.toLowerCase() === 'content-length') this.#hasLength = true;
      head += `${name}: ${value}\r\n`;
    }
    this.#head = head;
  }

  end(body: Buffer | string = EMPTY): void {
    if (this.#done) return;
    this.#done = true;
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    let head = this.#head || 'HTTP/1.1 200 OK\r\n';
    if (!this.#hasLength) head += `Content-Length: ${bytes.length}\r\n`;
    if (this.#close) head += 'Connection: close\r\n';
    head += '\r\n';
    this.#connection.answer(bytes.length > 0 ? [head, bytes] : [head], this.#close);
  }

  destroy(): void {
    this.#done = true;
    this.#connection.destroy();
  }
}
