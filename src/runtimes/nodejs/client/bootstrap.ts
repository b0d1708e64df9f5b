import { logError, patchConsole } from './console.js';
import { runtimeError, toErrorBody } from './errors.js';
import { RuntimeApiConnection } from './http.js';
import { current, errorTypeHeader, fatal, InvocationLoop, pendingAnswer } from './invocation.js';
import { loadHandler } from './loader.js';
import { installAwsLambdaGlobal, streamingModeOf } from './streaming.js';

/**
 * lambench's Node.js runtime client. It speaks only the documented Runtime API 2018-06-01, so it runs under
 * the local engine and on AWS as a custom runtime alike, and it follows AWS's own Node.js runtime client in
 * everything a function can observe: handler resolution, `context`, completion semantics, error shapes, logs.
 *
 * Fatal errors, as AWS: an uncaught exception or unhandled rejection is logged, posted to the current
 * invocation's /error (or /init/error before the first invocation), then the process exits with 129
 * (exception) or 128 (rejection). A failed init is reported the same way (AWS's loader error surfaces as an
 * uncaught exception), so the engine records the runtime's error type and sees the process exit.
 */
const address = process.env.AWS_LAMBDA_RUNTIME_API ?? '';
const api = new RuntimeApiConnection(address);
function reportAndExit(error: unknown, exitCode: number): void {
  if (fatal.exiting) return;
  fatal.exiting = true;
  const report = toErrorBody(error);
  const path = current.invokeId ? `/invocation/${encodeURIComponent(current.invokeId)}/error` : '/init/error';
  // An answer not yet sent goes first, on the main connection, and the report behind it (answered in order).
  const answered = pendingAnswer.flush?.(false) === true;
  // The main connection may be mid-request (e.g. waiting on /next); a fresh one keeps the report independent.
  const connection = api.busy && !answered ? new RuntimeApiConnection(address) : api;
  connection
    .request('POST', path, JSON.stringify(report), errorTypeHeader(report))
    .catch((postError: unknown) => process.stderr.write(`Could not report the error: ${String(postError)}\n`))
    .finally(() => process.exit(exitCode));
}

async function main(): Promise<void> {
  patchConsole();
  // The engine reads stdout and stderr: a broken pipe means it is gone, and the Runtime API with it. Exit, rather
  // than report the write error by writing (EPIPE again: a loop that spins a CPU until something kills it).
  const engineGone = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(1);
  };
  process.stdout.on('error', engineGone);
  process.stderr.on('error', engineGone);
  if (!address) {
    process.stderr.write('AWS_LAMBDA_RUNTIME_API is not set: this program runs inside a Lambda environment.\n');
    process.exit(1);
  }
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    reportAndExit(error, 129);
  });
  process.on('unhandledRejection', (reason) => {
    const error = runtimeError.unhandledPromiseRejection(reason);
    logError('Unhandled Promise Rejection', error);
    reportAndExit(error, 128);
  });
  // AWS_EXECUTION_ENV names the managed runtime; as a custom runtime on AWS it is unset (callbacks allowed).
  const major = Number(/^AWS_Lambda_nodejs(\d+)\.x$/.exec(process.env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 0);
  const promiseOnly = major >= 24;
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  let handler: Awaited<ReturnType<typeof loadHandler>>;
  let streaming: ReturnType<typeof streamingModeOf>;
  try {
    installAwsLambdaGlobal();
    handler = await loadHandler(taskRoot, process.env._HANDLER ?? '');
    streaming = streamingModeOf(handler.handler);
  } catch (error) {
    // AWS's v3 client lets the load error surface as an uncaught exception; v4 (nodejs24.x) logs "Init Error".
    logError(promiseOnly ? 'Init Error' : 'Uncaught Exception', error);
    return reportAndExit(error, 129);
  }
  if (promiseOnly && !streaming && handler.handler.length >= 3) {
    const error = runtimeError.callbackHandlerDeprecated(
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
    logError('Init Error', error);
    return reportAndExit(error, 129);
  }
  if (
    !promiseOnly &&
    !streaming &&
    handler.handler.length === 3 &&
    !handler.isAsync &&
    !process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING
  ) {
    console.warn(
      'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.',
    );
  }
  new InvocationLoop(api, handler, promiseOnly, (error) => reportAndExit(error, 129), streaming).start();
}

void main();
