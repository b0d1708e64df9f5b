import { logError } from './console.js';
import { attachInvocationData } from './context.js';
import { runtimeError, toErrorBody } from './errors.js';
import type { RuntimeApiConnection } from './http.js';
import type { Handler } from './loader.js';
import { HttpResponseStream, ResponseStream } from './response-stream.js';

/**
 * Response streaming as AWS's Node.js runtime client offers it: the `awslambda` global with
 * `streamifyResponse(handler, { highWaterMark })` (marks the handler with AWS's symbols) and
 * `HttpResponseStream`; a marked handler is called as `handler(event, responseStream, context)`.
 */
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

type Marked = Handler & { [HANDLER_STREAMING]?: unknown; [HANDLER_HIGHWATERMARK]?: unknown };

/** Installed before the function's code loads, unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is 1 or true (as AWS). */
export function installAwsLambdaGlobal(): void {
  const opt = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (opt === '1' || opt === 'true') return;
  (globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse: (handler: Marked, options?: { highWaterMark?: unknown }) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number')
        handler[HANDLER_HIGHWATERMARK] = Math.trunc(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

export interface StreamingMode {
  highWaterMark: number | undefined;
}

/** null for a buffered handler; throws Runtime.MalformedStreamingHandler for a mark AWS does not know (at init). */
export function streamingModeOf(handler: Handler): StreamingMode | null {
  const mark = (handler as Marked)[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) return null;
  if (mark !== STREAM_RESPONSE) throw runtimeError.malformedStreamingHandler('Only response streaming is supported.');
  const hwm = Number.parseInt(String((handler as Marked)[HANDLER_HIGHWATERMARK]), 10);
  return { highWaterMark: Number.isNaN(hwm) ? undefined : hwm };
}

/**
 * One streaming invocation, with AWS's rules: the handler must return a promise ("Streaming does not support
 * non-async handlers."), its resolved value is ignored with a warning, a throw or rejection ends the stream with
 * the error in the trailers. Resolves once the Runtime API has the whole response (a handler that never ends its
 * stream runs into the function's timeout, as on AWS) with `context.callbackWaitsForEmptyEventLoop`, which says
 * whether the next event waits for the event loop to drain.
 */
export async function invokeStreaming(
  api: RuntimeApiConnection,
  handler: Handler,
  mode: StreamingMode,
  invokeId: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<boolean> {
  const stream = new ResponseStream(api, `/invocation/${encodeURIComponent(invokeId)}/response`, mode.highWaterMark);
  const fail = (error: unknown) => {
    logError('Invoke Error', error);
    stream.fail(toErrorBody(error));
  };
  let waitForEmptyEventLoop = true;
  try {
    const context = attachInvocationData(
      {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value: boolean) {
          waitForEmptyEventLoop = value;
        },
      } as never,
      headers,
    );
    const event = JSON.parse(body.toString('utf8'));
    const result = (handler as (e: unknown, s: ResponseStream, c: unknown) => unknown)(event, stream, context);
    if (!result || typeof (result as PromiseLike<unknown>).then !== 'function') {
      fail('Streaming does not support non-async handlers.');
    } else if ((await result) !== undefined) {
      console.warn('Streaming handlers ignore return values.');
    }
  } catch (error) {
    fail(error);
  }
  await stream.finished;
  return waitForEmptyEventLoop;
}
