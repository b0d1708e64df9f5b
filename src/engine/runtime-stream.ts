import { performance } from 'node:perf_hooks';
import type { BodySink, StreamHook } from './http1.js';

/**
 * The Runtime API's streaming response mode ("Response streaming for custom runtimes"): the runtime POSTs
 * /invocation/{id}/response with `Lambda-Runtime-Function-Response-Mode: streaming` and a chunked body, and
 * reports an error raised mid-stream in the trailers `Lambda-Runtime-Function-Error-Type` and
 * `Lambda-Runtime-Function-Error-Body` (base64 of the error JSON). Bytes go on to the invoker as they arrive.
 */

/** AWS's limit on a streamed response: 200 MB (raised from 20 MB in 2025). */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
/** A streamed response read by a buffered Invoke is held to Invoke's own limit (6,291,556 bytes), as on AWS. */
const MAX_BUFFERED_RESPONSE_BYTES = 6_291_556;
export const RESPONSE_MODE_HEADER = 'lambda-runtime-function-response-mode';
const ERROR_TYPE_TRAILER = 'lambda-runtime-function-error-type';
const ERROR_BODY_TRAILER = 'lambda-runtime-function-error-body';

export interface StreamHandlers {
  /** The runtime began streaming `requestId`'s response; undefined when that invocation is not in flight. */
  open(requestId: string, contentType: string): BodySink | undefined;
  /** The stream ended (its trailers name an error, if any); a body past the limit is refused with the limit. */
  end(requestId: string, trailers: Record<string, string>): 'accepted' | 'unknown' | { limit: number };
}

/** Where an InvokeWithResponseStream caller gets the bytes of a streamed response as they arrive. */
export interface StreamListener {
  /** The runtime started its streamed response, declaring this content type. */
  start(contentType: string, requestId: string): void;
  /** A promise says the listener's transport is full: the runtime is not read from until it settles. */
  chunk(bytes: Buffer): Promise<void> | undefined;
}

/** The http1 hook: a streaming POST to /invocation/{id}/response gets a sink, anything else is buffered as usual. */
export function streamHook(handlers: StreamHandlers, prefix: string): StreamHook {
  return {
    streamHeader: RESPONSE_MODE_HEADER,
    open(request) {
      if (request.method !== 'POST' || request.headers[RESPONSE_MODE_HEADER]?.toLowerCase() !== 'streaming') return;
      const match = /^invocation\/([^/]+)\/response$/.exec(request.target.slice(prefix.length));
      if (!request.target.startsWith(prefix) || !match) return;
      const requestId = decode(match[1] as string);
      return handlers.open(requestId, request.headers['content-type'] ?? 'application/octet-stream');
    },
  };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export type StreamResult =
  | { kind: 'response'; body: Buffer }
  | { kind: 'error'; body: Buffer; errorType: string; tooLarge?: { limit: number } };

/**
 * One invocation's streamed response: forwards each piece to the listener (InvokeWithResponseStream), or,
 * without one (a streaming function called with plain Invoke), collects the body as AWS buffers it.
 * Past the limit nothing more is forwarded and the invocation fails with Function.ResponseSizeTooLarge.
 */
export class StreamedResponse implements BodySink {
  #listener: StreamListener | undefined;
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  /** performance.now() of the first body byte. */
  firstByteAt: number | undefined;

  constructor(listener: StreamListener | undefined, contentType: string, requestId: string) {
    this.#listener = listener;
    this.#limit = listener ? MAX_STREAMED_RESPONSE_BYTES : MAX_BUFFERED_RESPONSE_BYTES;
    this.#tell((l) => l.start(contentType, requestId));
  }

  /**
   * Runs on the Runtime API socket's data event: a listener that throws (a content type its transport refuses, an
   * invoker gone) loses the rest of the stream, and the engine and the invocation go on.
   */
  #tell<T>(call: (listener: StreamListener) => T): T | undefined {
    if (!this.#listener) return undefined;
    try {
      return call(this.#listener);
    } catch {
      this.#listener = { start: () => {}, chunk: () => undefined };
      return undefined;
    }
  }

  write(bytes: Buffer): Promise<void> | undefined {
    this.firstByteAt ??= performance.now();
    this.#bytes += bytes.length;
    if (this.#bytes > this.#limit) return undefined;
    if (this.#listener) return this.#tell((l) => l.chunk(bytes));
    this.#chunks.push(bytes);
    return undefined;
  }

  finish(trailers: Record<string, string>): StreamResult {
    if (this.#bytes > this.#limit) {
      const errorType = 'Function.ResponseSizeTooLarge';
      const errorMessage = `Response payload size (${this.#bytes} bytes) exceeded maximum allowed payload size (${this.#limit} bytes).`;
      return {
        kind: 'error',
        errorType,
        body: Buffer.from(JSON.stringify({ errorType, errorMessage })),
        tooLarge: { limit: this.#limit },
      };
    }
    const headerType = trailers[ERROR_TYPE_TRAILER];
    const encodedBody = trailers[ERROR_BODY_TRAILER];
    const body = this.#listener ? Buffer.alloc(0) : Buffer.concat(this.#chunks, this.#bytes);
    if (headerType === undefined && encodedBody === undefined) return { kind: 'response', body };
    const errorBody = encodedBody
      ? Buffer.from(encodedBody, 'base64')
      : Buffer.from(JSON.stringify({ errorType: headerType, errorMessage: '' }));
    // The trailer names the type, as AWS's RAPID passes it on; the body is the fallback.
    return { kind: 'error', body: errorBody, errorType: headerType || errorTypeOf(errorBody) || 'Unknown' };
  }
}

function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}
