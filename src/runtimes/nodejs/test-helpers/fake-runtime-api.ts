import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Outcome {
  kind: 'response' | 'error';
  /** Parsed JSON body. */
  body: unknown;
  errorType: string | undefined;
  /** performance.now() when the runtime posted it. */
  at: number;
}

interface Pending {
  id: string;
  event: string;
  headers: Record<string, string>;
  resolve: (outcome: Outcome) => void;
}

/**
 * A minimal Runtime API 2018-06-01 on 127.0.0.1:0 for testing runtime clients: hands out queued invocations
 * to GET /next and records what comes back on /response, /error and /init/error.
 */
export class FakeRuntimeApi {
  readonly initErrors: Array<{ errorType: string | undefined; body: unknown }> = [];
  #server: http.Server;
  #queue: Pending[] = [];
  #parked: ServerResponse | undefined;
  #inFlight = new Map<string, Pending>();

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeRuntimeApi> {
    const server = http.createServer({ keepAliveTimeout: 0 });
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    const api = new FakeRuntimeApi(server);
    server.on('request', (req, res) => api.#route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get address(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Queues an invocation; resolves with what the runtime answered. */
  invoke(event: unknown, headers: Record<string, string> = {}): Promise<Outcome> & { id: string } {
    const id = randomUUID();
    let resolve!: (outcome: Outcome) => void;
    const promise = new Promise<Outcome>((r) => {
      resolve = r;
    });
    const all = {
      'Lambda-Runtime-Aws-Request-Id': id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
      'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:fixture',
      ...headers,
    };
    this.#queue.push({ id, event: JSON.stringify(event), headers: all, resolve });
    this.#dispatch();
    return Object.assign(promise, { id });
  }

  async close(): Promise<void> {
    this.#parked?.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #dispatch(): void {
    const res = this.#parked;
    const next = this.#queue.shift();
    if (!res || !next) {
      if (next) this.#queue.unshift(next);
      return;
    }
    this.#parked = undefined;
    this.#inFlight.set(next.id, next);
    res.writeHead(200, { 'Content-Type': 'application/json', ...next.headers });
    res.end(next.event);
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const errorType = req.headers['lambda-runtime-function-error-type'] as string | undefined;
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        this.#parked = res;
        return this.#dispatch();
      }
      if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
        this.initErrors.push({ errorType, body });
        return accepted(res);
      }
      const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      const pending =
        match && req.method === 'POST' ? this.#inFlight.get(decodeURIComponent(match[1] ?? '')) : undefined;
      if (!match || !pending) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        return res.end('{"errorType":"InvalidRequestID","errorMessage":"Invalid request ID"}');
      }
      this.#inFlight.delete(pending.id);
      pending.resolve({ kind: match[2] as Outcome['kind'], body, errorType, at: performance.now() });
      accepted(res);
    });
  }
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'Content-Type': 'application/json' });
  res.end('{"status":"OK"}');
}

export interface RuntimeProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill: () => void;
}

/** Starts a runtime client the way the engine does: AWS's variables, cwd = task root, nothing inherited. */
export function spawnRuntime(
  command: string,
  args: string[],
  api: FakeRuntimeApi,
  taskRoot: string,
  handler: string,
  env: Record<string, string> = {},
): RuntimeProcess {
  const child = spawn(command, args, {
    cwd: taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      AWS_LAMBDA_RUNTIME_API: api.address,
      _HANDLER: handler,
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_LAMBDA_FUNCTION_NAME: 'fixture',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fixture',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      ...env,
    },
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
