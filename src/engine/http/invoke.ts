import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidParameter } from '../../errors.js';
import type { Engine } from '../engine.js';
import { MAX_ASYNC_PAYLOAD_BYTES, MAX_SYNC_PAYLOAD_BYTES, payloadTooLarge } from '../engine.js';
import type { Answer } from '../invocation.js';
import { tailBase64 } from '../logs.js';
import type { InvokeRequest } from '../types.js';
import { readBody, sendJson } from './respond.js';

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The most an Invoke body may hold (sync: one byte under 6 MB; Event: 1 MB); a byte more is answered 413 at once. */
export const invokeBodyLimit = (type: string | undefined) =>
  type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES - 1;

/** POST /2015-03-31/functions/{name}/invocations: RequestResponse, Event (202) and DryRun (204). */
export async function handleInvoke(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  functionName: string,
  qualifier: string | undefined,
): Promise<void> {
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
    throw invalidParameter(`InvocationType ${type} is not one of RequestResponse, Event, DryRun.`);
  }
  const { body, bytes } = await readBody(req, invokeBodyLimit(type));
  if (body === null)
    throw (
      payloadTooLarge(bytes, type === 'Event' ? 'Event' : 'RequestResponse') ??
      invalidParameter(`Request of ${bytes} bytes refused.`)
    );
  const clientContext = header(req, 'x-amz-client-context');
  const request: InvokeRequest = {
    functionName,
    payload: body,
    ...(qualifier ? { qualifier } : {}),
    ...(clientContext ? { clientContext } : {}),
  };
  if (type === 'DryRun') {
    engine.functions.resolve(functionName, qualifier);
    res.writeHead(204, { 'x-amzn-RequestId': 'dry-run' });
    res.end();
    return;
  }
  if (type === 'Event') {
    const requestId = engine.invokeEvent(request);
    sendJson(res, 202, undefined, { 'x-amzn-RequestId': requestId });
    return;
  }
  if (header(req, 'x-amz-log-type') === 'Tail') {
    const result = await engine.invoke(request);
    answer(res, result, tailBase64(result.logs));
    return;
  }
  // Without Tail the client sees no log, so the engine skips the REPORT bookkeeping.
  answer(res, await engine.invokeForAnswer(request));
}

function answer(res: ServerResponse, result: Answer, logResult?: string): void {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': result.payload.length,
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': result.executedVersion,
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
  if (logResult !== undefined) headers['X-Amz-Log-Result'] = logResult;
  res.writeHead(200, headers);
  res.end(result.payload);
}
