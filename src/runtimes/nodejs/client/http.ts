import net from 'node:net';

/**
 * A minimal HTTP/1.1 client on one persistent socket: the runtime has exactly one request in flight, so a raw
 * connection avoids node:http's per-request machinery (tens of µs twice per invocation). Handles Content-Length
 * and chunked responses, and reconnects if the server closes the connection.
 */
const [host = '127.0.0.1', portText = '80'] = (process.env.AWS_LAMBDA_RUNTIME_API ?? '').split(':');
const port = Number(portText);
const BASE = '/2018-06-01/runtime';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

let socket: net.Socket | undefined;
let buffer: Buffer = Buffer.alloc(0);
let waiting: { resolve: (r: ApiResponse) => void; reject: (e: Error) => void } | undefined;

function connect(): net.Socket {
  const s = net.connect({ host, port, noDelay: true });
  s.on('data', (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    tryParse();
  });
  const fail = (error: Error) => {
    socket = undefined;
    buffer = Buffer.alloc(0);
    const w = waiting;
    waiting = undefined;
    w?.reject(error);
  };
  s.on('error', fail);
  s.on('close', () => fail(new Error('Runtime API connection closed')));
  return s;
}

function tryParse(): void {
  if (!waiting) return;
  const headerEnd = buffer.indexOf('\r\n\r\n');
  if (headerEnd < 0) return;
  const lines = buffer.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = Number(lines[0]?.split(' ')[1] ?? 0);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const start = headerEnd + 4;
  let body: Buffer;
  let consumed: number;
  if ((headers['transfer-encoding'] ?? '').includes('chunked')) {
    const decoded = decodeChunked(buffer, start);
    if (!decoded) return;
    [body, consumed] = decoded;
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (buffer.length < start + length) return;
    body = buffer.subarray(start, start + length);
    consumed = start + length;
  }
  buffer = buffer.subarray(consumed);
  const w = waiting;
  waiting = undefined;
  w.resolve({ status, headers, body });
}

function decodeChunked(data: Buffer, from: number): [Buffer, number] | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) {
      const end = data.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? null : [Buffer.concat(parts), end + 4];
    }
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export function call(
  method: 'GET' | 'POST',
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  socket ??= connect();
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  let head = `${method} ${BASE}${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (payload) head += `Content-Length: ${payload.length}\r\n`;
  head += '\r\n';
  return new Promise((resolve, reject) => {
    waiting = { resolve, reject };
    const s = socket as net.Socket;
    if (payload && payload.length < 16 * 1024) s.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    else {
      s.write(head, 'latin1');
      if (payload) s.write(payload);
    }
  });
}
