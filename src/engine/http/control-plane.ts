import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, invalidParameter } from '../../errors.js';
import { parseFunctionRef } from '../arn.js';
import type { Engine } from '../engine.js';
import { normalizeManifest } from '../manifest.js';
import { type ConfigurationPatch, LATEST } from '../registry.js';
import { unpackZip } from './code.js';
import { toAliasConfiguration, toConfiguration } from './configuration.js';
import {
  checkAlias,
  checkConcurrency,
  checkCreateFunction,
  checkPublishVersion,
  checkUpdateCode,
  checkUpdateConfiguration,
} from './parameters.js';
import { readJson, sendJson } from './respond.js';

export interface ControlPlaneContext {
  engine: Engine;
  dataDir: string;
  /** Unused: roles live on each FunctionVersion (`role`), so they are versioned and kept across restarts. */
  roles: Map<string, string>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function config(ctx: ControlPlaneContext, name: string, qualifier?: string) {
  const fn = ctx.engine.functions.resolve(name, qualifier);
  return toConfiguration(fn, ctx.engine.region, ctx.roles.get(fn.name));
}

/** `EphemeralStorage: { Size }` as the SDK sends it; a malformed one becomes NaN so validation names it. */
function ephemeralStorageOf(body: Record<string, unknown>): number | undefined {
  if (body.EphemeralStorage === undefined) return undefined;
  const size = (body.EphemeralStorage as { Size?: unknown } | null)?.Size;
  return typeof size === 'number' ? size : Number.NaN;
}

function variables(body: Record<string, unknown>): Record<string, string> | undefined {
  const env = body.Environment as { Variables?: Record<string, string> } | undefined;
  return env ? { ...env.Variables } : undefined;
}

export async function createFunction(
  ctx: ControlPlaneContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readJson(req);
  checkCreateFunction(body);
  if (str(body.PackageType) === 'Image')
    throw invalidParameter('PackageType Image is not supported by the local engine; use Zip.');
  const architectures = body.Architectures as string[] | undefined;
  const manifest = normalizeManifest(
    {
      name: parseFunctionRef(body.FunctionName as string).name,
      runtime: body.Runtime,
      handler: body.Handler,
      memorySize: body.MemorySize,
      timeout: body.Timeout,
      ephemeralStorage: ephemeralStorageOf(body),
      environment: variables(body),
      architecture: architectures?.[0],
      description: body.Description,
    },
    'CreateFunction',
  );
  if (ctx.engine.functions.has(manifest.name)) {
    throw new AwsError('ResourceConflictException', 409, `Function already exist: ${manifest.name}`);
  }
  const code = await unpackZip(ctx.dataDir, manifest.name, (body.Code as { ZipFile?: unknown } | undefined)?.ZipFile);
  ctx.engine.functions.create(manifest, code, str(body.Role));
  const published = body.Publish === true ? ctx.engine.functions.publishVersion(manifest.name) : undefined;
  sendJson(res, 201, config(ctx, manifest.name, published?.version));
}

const revisionMismatch = () =>
  new AwsError('PreconditionFailedException', 412, 'The RevisionId provided does not match the latest RevisionId.');

export async function updateConfiguration(
  ctx: ControlPlaneContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const body = await readJson(req);
  checkUpdateConfiguration(name, body);
  const current = ctx.engine.functions.resolve(name);
  if (str(body.RevisionId) && body.RevisionId !== current.revisionId) throw revisionMismatch();
  const patch: ConfigurationPatch = {};
  if (body.MemorySize !== undefined) patch.memorySize = body.MemorySize as number;
  if (body.Timeout !== undefined) patch.timeout = body.Timeout as number;
  if (body.EphemeralStorage !== undefined) patch.ephemeralStorage = ephemeralStorageOf(body) ?? Number.NaN;
  if (body.Handler !== undefined) patch.handler = body.Handler as string;
  if (body.Runtime !== undefined) patch.runtime = body.Runtime as string;
  if (body.Description !== undefined) patch.description = body.Description as string;
  if (str(body.Role)) patch.role = str(body.Role) as string;
  const env = variables(body);
  if (env) patch.environment = env;
  ctx.engine.functions.updateConfiguration(name, patch);
  // AWS retires the environments of the old configuration; only $LATEST changed, published versions keep theirs.
  await ctx.engine.retireIdle(name, LATEST);
  sendJson(res, 200, config(ctx, name));
}

export async function updateCode(ctx: ControlPlaneContext, req: IncomingMessage, res: ServerResponse, name: string) {
  const body = await readJson(req);
  checkUpdateCode(name, body);
  const fn = ctx.engine.functions.resolve(name);
  if (str(body.RevisionId) && body.RevisionId !== fn.revisionId) throw revisionMismatch();
  const code = await unpackZip(ctx.dataDir, fn.name, body.ZipFile);
  ctx.engine.functions.updateCode(name, code);
  await ctx.engine.retireIdle(name, LATEST);
  const published = body.Publish === true ? ctx.engine.functions.publishVersion(name) : undefined;
  sendJson(res, 200, config(ctx, name, published?.version));
}

export async function publishVersion(
  ctx: ControlPlaneContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
) {
  const body = await readJson(req);
  checkPublishVersion(name, body);
  const latest = ctx.engine.functions.resolve(name);
  if (str(body.CodeSha256) && body.CodeSha256 !== latest.codeSha256) {
    throw invalidParameter(
      `CodeSHA256 (${str(body.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
    );
  }
  const version = ctx.engine.functions.publishVersion(name, str(body.Description), str(body.RevisionId));
  sendJson(res, 201, config(ctx, name, version.version));
}

export function listVersions(ctx: ControlPlaneContext, res: ServerResponse, name: string): void {
  const versions = ctx.engine.functions.listVersions(name);
  sendJson(res, 200, {
    Versions: versions.map((v) => toConfiguration(v, ctx.engine.region, ctx.roles.get(v.name))),
  });
}

export async function createAlias(ctx: ControlPlaneContext, req: IncomingMessage, res: ServerResponse, name: string) {
  const body = await readJson(req);
  checkAlias(name, body, true);
  const aliasName = body.Name as string;
  const version = body.FunctionVersion as string;
  const alias = ctx.engine.functions.createAlias(name, {
    name: aliasName,
    functionVersion: version,
    ...(str(body.Description) ? { description: str(body.Description) as string } : {}),
  });
  sendJson(res, 201, toAliasConfiguration(name, alias, ctx.engine.region));
}

export async function updateAlias(
  ctx: ControlPlaneContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  alias: string,
) {
  const body = await readJson(req);
  checkAlias(name, { ...body, Name: alias }, false);
  const updated = ctx.engine.functions.updateAlias(name, alias, {
    ...(str(body.FunctionVersion) ? { functionVersion: str(body.FunctionVersion) as string } : {}),
    ...(str(body.Description) !== undefined ? { description: str(body.Description) as string } : {}),
  });
  sendJson(res, 200, toAliasConfiguration(name, updated, ctx.engine.region));
}

export function getFunction(ctx: ControlPlaneContext, res: ServerResponse, name: string, qualifier?: string): void {
  const reserved = ctx.engine.functions.getReservedConcurrency(name);
  sendJson(res, 200, {
    Configuration: config(ctx, name, qualifier),
    Code: { RepositoryType: 'S3', Location: `file://${ctx.engine.functions.resolve(name, qualifier).codeDir}` },
    ...(reserved === null ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
  });
}

export async function putConcurrency(
  ctx: ControlPlaneContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
) {
  const body = await readJson(req);
  checkConcurrency(name, body);
  const reserved = body.ReservedConcurrentExecutions as number;
  ctx.engine.functions.putReservedConcurrency(name, reserved);
  sendJson(res, 200, { ReservedConcurrentExecutions: reserved });
}
