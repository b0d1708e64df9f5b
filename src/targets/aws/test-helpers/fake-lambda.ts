import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';

export interface FakeRequest {
  method: string;
  /** e.g. `/2015-03-31/functions/fn/configuration` */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  /** Sent as x-amzn-ErrorType, which the SDK turns into the exception's name. */
  errorType?: string;
  headers?: Record<string, string>;
}

export interface FakeLambda {
  endpoint: string;
  requests: FakeRequest[];
  client(): LambdaClient;
  close(): Promise<void>;
}

/**
 * A scripted Lambda API on 127.0.0.1 for what the engine never does: stale reads, updates that stay InProgress,
 * someone else changing the function, calls AWS refuses. `answer` gets every request; undefined means 404.
 */
export async function startFakeLambda(answer: (request: FakeRequest) => FakeResponse | undefined): Promise<FakeLambda> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
      };
      requests.push(request);
      const response = answer(request) ?? { status: 404, errorType: 'ResourceNotFoundException' };
      const headers: Record<string, string> = { 'content-type': 'application/json', ...response.headers };
      if (response.errorType) headers['x-amzn-errortype'] = response.errorType;
      res.writeHead(response.status ?? (response.errorType ? 400 : 200), headers);
      res.end(JSON.stringify(response.body ?? (response.errorType ? { message: response.errorType } : {})));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    client: () => new LambdaClient(clientConfig(endpoint)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
