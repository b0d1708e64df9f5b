import { logState, patchConsole } from './console.js';
import { createContext, type LambdaContext } from './context.js';
import { InitError, type RuntimeError, toRuntimeError } from './errors.js';
import { call } from './http.js';
import { type Handler, loadHandler } from './loader.js';

/**
 * lambench's Node.js runtime client: Runtime API 2018-06-01 only, so it runs under the local engine and as a
 * custom runtime on AWS alike.
 */
let inFlight: string | undefined;

async function postError(path: string, error: RuntimeError): Promise<void> {
  await call('POST', path, JSON.stringify(error), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': error.errorType,
  });
}

function invokeHandler(handler: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    const legacy = {
      done: callback,
      succeed: (result: unknown) => resolve(result),
      fail: (error: unknown) => reject(error ?? new Error('handled')),
    };
    try {
      const returned = handler(event, Object.assign(context, legacy), callback);
      // Async handlers answer through their promise; callback-style ones (3 parameters) through the callback.
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

async function runOne(handler: Handler): Promise<void> {
  const next = await call('GET', '/invocation/next');
  const context = createContext(next.headers);
  const requestId = context.awsRequestId;
  inFlight = requestId;
  logState.requestId = requestId;
  const traceId = next.headers['lambda-runtime-trace-id'];
  if (typeof traceId === 'string') process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  try {
    const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
    const result = await invokeHandler(handler, event, context);
    const body = JSON.stringify(result === undefined ? null : result);
    await call('POST', `/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json' });
  } catch (error) {
    await postError(`/invocation/${requestId}/error`, toRuntimeError(error));
  } finally {
    inFlight = undefined;
  }
}

function onFatal(error: unknown, errorType?: string): void {
  const report = toRuntimeError(error, errorType);
  const path = inFlight ? `/invocation/${inFlight}/error` : '/init/error';
  console.error(`${report.errorType}: ${report.errorMessage}`);
  postError(path, report).finally(() => process.exit(129));
}

async function main(): Promise<void> {
  patchConsole();
  process.on('uncaughtException', (error) => onFatal(error));
  process.on('unhandledRejection', (reason) => onFatal(reason, 'Runtime.UnhandledPromiseRejection'));
  let handler: Handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? '');
  } catch (error) {
    const report =
      error instanceof InitError
        ? { ...toRuntimeError(error.original ?? error, error.errorType), errorMessage: error.message }
        : toRuntimeError(error);
    console.error(`${report.errorType}: ${report.errorMessage}`);
    await postError('/init/error', report);
    process.exit(1);
  }
  for (;;) await runOne(handler);
}

void main();
