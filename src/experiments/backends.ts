import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { createLocalEngine } from '../engine/index.js';
import { LambenchError } from '../errors.js';
import { startLocalServices } from '../services/index.js';
import { DEFAULT_NETWORK_MODEL, parseNetworkOption } from '../services/network/index.js';
import { deployFunction } from '../targets/aws/deploy.js';
import { packageFunction } from '../targets/aws/package.js';
import { AwsTarget } from '../targets/aws/target.js';
import { LocalTarget } from '../targets/local/target.js';
import type { ConfiguredFunction, Target, TargetInvokeResult, TargetKind } from '../targets/types.js';

/** Where the experiments run: everything an ExperimentContext needs that differs between local and AWS. */
export interface Backend {
  kind: TargetKind;
  target: Target;
  bucket: string;
  s3Endpoint: string | undefined;
  /** "2 CPUs (…), isolation cgroup-v1" or "AWS Lambda, us-east-1": printed in every report. */
  host: string;
  hostCpus: number;
  has(functionName: string): boolean;
  /** Makes a built-in function ready to run (on AWS: packaged and deployed once per run). */
  prepare(functionName: string): Promise<void>;
  invoke(
    functionName: string,
    payload: unknown,
    options: { memoryMB?: number; cold?: boolean },
  ): Promise<TargetInvokeResult>;
  retireEnvironments(functionName: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface BackendOptions {
  target: TargetKind;
  outDir: string;
  /** AWS: an existing bucket of the user's for the experiments' data. */
  bucket?: string;
  /** AWS: the execution role for functions deployed for the first time. */
  role?: string;
  /** Local: the network model (default lambda-2026; `none` for loopback). */
  network?: string;
  log: (message: string) => void;
}

/** One invocation through the Target interface, configuring each (function, memory) once. */
function invoker(engine: Engine, target: Target, prepare: (fn: string) => Promise<void>) {
  const configured = new Map<string, Promise<ConfiguredFunction>>();
  return async (functionName: string, payload: unknown, options: { memoryMB?: number; cold?: boolean }) => {
    await prepare(functionName);
    const memoryMB = options.memoryMB ?? engine.functions.resolve(functionName).memorySize;
    const key = `${functionName}\u0000${memoryMB}`;
    const fn = configured.get(key) ?? target.configure(functionName, memoryMB);
    configured.set(key, fn);
    return target.invoke(await fn, JSON.stringify(payload), { cold: options.cold ?? false });
  };
}

async function localBackend(options: BackendOptions): Promise<Backend> {
  // Each environment reaches S3, DynamoDB and the Lambda API through the network model (src/services/network):
  // its memory size's bandwidth and the services' latencies, so waiting (not loopback speed) is what concurrency
  // strategies overlap and what a memory size buys on the network.
  const network = parseNetworkOption(options.network, DEFAULT_NETWORK_MODEL);
  const engine = await createLocalEngine({ idleTimeoutMs: 60_000, network });
  const services = await startLocalServices(engine, {
    dataDir: path.join(options.outDir, '.data'),
  }).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const target = new LocalTarget(engine);
  const prepare = async () => {};
  return {
    kind: 'local',
    target,
    bucket: 'lambench-experiments',
    s3Endpoint: services.endpoints.s3,
    host: `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), isolation ${engine.isolation}, network ${network?.model.name ?? 'none'}`,
    hostCpus: engine.hostCpus,
    has: (name) => engine.functions.has(name),
    prepare,
    invoke: invoker(engine, target, prepare),
    retireEnvironments: async (name) => (await engine.retireIdle(name)) >= 0,
    async close() {
      await services.close();
      await engine.close();
    },
  };
}

/**
 * AWS: the built-in functions are packaged and deployed under their own names (created with `role` where missing,
 * updated otherwise), data goes to the user's bucket, and the tuner drives the aws target as `lambench tune` does.
 * A local engine without services only resolves and builds the built-in functions.
 */
async function awsBackend(options: BackendOptions): Promise<Backend> {
  if (!options.bucket) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      'lambench run --target aws needs --bucket: an existing S3 bucket of yours, in the functions’ region, for the experiments’ data.',
      'Create one (aws s3 mb s3://<name>) and pass --bucket <name>; the execution role must be able to read it.',
    );
  }
  const engine = await createLocalEngine({ isolation: 'none' });
  const target = new AwsTarget();
  const deployed = new Map<string, Promise<void>>();
  const prepare = (functionName: string) => {
    let pending = deployed.get(functionName);
    if (!pending) {
      pending = (async () => {
        const fn = engine.functions.resolve(functionName);
        options.log(`deploying ${functionName} to AWS Lambda`);
        const zip = await packageFunction(fn, path.resolve('.lambench', 'cache'));
        await deployFunction(target.client, fn, zip, options.role ? { role: options.role } : {});
      })();
      deployed.set(functionName, pending);
    }
    return pending;
  };
  const region = (await target.environment()).region;
  return {
    kind: 'aws',
    target,
    bucket: options.bucket,
    s3Endpoint: undefined,
    host: `AWS Lambda, ${region}`,
    hostCpus: Math.floor(10_240 / 1769),
    has: (name) => engine.functions.has(name),
    prepare,
    invoke: invoker(engine, target, prepare),
    // Outside the tuner lambench cannot force new environments of a function another one invokes.
    retireEnvironments: async () => false,
    async close() {
      try {
        await target.cleanup();
      } finally {
        target.client.destroy();
        await engine.close();
      }
    },
  };
}

export function openBackend(options: BackendOptions): Promise<Backend> {
  return options.target === 'aws' ? awsBackend(options) : localBackend(options);
}
