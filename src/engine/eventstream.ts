import zlib from 'node:zlib';

/**
 * The `application/vnd.amazon.eventstream` framing InvokeWithResponseStream answers in. One message is
 * prelude (total length, headers length: uint32 big-endian each), the prelude's CRC32, the headers, the payload,
 * and the CRC32 of everything before it. Headers here are all strings (value type 7: uint16 length + UTF-8),
 * which is all Lambda's events use: `:event-type`, `:content-type`, `:message-type`.
 */

/** CRC-32 (IEEE 802.3), as the event-stream format uses: node:zlib's, native (a streamed chunk is checksummed whole). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return zlib.crc32(bytes.subarray(start, end));
}

const STRING_TYPE = 7;
const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;

export function encodeMessage(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const encoded = Object.entries(headers).map(([name, value]) => [Buffer.from(name), Buffer.from(value)] as const);
  const headersBytes = encoded.reduce((sum, [name, value]) => sum + 1 + name.length + 1 + 2 + value.length, 0);
  const total = PRELUDE_BYTES + headersBytes + payload.length + CRC_BYTES;
  const message = Buffer.allocUnsafe(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headersBytes, 4);
  message.writeUInt32BE(crc32(message, 0, 8), 8);
  let at = PRELUDE_BYTES;
  for (const [name, value] of encoded) {
    message.writeUInt8(name.length, at);
    name.copy(message, at + 1);
    at += 1 + name.length;
    message.writeUInt8(STRING_TYPE, at);
    message.writeUInt16BE(value.length, at + 1);
    value.copy(message, at + 3);
    at += 3 + value.length;
  }
  message.set(payload, at);
  message.writeUInt32BE(crc32(message, 0, total - CRC_BYTES), total - CRC_BYTES);
  return message;
}

/** One `PayloadChunk` event: a piece of the function's response, as the runtime streamed it. */
export function payloadChunk(bytes: Uint8Array): Buffer {
  return encodeMessage(
    { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
    bytes,
  );
}

export interface InvokeComplete {
  ErrorCode?: string;
  ErrorDetails?: string;
  LogResult?: string;
}

/** The final `InvokeComplete` event; an error, if any, is named here (the HTTP status stays 200). */
export function invokeComplete(complete: InvokeComplete): Buffer {
  return encodeMessage(
    { ':event-type': 'InvokeComplete', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(complete)),
  );
}

export interface DecodedMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * Splits complete messages off the front of `buffer` (for lambench's own clients and tests); returns them and
 * the bytes of an incomplete message left over. Throws on a CRC mismatch.
 */
export function decodeMessages(buffer: Buffer): { messages: DecodedMessage[]; rest: Buffer } {
  const messages: DecodedMessage[] = [];
  let at = 0;
  while (buffer.length - at >= PRELUDE_BYTES) {
    const total = buffer.readUInt32BE(at);
    if (buffer.length - at < total) break;
    const headersBytes = buffer.readUInt32BE(at + 4);
    if (crc32(buffer, at, at + 8) !== buffer.readUInt32BE(at + 8))
      throw new Error('event stream: prelude CRC mismatch');
    if (crc32(buffer, at, at + total - CRC_BYTES) !== buffer.readUInt32BE(at + total - CRC_BYTES)) {
      throw new Error('event stream: message CRC mismatch');
    }
    const headers: Record<string, string> = {};
    let h = at + PRELUDE_BYTES;
    const headersEnd = h + headersBytes;
    while (h < headersEnd) {
      const nameLength = buffer.readUInt8(h);
      const name = buffer.toString('utf8', h + 1, h + 1 + nameLength);
      h += 1 + nameLength;
      if (buffer.readUInt8(h) !== STRING_TYPE) throw new Error(`event stream: header ${name} is not a string`);
      const valueLength = buffer.readUInt16BE(h + 1);
      headers[name] = buffer.toString('utf8', h + 3, h + 3 + valueLength);
      h += 3 + valueLength;
    }
    messages.push({ headers, payload: Buffer.from(buffer.subarray(headersEnd, at + total - CRC_BYTES)) });
    at += total;
  }
  return { messages, rest: buffer.subarray(at) };
}
