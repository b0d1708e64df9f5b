import net from 'node:net';
import { encodeText } from './text.js';

export interface ApiResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface ChunkedRequest {
  /** The API's answer, once the body has ended. */
  response: Promise<ApiResponse>;
  /** Sends one non-empty chunk; `done` runs once the socket took it (back-pressure for the stream). */
  chunk(bytes: Uint8Array, done: (error?: Error | null) => void): void;
  /** The last chunk; `trailers` are complete header lines ("Name: value\r\n" each), or empty. */
  end(trailers: string, done: (error?: Error | null) => void): void;
}

type Waiter = { resolve: (response: ApiResponse) => void; reject: (error: Error) => void };

const EMPTY = Buffer.alloc(0);
const BASE = '/2018-06-01/runtime';

/**
 * A minimal HTTP/1.1 client on one persistent socket to the Runtime API; a raw keep-alive connection avoids
 * node:http's per-request machinery. Requests may be pipelined (see `pipeline`): answers come back in order.
 * The socket is unref'd while no request is outstanding: the event loop then drains exactly when the function's
 * own work is done, which is what `callbackWaitsForEmptyEventLoop` waits for (process 'beforeExit').
 */
export class RuntimeApiConnection {
  readonly #host: string;
  readonly #port: number;
  #socket: net.Socket | undefined;
  #buffer: Buffer = EMPTY;
  /**
   * Data received after #buffer, not yet joined to it, and how many bytes the response being read needs in all:
   * a 1 MiB event arrives in dozens of reads, and joining at each read copied it over and over (quadratic).
   */
  #unjoined: Buffer[] = [];
  #unjoinedBytes = 0;
  #needed = 0;
  /** Requests sent and not yet answered, oldest first. */
  #waiting: Waiter[] = [];

  constructor(address: string) {
    const colon = address.lastIndexOf(':');
    this.#host = colon > 0 ? address.slice(0, colon) : address || '127.0.0.1';
    this.#port = colon > 0 ? Number(address.slice(colon + 1)) : 80;
  }

  get busy(): boolean {
    return this.#waiting.length > 0;
  }

  /** Requests made inside `send` leave in one write (one TCP segment, one wake-up of the server). */
  pipeline<T>(send: () => T): T {
    const socket = this.#socket ?? this.#connect();
    socket.cork();
    try {
      return send();
    } finally {
      socket.uncork();
    }
  }

  /** `path` is relative to /2018-06-01/runtime. The body is JSON text. */
  request(method: 'GET' | 'POST', path: string, text?: string, headers = ''): Promise<ApiResponse> {
    const socket = this.#socket ?? this.#connect();
    socket.ref();
    let head = `${method} ${BASE}${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\n${headers}`;
    // Encoded once: measuring the UTF-8 length and then writing the string would transcode it twice.
    const body = text === undefined ? undefined : encodeText(text);
    if (body !== undefined) {
      head += `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`;
    }
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      // cork/uncork sends head and body in one writev, so one TCP segment for small bodies.
      socket.cork();
      socket.write(head, 'latin1');
      if (body?.length) socket.write(body);
      socket.uncork();
    });
  }

  /**
   * Starts a chunked request (a streamed response, see response-stream.ts): each `chunk` as its own HTTP chunk,
   * then `end` with trailers; the head leaves with the first of them (one segment, one wake-up of the API fewer).
   * The answer arrives in order like any other.
   */
  openChunked(path: string, headers: string): ChunkedRequest {
    const socket = this.#socket ?? this.#connect();
    socket.ref();
    const response = new Promise<ApiResponse>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    let head: string | undefined =
      `POST ${BASE}${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\n${headers}Transfer-Encoding: chunked\r\n\r\n`;
    const send = (write: () => void) => {
      socket.cork();
      if (head !== undefined) socket.write(head, 'latin1');
      head = undefined;
      write();
      socket.uncork();
    };
    return {
      response,
      chunk: (bytes, done) =>
        send(() => {
          socket.write(`${bytes.length.toString(16)}\r\n`, 'latin1');
          socket.write(bytes);
          socket.write('\r\n', 'latin1', done);
        }),
      end: (trailers, done) => send(() => socket.write(`0\r\n${trailers}\r\n`, 'latin1', done)),
    };
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connect(): net.Socket {
    const socket = net.connect({ host: this.#host, port: this.#port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.#unjoined.push(chunk);
      this.#unjoinedBytes += chunk.length;
      if (this.#buffer.length + this.#unjoinedBytes < this.#needed) return;
      const parts = this.#buffer.length ? [this.#buffer, ...this.#unjoined] : this.#unjoined;
      this.#buffer = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      this.#unjoined = [];
      this.#unjoinedBytes = 0;
      this.#needed = 0;
      this.#parse();
    });
    const fail = (error: Error) => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#buffer = EMPTY;
      this.#unjoined = [];
      this.#unjoinedBytes = 0;
      this.#needed = 0;
      const waiters = this.#waiting;
      this.#waiting = [];
      for (const waiter of waiters) waiter.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('Runtime API connection closed')));
    this.#socket = socket;
    return socket;
  }

  #parse(): void {
    while (this.#waiting.length > 0) {
      const response = this.#parseOne();
      if (!response) return;
      const waiter = this.#waiting.shift() as Waiter;
      if (this.#waiting.length === 0) this.#socket?.unref();
      waiter.resolve(response);
    }
  }

  /** The first complete response in the buffer (consumed), or undefined while incomplete. */
  #parseOne(): ApiResponse | undefined {
    const data = this.#buffer;
    const headerEnd = data.indexOf('\r\n\r\n');
    if (headerEnd < 0) return undefined;
    const lines = data.toString('latin1', 0, headerEnd).split('\r\n');
    const status = Number(lines[0]?.slice(9, 12));
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = headerEnd + 4;
    let body: Buffer;
    let end: number;
    if (headers['transfer-encoding']?.includes('chunked')) {
      const decoded = decodeChunked(data, start);
      if (!decoded) return undefined;
      [body, end] = decoded;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < start + length) {
        this.#needed = start + length;
        return undefined;
      }
      body = data.subarray(start, start + length);
      end = start + length;
    }
    this.#buffer = end === data.length ? EMPTY : data.subarray(end);
    return { status, headers, body };
  }
}

/** Returns the body and the offset after the message, or null while incomplete. */
function decodeChunked(data: Buffer, from: number): [Buffer, number] | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
    if (size === 0) {
      const end = data.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? null : [Buffer.concat(parts), end + 4];
    }
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
