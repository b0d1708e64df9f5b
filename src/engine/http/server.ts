import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError } from '../../errors.js';
import { parseFunctionRef } from '../arn.js';
import type { Engine } from '../engine.js';
import { LATEST } from '../registry.js';
import { toAliasConfiguration, toConfiguration } from './configuration.js';
import * as cp from './control-plane.js';
import { handleInvoke } from './invoke.js';
import { handleInvokeStream } from './invoke-stream.js';
import { sendError, sendJson } from './respond.js';

type Handler = (ctx: cp.ControlPlaneContext, req: IncomingMessage, res: ServerResponse, params: RouteParams) => unknown;
interface RouteParams {
  name: string;
  alias: string;
  qualifier: string | undefined;
}

const FUNCTIONS = /^\/(\d{4}-\d{2}-\d{2})\/functions\/?(?:([^/]+)(?:\/([a-z-]+)(?:\/([^/]+))?)?)?\/?$/;

/** `METHOD sub-resource` → handler; the name (and alias) come from the path, URL-decoded (ARNs allowed). */
const routes: Record<string, Handler> = {
  'POST invocations': (ctx, req, res, p) => handleInvoke(ctx.engine, req, res, p.name, p.qualifier),
  'POST response-streaming-invocations': (ctx, req, res, p) =>
    handleInvokeStream(ctx.engine, req, res, p.name, p.qualifier),
  'POST ': (ctx, req, res) => cp.createFunction(ctx, req, res),
  'GET ': (ctx, _req, res) =>
    sendJson(res, 200, {
      Functions: ctx.engine.functions.list().map((f) => toConfiguration(f, ctx.engine.region, ctx.roles.get(f.name))),
    }),
  'GET function': (ctx, _req, res, p) => cp.getFunction(ctx, res, p.name, p.qualifier),
  'DELETE function': async (ctx, _req, res, p) => {
    ctx.engine.functions.delete(p.name, p.qualifier);
    // AWS retires a deleted function's environments; without this they would run on until idle eviction.
    const version = p.qualifier ?? parseFunctionRef(p.name).qualifier;
    await ctx.engine.retireIdle(p.name, version === LATEST ? undefined : version);
    res.writeHead(204).end();
  },
  'GET configuration': (ctx, _req, res, p) => {
    const fn = ctx.engine.functions.resolve(p.name, p.qualifier);
    sendJson(res, 200, toConfiguration(fn, ctx.engine.region, ctx.roles.get(fn.name)));
  },
  'PUT configuration': (ctx, req, res, p) => cp.updateConfiguration(ctx, req, res, p.name),
  'PUT code': (ctx, req, res, p) => cp.updateCode(ctx, req, res, p.name),
  'POST versions': (ctx, req, res, p) => cp.publishVersion(ctx, req, res, p.name),
  'GET versions': (ctx, _req, res, p) => cp.listVersions(ctx, res, p.name),
  'POST aliases': (ctx, req, res, p) => cp.createAlias(ctx, req, res, p.name),
  'GET aliases': (ctx, _req, res, p) =>
    sendJson(res, 200, {
      Aliases: ctx.engine.functions.listAliases(p.name).map((a) => toAliasConfiguration(p.name, a, ctx.engine.region)),
    }),
  'GET alias': (ctx, _req, res, p) =>
    sendJson(res, 200, toAliasConfiguration(p.name, ctx.engine.functions.getAlias(p.name, p.alias), ctx.engine.region)),
  'PUT alias': (ctx, req, res, p) => cp.updateAlias(ctx, req, res, p.name, p.alias),
  'DELETE alias': (ctx, _req, res, p) => {
    ctx.engine.functions.deleteAlias(p.name, p.alias);
    res.writeHead(204).end();
  },
  'PUT concurrency': (ctx, req, res, p) => cp.putConcurrency(ctx, req, res, p.name),
  'GET concurrency': (ctx, _req, res, p) => {
    const reserved = ctx.engine.functions.getReservedConcurrency(p.name);
    sendJson(res, 200, reserved === null ? {} : { ReservedConcurrentExecutions: reserved });
  },
  'DELETE concurrency': (ctx, _req, res, p) => {
    ctx.engine.functions.putReservedConcurrency(p.name, null);
    res.writeHead(204).end();
  },
};

/** The Lambda API (Invoke + control-plane subset) as a node:http listener, usable in-process or on a socket. */
export function createLambdaHandler(engine: Engine, options: { dataDir: string }) {
  const ctx: cp.ControlPlaneContext = { engine, dataDir: options.dataDir, roles: new Map() };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = FUNCTIONS.exec(url.pathname);
    const [, , rawName, sub, rawAlias] = match ?? [];
    const resource =
      rawName === undefined ? '' : sub === undefined ? 'function' : sub === 'aliases' && rawAlias ? 'alias' : sub;
    const handler = match ? routes[`${req.method} ${resource}`] : undefined;
    if (!handler) {
      req.resume();
      sendError(
        res,
        new AwsError('UnknownOperationException', 404, `${req.method} ${url.pathname} is not supported by lambench.`),
      );
      return;
    }
    const params: RouteParams = {
      name: decodeURIComponent(rawName ?? ''),
      alias: decodeURIComponent(rawAlias ?? ''),
      qualifier: url.searchParams.get('Qualifier') ?? undefined,
    };
    if (params.qualifier === LATEST && resource === 'function' && req.method === 'DELETE') params.qualifier = undefined;
    Promise.resolve()
      .then(() => handler(ctx, req, res, params))
      .catch((error: unknown) => {
        req.resume();
        sendError(res, error);
      });
  };
}

export interface LambdaServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startLambdaServer(
  engine: Engine,
  options: { port?: number; dataDir: string },
): Promise<LambdaServer> {
  const server = http.createServer({ keepAlive: true, noDelay: true }, createLambdaHandler(engine, options));
  // Synchronous invocations may run up to 900 s.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
