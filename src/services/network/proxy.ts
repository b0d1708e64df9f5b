import net from 'node:net';
import { classifyRequest } from './classify.js';
import { type NetworkModel, requestLatencyMs, type ServiceName } from './model.js';
import type { TokenBucket } from './shaper.js';

export interface ShapedProxyOptions {
  /** Where the bytes go: the embedded service, or an external http endpoint (moto, MinIO, DynamoDB Local). */
  upstream: { host: string; port: number };
  service: ServiceName;
  model: NetworkModel;
  /** The environment's bucket, shared with its other proxies. */
  bucket: TokenBucket;
}

export interface ShapedProxy {
  endpoint: string;
  close(): Promise<void>;
}

/** How much of a request's head is kept to name its operation (S3's longest heads are a few KB). */
const MAX_HEAD = 16 * 1024;
const BATCH_ITEM_MARKERS = [Buffer.from('"PutRequest"'), Buffer.from('"DeleteRequest"')];
const MAX_MARKER = Math.max(...BATCH_ITEM_MARKERS.map((marker) => marker.length));

/**
 * One environment's view of one service: a TCP relay on 127.0.0.1 that paces every byte through the environment's
 * token bucket and holds each answer's first byte until the request's modelled latency has passed. It reads HTTP/1.1
 * only as far as it must: a request starts when the client sends after the server has answered (or first), its
 * head names the operation, and the server's first bytes after it are the answer (a `100 Continue` is passed on at
 * once and the request goes on). Everything else is relayed unchanged, so any client and any http service work.
 */
export async function startShapedProxy(options: ShapedProxyOptions): Promise<ShapedProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    relay(client, options, sockets);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function relay(client: net.Socket, options: ShapedProxyOptions, sockets: Set<net.Socket>): void {
  const { bucket, model, service } = options;
  const latency = model.latency[service];
  const upstream = net.connect({ host: options.upstream.host, port: options.upstream.port, noDelay: true });
  sockets.add(upstream);
  upstream.once('close', () => sockets.delete(upstream));
  const fail = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', fail);
  upstream.on('error', fail);
  // Half-closes are passed on once the direction's queue is empty; a reset ends both.
  client.once('close', (hadError) => (hadError ? fail() : undefined));
  upstream.once('close', (hadError) => (hadError ? fail() : undefined));

  const openAt = performance.now() + latency.connectMs;
  let phase: 'idle' | 'request' | 'response' = 'idle';
  let head = '';
  let headDone = false;
  let items = 0;
  let carry: Buffer = Buffer.alloc(0);
  let lastSentAt = 0;

  pump(client, upstream, (chunk, readyAt) => {
    // A new connection's handshake first; the link is booked only once it is over.
    if (openAt > readyAt) return { holdUntil: openAt };
    if (phase !== 'request') {
      phase = 'request';
      head = '';
      headDone = false;
      items = 0;
      carry = Buffer.alloc(0);
    }
    if (!headDone) {
      head += chunk.toString('latin1', 0, Math.min(chunk.length, MAX_HEAD - head.length));
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) head = head.slice(0, end + 2);
      headDone = end >= 0 || head.length >= MAX_HEAD;
    }
    if (service === 'dynamodb') {
      // The end of the previous chunk is searched again, so a marker split between two chunks is found; one that
      // ended inside it was counted then.
      const text = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      items += countMarkers(text, carry.length);
      carry = Buffer.from(text.subarray(Math.max(0, text.length - MAX_MARKER)));
    }
    lastSentAt = bucket.reserve(chunk.length, readyAt);
    return lastSentAt;
  });

  pump(upstream, client, (chunk, readyAt) => {
    if (phase === 'request') {
      const interim = chunk.length >= 10 && chunk.toString('latin1', 0, 10) === 'HTTP/1.1 1';
      if (!interim) {
        phase = 'response';
        const ms = requestLatencyMs(model, service, classifyRequest(service, head), items);
        const holdUntil = latency.mode === 'floor' ? lastSentAt + ms : readyAt + ms;
        // The answer is on its way meanwhile: the link is booked only when it arrives, so the environment's other
        // connections use the bandwidth during the wait.
        if (holdUntil > readyAt) return { holdUntil };
      }
    }
    return bucket.reserve(chunk.length, readyAt);
  });
}

/**
 * Waits shorter than this are not slept: the chunk goes at once, that little early (the booking stands). Longer ones
 * are, even below a timer's 1 ms grain: a latency is never cut short, and a pace held back too long is made up by
 * the next chunks (virtual time, see TokenBucket).
 */
const MIN_SLEEP_MS = 0.1;
/** What a direction reads ahead of its pace; past it the sender is paused (TCP's flow control then holds it back). */
const READ_AHEAD = 1024 * 1024;

/**
 * Relays `from` into `to`: chunks are read ahead into a queue (up to READ_AHEAD, so the sender keeps the pipe full
 * while the pace holds chunks back) and sent from it in order, each at the time `gate` books for it. A chunk is
 * ready when it arrived, or, if it was already queued, when the one before it was booked to go (the virtual time:
 * a timer that fired late is not charged to the transfer). `to`'s own backlog (a slow reader) holds the queue too.
 */
function pump(
  from: net.Socket,
  to: net.Socket,
  gate: (chunk: Buffer, readyAt: number) => number | { holdUntil: number },
): void {
  const queue: Array<{ chunk: Buffer; arrivedAt: number }> = [];
  let queued = 0;
  let busy = false;
  let ended = false;
  let lastBooked = Number.NEGATIVE_INFINITY;
  const send = (chunk: Buffer): void => {
    queue.shift();
    queued -= chunk.length;
    if (to.destroyed) return;
    to.write(chunk);
    if (queued < READ_AHEAD && from.isPaused() && !from.destroyed) from.resume();
  };
  const next = (): void => {
    busy = false;
    while (queue.length > 0) {
      if (to.destroyed) return;
      if (to.writableLength > READ_AHEAD) {
        busy = true;
        to.once('drain', next);
        return;
      }
      const head = queue[0] as { chunk: Buffer; arrivedAt: number };
      const decision = gate(head.chunk, Math.max(head.arrivedAt, lastBooked));
      if (typeof decision !== 'number') {
        // Held (latency, handshake): asked again once the hold is over, ready from then on.
        head.arrivedAt = decision.holdUntil;
        busy = true;
        setTimeout(next, Math.max(0, decision.holdUntil - performance.now()));
        return;
      }
      lastBooked = decision;
      const delay = lastBooked - performance.now();
      if (delay >= MIN_SLEEP_MS) {
        busy = true;
        setTimeout(() => {
          send(head.chunk);
          next();
        }, delay);
        return;
      }
      send(head.chunk);
    }
    if (ended && !to.destroyed) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ chunk, arrivedAt: performance.now() });
    queued += chunk.length;
    if (queued >= READ_AHEAD) from.pause();
    if (!busy) next();
  });
  from.once('end', () => {
    ended = true;
    if (!busy && queue.length === 0 && !to.destroyed) to.end();
  });
}

/** Markers in `text` that end after its first `seen` bytes (those were searched with the previous chunk). */
function countMarkers(text: Buffer, seen: number): number {
  let count = 0;
  for (const marker of BATCH_ITEM_MARKERS) {
    for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) {
      if (at + marker.length > seen) count++;
    }
  }
  return count;
}
