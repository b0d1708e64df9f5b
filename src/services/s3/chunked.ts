import { Transform, type TransformCallback } from 'node:stream';
import { s3Error } from './store.js';

/** Malformed framing is the client's error (400), never the server's. */
const badFraming = (detail: string) => s3Error('InvalidRequest', 400, `Invalid aws-chunked body: ${detail}.`);

/**
 * Decodes `aws-chunked` bodies (SigV4 streaming, signed or unsigned, with or without trailers):
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n … 0[;…]\r\n[<trailer>:<value>\r\n…]\r\n
 * Signatures are not verified (the embedded S3 accepts any credentials). Trailers are reported at the end.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers: Record<string, string> = {};
  #buffer: Buffer = Buffer.alloc(0);
  #remaining = 0;
  #state: 'size' | 'data' | 'data-crlf' | 'trailers' | 'done' = 'size';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    try {
      this.#drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.#state !== 'done' && !(this.#state === 'trailers' && this.#buffer.length === 0)) {
      callback(s3Error('IncompleteBody', 400, 'The request body terminated unexpectedly'));
      return;
    }
    callback();
  }

  #line(): string | null {
    const end = this.#buffer.indexOf('\r\n');
    if (end < 0) {
      if (this.#buffer.length > 64 * 1024) throw badFraming('a chunk header line is over 64 KiB');
      return null;
    }
    const line = this.#buffer.subarray(0, end).toString('latin1');
    this.#buffer = this.#buffer.subarray(end + 2);
    return line;
  }

  #drain(): void {
    for (;;) {
      if (this.#state === 'size') {
        const line = this.#line();
        if (line === null) return;
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0) throw badFraming(`bad chunk size line "${line.slice(0, 40)}"`);
        this.#remaining = size;
        this.#state = size === 0 ? 'trailers' : 'data';
      } else if (this.#state === 'data') {
        if (this.#buffer.length === 0) return;
        const take = Math.min(this.#remaining, this.#buffer.length);
        this.push(this.#buffer.subarray(0, take));
        this.#buffer = this.#buffer.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-crlf';
      } else if (this.#state === 'data-crlf') {
        if (this.#buffer.length < 2) return;
        this.#buffer = this.#buffer.subarray(2);
        this.#state = 'size';
      } else if (this.#state === 'trailers') {
        const line = this.#line();
        if (line === null) return;
        if (line === '') {
          this.#state = 'done';
          return;
        }
        const colon = line.indexOf(':');
        if (colon > 0) this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      } else {
        this.#buffer = Buffer.alloc(0);
        return;
      }
    }
  }
}
