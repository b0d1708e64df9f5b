import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, LambenchError, requestTooLarge } from '../../errors.js';
import { readBounded } from '../../services/auth/guard.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** AWS's error wire format: `x-amzn-ErrorType` header + `{ Type, message }` body, which the SDK maps to its classes. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof AwsError) {
    // A 413 is answered before the rest of the body arrived: closing is how that rest is refused.
    const close: Record<string, string> = error.statusCode === 413 ? { Connection: 'close' } : {};
    sendJson(res, error.statusCode, error.toBody(), { 'x-amzn-ErrorType': error.awsType, ...close });
    return;
  }
  if (error instanceof LambenchError) {
    const status = error.code === 'FUNCTION_NOT_FOUND' ? 404 : 400;
    const type = status === 404 ? 'ResourceNotFoundException' : 'InvalidParameterValueException';
    sendJson(
      res,
      status,
      { Type: 'User', message: error.hint ? `${error.message} ${error.hint}` : error.message },
      { 'x-amzn-ErrorType': type },
    );
    return;
  }
  sendJson(
    res,
    500,
    { Type: 'Service', message: (error as Error)?.message ?? String(error) },
    { 'x-amzn-ErrorType': 'ServiceException' },
  );
}

/** AWS's bound on a control-plane request (CreateFunction with its zip inline, base64 in JSON). */
export const CONTROL_PLANE_BODY_LIMIT = 70_167_211;

/**
 * Reads a body up to `limit` bytes. Past it (by Content-Length, or counted as it arrives) it stops at once and
 * reports the size, so the 413 leaves before the rest is sent; that answer closes the connection (sendError).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer | null; bytes: number }> {
  return readBounded(req, limit).then((read) =>
    'body' in read ? { body: read.body, bytes: read.body.length } : { body: null, bytes: read.tooLarge },
  );
}

export async function readJson(
  req: IncomingMessage,
  limit = CONTROL_PLANE_BODY_LIMIT,
  operation = 'CreateFunction',
): Promise<Record<string, unknown>> {
  const { body, bytes } = await readBody(req, limit);
  if (body === null) throw requestTooLarge(bytes, limit, operation);
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new AwsError(
      'InvalidRequestContentException',
      400,
      `Could not parse request body: ${(error as Error).message}`,
    );
  }
}
