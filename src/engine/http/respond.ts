import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, LambenchError } from '../../errors.js';

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
    sendJson(res, error.statusCode, error.toBody(), { 'x-amzn-ErrorType': error.awsType });
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

/** Reads a body up to `limit` bytes; beyond it, stops buffering and reports the size (for 413s). */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer | null; bytes: number }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      req.on('end', () => resolve({ body: null, bytes: declared }));
      req.on('error', reject);
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: bytes <= limit ? Buffer.concat(chunks, bytes) : null, bytes }));
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage, limit = 70 * 1024 * 1024): Promise<Record<string, unknown>> {
  const { body } = await readBody(req, limit);
  if (body === null)
    throw new AwsError('RequestTooLargeException', 413, 'Request must be smaller than 70167211 bytes.');
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
