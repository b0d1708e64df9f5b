import { Writable } from 'node:stream';
import { type RuntimeErrorBody, runtimeError } from './errors.js';
import type { ApiResponse, ChunkedRequest, RuntimeApiConnection } from './http.js';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * The `responseStream` a streaming handler writes to, as in AWS's Node.js runtime client: a Writable whose bytes
 * go to the Runtime API as a chunked POST in streaming mode, opened at the first write (or at end), so that
 * `setContentType` works until then. Non-binary, non-string chunks are JSON-serialised, as AWS does. An error
 * (`fail`) ends the body with the trailers Lambda-Runtime-Function-Error-Type / -Body (base64 JSON).
 * Chunk boundaries are not preserved end to end (AWS makes no such promise either).
 */
export class ResponseStream extends Writable {
  /** Set by HttpResponseStream.from: writes the metadata prelude before the first chunk. */
  _onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
  readonly #api: RuntimeApiConnection;
  readonly #path: string;
  #contentType = DEFAULT_CONTENT_TYPE;
  #request: ChunkedRequest | undefined;
  #wrote = false;
  #trailers = '';
  #ended = false;
  #finished: Promise<ApiResponse>;
  #resolveFinished!: (response: ApiResponse) => void;

  constructor(api: RuntimeApiConnection, path: string, highWaterMark?: number) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.#api = api;
    this.#path = path;
    this.#finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  setContentType(contentType: string): void {
    if (this.#request || this.#wrote)
      throw runtimeError.invalidStreamingOperation('Cannot set content-type, too late.');
    this.#contentType = contentType;
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const bytes = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    if (!this.#wrote) {
      this.#wrote = true;
      this._onBeforeFirstWrite?.((prelude) => super.write(prelude));
    }
    return super.write(bytes, encoding as BufferEncoding, callback as (error?: Error | null) => void);
  }

  /** Resolves with the Runtime API's answer once the response has ended (with or without an error). */
  get finished(): Promise<ApiResponse> {
    return this.#finished;
  }

  /** Ends the response with the error in its trailers (after whatever was written); later writes fail. */
  fail(report: RuntimeErrorBody): void {
    if (this.#ended) return;
    const body = Buffer.from(JSON.stringify(report)).toString('base64');
    const type = report.errorType.replace(/[^\x20-\x7e]/g, '');
    this.#trailers = `Lambda-Runtime-Function-Error-Type: ${type}\r\nLambda-Runtime-Function-Error-Body: ${body}\r\n`;
    if (this.destroyed) this.#endRequest(() => {});
    else if (!this.writableEnded) this.end();
    // Ended but not yet finished: _final is still to run and takes the trailers.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (chunk.length === 0) return done();
    this.#open().chunk(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#endRequest(done);
  }

  #endRequest(done: (error?: Error | null) => void): void {
    if (this.#ended) return done();
    this.#ended = true;
    const request = this.#open();
    request.end(this.#trailers, done);
    request.response.then(this.#resolveFinished, (error: Error) =>
      this.#resolveFinished({ status: 0, headers: {}, body: Buffer.from(String(error)) }),
    );
  }

  #open(): ChunkedRequest {
    this.#request ??= this.#api.openChunked(
      this.#path,
      `Lambda-Runtime-Function-Response-Mode: streaming\r\nContent-Type: ${this.#contentType}\r\n` +
        'Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n',
    );
    return this.#request;
  }
}

const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/**
 * `awslambda.HttpResponseStream.from(stream, { statusCode, headers, cookies })`: function URLs' HTTP response
 * format, a JSON prelude and 8 NUL bytes before the body, with its own content type (AWS's HttpResponseStream).
 */
export const HttpResponseStream = {
  from(stream: ResponseStream, prelude: unknown): ResponseStream {
    stream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return stream;
  },
};
