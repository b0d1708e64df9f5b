import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { AwsError, invalidFunctionName, invalidQualifier, requestTooLarge } from '../../errors.js';
import { type AuthOptions, authorize, type Refusal, readBounded, replayRequest } from '../../services/auth/guard.js';
import { checkArnScope, parseFunctionRef } from '../arn.js';
import { type Engine, MAX_SYNC_PAYLOAD_BYTES, payloadTooLarge } from '../engine.js';
import { LATEST } from '../registry.js';
import { toAliasConfiguration, toConfiguration } from './configuration.js';
import * as cp from './control-plane.js';
import { handleInvoke, invokeBodyLimit } from './invoke.js';
import { handleInvokeStream } from './invoke-stream.js';
import { CONTROL_PLANE_BODY_LIMIT, sendError, sendJson } from './respond.js';

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

export interface LambdaApiOptions {
  dataDir: string;
  /** Who may call (default: any SigV4-signed request; with credentials, verified signatures only). */
  auth?: AuthOptions;
}

/** The Lambda API (Invoke + control-plane subset) as a node:http listener, usable in-process or on a socket. */
export function createLambdaHandler(engine: Engine, options: LambdaApiOptions) {
  const ctx: cp.ControlPlaneContext = { engine, dataDir: options.dataDir, roles: new Map() };
  const auth = options.auth ?? {};
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Nothing a request carries may escape as an exception: that would end the process and every service in it.
    try {
      const decision = authorize(req, 'lambda', auth);
      if ('refusal' in decision) return fail(req, res, lambdaRefusal(decision.refusal));
      if ('accepted' in decision) return dispatch(ctx, req, res);
      // The signature covers the body: read it (within the operation's bound) before anything runs.
      readBounded(req, bodyLimit(req))
        .then((read) => {
          if ('tooLarge' in read) return fail(req, res, tooLargeError(req, read.tooLarge));
          const refusal = decision.verifyBody(read.body);
          if (refusal) return fail(req, res, lambdaRefusal(refusal));
          dispatch(ctx, replayRequest(req, read.body), res);
        })
        .catch((error: unknown) => fail(req, res, error));
    } catch (error) {
      fail(req, res, error);
    }
  };
}

function fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  req.resume();
  try {
    sendError(res, error);
  } catch {
    res.destroy();
  }
}

/** Lambda's answers to unsigned or mis-signed requests (its front end answers them all 403). */
function lambdaRefusal(refusal: Refusal): AwsError {
  const types: Record<Refusal['reason'], string> = {
    crossSite: 'AccessDeniedException',
    missing: 'MissingAuthenticationTokenException',
    incomplete: 'IncompleteSignatureException',
    unknownKey: 'UnrecognizedClientException',
    badSignature: 'InvalidSignatureException',
    expired: 'InvalidSignatureException',
    unsupported: 'IncompleteSignatureException',
  };
  return new AwsError(types[refusal.reason], 403, refusal.message);
}

const rawPath = (req: IncomingMessage) => (req.url ?? '/').split('?')[0] ?? '/';
/** Invoke and InvokeWithResponseStream (`…/response-streaming-invocations`) share Invoke's payload bounds. */
const isInvoke = (req: IncomingMessage) =>
  req.method === 'POST' && /\/(response-streaming-)?invocations$/.test(rawPath(req));
const invocationType = (req: IncomingMessage) => {
  const value = req.headers['x-amz-invocation-type'];
  return Array.isArray(value) ? value[0] : value;
};

function bodyLimit(req: IncomingMessage): number {
  return isInvoke(req) ? invokeBodyLimit(invocationType(req)) : CONTROL_PLANE_BODY_LIMIT;
}

function tooLargeError(req: IncomingMessage, bytes: number): AwsError {
  if (!isInvoke(req)) return requestTooLarge(bytes, CONTROL_PLANE_BODY_LIMIT, 'CreateFunction');
  return (
    payloadTooLarge(bytes, invocationType(req) === 'Event' ? 'Event' : 'RequestResponse') ??
    requestTooLarge(bytes, MAX_SYNC_PAYLOAD_BYTES)
  );
}

/** AWS validates FunctionName (and the alias) before routing; a malformed escape can be neither. */
function decodePathPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidFunctionName(raw);
  }
}

/** Routes on the path as sent: no URL normalisation (`..`, `.`) and no parsing that could throw. */
function dispatch(ctx: cp.ControlPlaneContext, req: IncomingMessage, res: ServerResponse): void {
  const path = rawPath(req);
  const query = new URLSearchParams((req.url ?? '').split('?').slice(1).join('?'));
  const match = FUNCTIONS.exec(path);
  const [, , rawName, sub, rawAlias] = match ?? [];
  const resource =
    rawName === undefined ? '' : sub === undefined ? 'function' : sub === 'aliases' && rawAlias ? 'alias' : sub;
  const handler = match ? routes[`${req.method} ${resource}`] : undefined;
  if (!handler) {
    fail(
      req,
      res,
      new AwsError('UnknownOperationException', 404, `${req.method} ${path} is not supported by lambench.`),
    );
    return;
  }
  const params: RouteParams = {
    name: decodePathPart(rawName ?? ''),
    alias: decodePathPart(rawAlias ?? ''),
    qualifier: query.get('Qualifier') ?? undefined,
  };
  if (params.qualifier !== undefined && !/^[a-zA-Z0-9$_-]{1,128}$/.test(params.qualifier)) {
    throw invalidQualifier(params.qualifier);
  }
  if (params.name) checkArnScope(params.name, ctx.engine.region, isInvoke(req) ? 'InvokeFunction' : 'GetFunction');
  if (params.qualifier === LATEST && resource === 'function' && req.method === 'DELETE') params.qualifier = undefined;
  Promise.resolve()
    .then(() => handler(ctx, req, res, params))
    .catch((error: unknown) => fail(req, res, error));
}

export interface LambdaServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startLambdaServer(
  engine: Engine,
  options: LambdaApiOptions & { port?: number },
): Promise<LambdaServer> {
  // Functions an earlier `serve` created through the API, kept under the same data dir (as AWS keeps them).
  await engine.functions.open(path.join(options.dataDir, 'functions'));
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
