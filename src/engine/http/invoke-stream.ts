import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidParameter, requestTooLarge } from '../../errors.js';
import type { Engine } from '../engine.js';
import { MAX_SYNC_PAYLOAD_BYTES } from '../engine.js';
import { type InvokeComplete, invokeComplete, payloadChunk } from '../eventstream.js';
import { tailBase64 } from '../logs.js';
import type { StreamListener } from '../runtime-stream.js';
import type { InvokeRequest } from '../types.js';
import { readBody } from './respond.js';

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * POST /2021-11-15/functions/{name}/response-streaming-invocations (InvokeWithResponseStream). The answer is
 * HTTP 200 with an `application/vnd.amazon.eventstream` body: a `PayloadChunk` event per piece of the response as
 * the runtime streams it, then `InvokeComplete`, which names a function error (ErrorCode, ErrorDetails) and, with
 * LogType Tail, carries the log. The Content-Type header is the one the function declared for its stream
 * (ResponseStreamContentType). A buffered function's response arrives as one chunk when it returns.
 * Errors before the function runs (unknown function, throttling, bad request) are ordinary error responses.
 */
export async function handleInvokeStream(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  functionName: string,
  qualifier: string | undefined,
): Promise<void> {
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'DryRun') {
    throw invalidParameter(`InvocationType ${type} is not one of RequestResponse, DryRun.`);
  }
  const { body, bytes } = await readBody(req, MAX_SYNC_PAYLOAD_BYTES);
  if (body === null) throw requestTooLarge(bytes, MAX_SYNC_PAYLOAD_BYTES);
  const fn = engine.functions.resolve(functionName, qualifier);
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-RequestId': 'dry-run' });
    res.end();
    return;
  }
  const clientContext = header(req, 'x-amz-client-context');
  const request: InvokeRequest = {
    functionName,
    payload: body,
    ...(qualifier ? { qualifier } : {}),
    ...(clientContext ? { clientContext } : {}),
  };
  // The client may go away mid-stream; the function runs on regardless (as on AWS).
  res.on('error', () => {});
  const head = (contentType: string, requestId: string) => {
    if (res.headersSent) return;
    res.writeHead(200, {
      // The runtime's header, unless node:http would refuse it (control characters).
      'Content-Type': /^[\t\x20-\x7e]+$/.test(contentType) ? contentType : 'application/octet-stream',
      'x-amzn-RequestId': requestId,
      'X-Amz-Executed-Version': fn.version,
    });
  };
  const listener: StreamListener = {
    start: (contentType, requestId) => head(contentType, requestId),
    // A client reading slowly holds the runtime back (its writes wait) instead of the engine buffering for it.
    chunk: (piece) => (res.write(payloadChunk(piece)) ? undefined : drained(res)),
  };
  // Without Tail the client sees no log, so the engine skips the REPORT bookkeeping (as for Invoke).
  const tail = header(req, 'x-amz-log-type') === 'Tail';
  const full = tail ? await engine.invokeStream(request, listener) : undefined;
  const result = full ?? (await engine.invokeStreamForAnswer(request, listener));
  head('application/json', result.requestId);
  if (result.payload.length > 0 && result.functionError === null) res.write(payloadChunk(result.payload));
  res.end(invokeComplete(completion(result, full?.logs)));
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function completion(result: { errorType: string | null; payload: Buffer }, logs: string | undefined): InvokeComplete {
  const complete: InvokeComplete = {};
  if (result.errorType !== null) {
    complete.ErrorCode = result.errorType;
    // The error's JSON body, as the runtime reported it (AWS's RAPID hands on the trailer's decoded body).
    complete.ErrorDetails = result.payload.toString('utf8');
  }
  if (logs !== undefined) complete.LogResult = tailBase64(logs);
  return complete;
}
