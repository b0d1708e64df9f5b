import { logContext, logError } from './console.js';
import { attachInvocationData, type CallbackContext } from './context.js';
import { runtimeError, toErrorBody } from './errors.js';
import type { RuntimeApiConnection } from './http.js';
import type { HandlerInfo } from './loader.js';
import { invokeStreaming, type StreamingMode } from './streaming.js';
import { decodeText } from './text.js';

/**
 * The invocation loop with AWS's Node.js completion semantics:
 * - a returned promise answers as soon as it settles;
 * - `callback(err, result)`: an error is posted at once; a result waits for the event loop to drain while
 *   `context.callbackWaitsForEmptyEventLoop` is true (the default), else is posted at once;
 * - `context.done/succeed/fail` post at once; only the first completion counts;
 * - if the event loop drains with no answer: null for a plain function, Runtime.NodeJsExit for an async one.
 * "Drains" is Node's own 'beforeExit' event, so it is exact, not approximated: the Runtime API socket is
 * unref'd while no request is in flight (see http.ts), leaving only the function's timers, sockets and handles.
 *
 * nodejs24.x and later (AWS's runtime client v4) are promise-only: the handler's return value (awaited) is the
 * answer, and `context` has no callbackWaitsForEmptyEventLoop/succeed/fail/done. Callback handlers are refused
 * at init (see bootstrap.ts).
 */
const noop = () => {};
let onLoopDrained: () => void = noop;
process.on('beforeExit', () => onLoopDrained());

/** The invocation the process-wide error hooks report to (AWS keeps the last one after it completes). */
export const current = { invokeId: undefined as string | undefined };

/**
 * An answer waiting for the end of the handler's turn of the event loop (see #post). A fatal error before then
 * sends it alone, without the /next, and reports itself after it: `flush(false)` returns true if there was one.
 */
export const pendingAnswer = { flush: undefined as ((withNext: boolean) => boolean) | undefined };

/** Set once a fatal error is being reported: the process exits, so it answers nothing more and asks for no event. */
export const fatal = { exiting: false };

const SERIALIZE_FAILED = 'Unable to stringify response body';

export class InvocationLoop {
  readonly #api: RuntimeApiConnection;
  readonly #handler: HandlerInfo;
  readonly #onFatal: (error: unknown) => void;
  readonly #promiseOnly: boolean;
  readonly #streaming: StreamingMode | null;

  constructor(
    api: RuntimeApiConnection,
    handler: HandlerInfo,
    promiseOnly: boolean,
    onFatal: (error: unknown) => void,
    streaming: StreamingMode | null = null,
  ) {
    this.#api = api;
    this.#handler = handler;
    this.#promiseOnly = promiseOnly;
    this.#onFatal = onFatal;
    this.#streaming = streaming;
  }

  start(): void {
    this.#handleOnce().catch((error: unknown) => {
      console.log(`Unexpected Top Level Error: ${String(error)}`);
      this.#onFatal(error);
    });
  }

  async #handleOnce(): Promise<void> {
    const next = await this.#api.request('GET', '/invocation/next');
    if (next.status !== 200) {
      throw new Error(`GET /runtime/invocation/next returned ${next.status}: ${next.body.toString('utf8')}`);
    }
    const headers = next.headers;
    const invokeId = headers['lambda-runtime-aws-request-id'];
    if (!invokeId) throw new Error('invocation id is missing or invalid');
    logContext.requestId = invokeId;
    logContext.tenantId = headers['lambda-runtime-aws-tenant-id'];
    current.invokeId = invokeId;
    if (this.#streaming) return this.#invokeStreaming(this.#streaming, invokeId, next.body, headers);
    if (this.#promiseOnly) return this.#invokePromiseOnly(invokeId, next.body, headers);
    const { callback, callbackContext, markCompleted } = this.#completions(invokeId);
    const isAsync = this.#handler.isAsync;
    onLoopDrained = () => {
      markCompleted();
      if (isAsync) {
        const error = runtimeError.nodeJsExit();
        logError('Invoke Error', error);
        this.#postError(invokeId, error);
      } else {
        this.#postResponse(invokeId, null);
      }
    };
    try {
      const event = JSON.parse(decodeText(next.body));
      const context = attachInvocationData(callbackContext, headers);
      const result = this.#handler.handler(event, context, callback) as PromiseLike<unknown> | undefined;
      if (result && typeof result.then === 'function') {
        Promise.resolve(result).then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
      }
    } catch (error) {
      callback(error);
    }
  }

  /** As AWS: a loop that drains mid-invocation moves on to the next event; after the response, the context decides. */
  async #invokeStreaming(mode: StreamingMode, invokeId: string, body: Buffer, headers: Record<string, string>) {
    let moved = false;
    const next = () => {
      if (moved) return;
      moved = true;
      onLoopDrained = noop;
      this.start();
    };
    onLoopDrained = next;
    const waitForEmptyEventLoop = await invokeStreaming(
      this.#api,
      this.#handler.handler,
      mode,
      invokeId,
      body,
      headers,
    );
    if (waitForEmptyEventLoop) onLoopDrained = () => setImmediate(next);
    else next();
  }

  #invokePromiseOnly(invokeId: string, body: Buffer, headers: Record<string, string>): void {
    let settled = false;
    onLoopDrained = () => {
      if (settled) return;
      settled = true;
      const error = runtimeError.nodeJsExit();
      logError('Invoke Error', error);
      this.#postError(invokeId, error);
    };
    const answer = (result: unknown) => {
      if (settled) return;
      settled = true;
      onLoopDrained = noop;
      this.#postResponse(invokeId, result);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      onLoopDrained = noop;
      logError('Invoke Error', error);
      this.#postError(invokeId, error);
    };
    try {
      const context = attachInvocationData({}, headers);
      const event = JSON.parse(decodeText(body));
      Promise.resolve(this.#handler.handler(event, context, noop)).then(answer, fail);
    } catch (error) {
      fail(error);
    }
  }

  #completions(invokeId: string) {
    let reported = false;
    let waitForEmptyEventLoop = true;
    const postError = (error: unknown) => {
      logError('Invoke Error', error);
      this.#postError(invokeId, error);
    };
    const complete = (result: unknown) => {
      if (reported) {
        console.error(
          'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
        );
        return;
      }
      reported = true;
      this.#postResponse(invokeId, result);
    };
    const callback = (error?: unknown, result?: unknown) => {
      onLoopDrained = noop;
      if (error !== undefined && error !== null) postError(error);
      else if (!waitForEmptyEventLoop) complete(result);
      else onLoopDrained = () => setImmediate(() => complete(result));
    };
    const done = (error?: unknown, result?: unknown) => {
      onLoopDrained = noop;
      if (error !== undefined && error !== null) postError(error);
      else complete(result);
    };
    // The first of callback/succeed/fail/done wins; later calls are ignored, as on AWS.
    let finished = false;
    const once =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (finished) return;
        fn(...args);
        finished = true;
      };
    const callbackContext: CallbackContext = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waitForEmptyEventLoop = value;
      },
      succeed: once((result?: unknown) => done(null, result)),
      fail: once((error?: unknown) => (error === undefined || error === null ? done('handled') : done(error, null))),
      done: once(done),
    };
    return { callback: once(callback), callbackContext, markCompleted: () => (reported = true) };
  }

  #postResponse(invokeId: string, result: unknown): void {
    let body: string;
    try {
      body = JSON.stringify(result === undefined ? null : result) ?? 'null';
    } catch {
      const error = new Error(SERIALIZE_FAILED);
      logError('Invoke Error', error);
      return this.#postError(invokeId, error);
    }
    this.#post(`/invocation/${encodeURIComponent(invokeId)}/response`, body, '');
  }

  #postError(invokeId: string, error: unknown): void {
    const report = toErrorBody(error);
    this.#post(`/invocation/${encodeURIComponent(invokeId)}/error`, JSON.stringify(report), errorTypeHeader(report));
  }

  /**
   * Posts the answer and asks for the next event in the same write (HTTP pipelining) instead of after the 202:
   * one round trip and one wake-up of each side fewer per invocation. The API answers in order, and this loop
   * never waited on the answer's status anyway: whatever it is, the next step is /next.
   */
  #post(path: string, body: string, headers: string): void {
    // Not at once but at the end of this turn: Node reports a promise rejected and unhandled in the handler's turn
    // after that turn's microtasks, and then this process must not have asked for another event. AWS's client
    // posts the answer, then schedules its /next with setImmediate, so the rejection handler runs in between and
    // exits (128) with no /next sent: the engine then never hands that dying process the next invocation.
    if (fatal.exiting) return;
    const flush = (withNext: boolean): boolean => {
      if (pendingAnswer.flush !== flush) return false;
      pendingAnswer.flush = undefined;
      if (!withNext) {
        this.#api.request('POST', path, body, headers).catch(() => {});
        return true;
      }
      const posted = this.#api.pipeline(() => [this.#api.request('POST', path, body, headers), this.#handleOnce()]);
      Promise.all(posted).catch((error: unknown) => {
        console.log(`Unexpected Top Level Error: ${String(error)}`);
        this.#onFatal(error);
      });
      return true;
    };
    pendingAnswer.flush = flush;
    setImmediate(() => flush(true));
  }
}

/** Lambda-Runtime-Function-Error-Type, with anything that would break the header line removed. */
export function errorTypeHeader(report: { errorType: string }): string {
  return `Lambda-Runtime-Function-Error-Type: ${report.errorType.replace(/[^\x20-\x7e]/g, '')}\r\n`;
}
