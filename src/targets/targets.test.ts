import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteFunctionCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { startLambdaServer } from '../engine/http/server.js';
import { builtInFunctionsDir } from '../paths.js';
import { AwsTarget } from './aws/target.js';
import { LocalTarget } from './local/target.js';
import { targetContract } from './target.contract.js';

let engine: Engine;
let server: { endpoint: string; close(): Promise<void> };
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-targets-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
  server = await startLambdaServer(engine, { port: 0, dataDir: path.join(workDir, 'data') });
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

targetContract('local', async () => ({
  target: new LocalTarget(engine),
  functionName: 'hello-node',
  configuredMemory: async () => engine.functions.resolve('hello-node').memorySize,
  leftovers: async () => [],
}));

targetContract('aws (SDK v3 against lambench serve)', async () => {
  const target = new AwsTarget({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    target,
    functionName: 'hello-node',
    configuredMemory: async () => engine.functions.resolve('hello-node').memorySize,
    leftovers: async () => {
      const aliases = await target.client.send(new ListAliasesCommand({ FunctionName: 'hello-node' }));
      const versions = await target.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'hello-node' }));
      return [
        ...(aliases.Aliases ?? []).map((a) => `alias:${a.Name}`),
        ...(versions.Versions ?? []).filter((v) => v.Version !== '$LATEST').map((v) => `version:${v.Version}`),
      ];
    },
  };
});

describe('aws target: what cleanup restores', () => {
  const awsTarget = () =>
    new AwsTarget({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

  it('leaves a function it only described and invoked warm untouched (same RevisionId, environments stay warm)', async () => {
    const target = awsTarget();
    const revision = engine.functions.resolve('hello-node').revisionId;
    const described = await target.describe('hello-node');
    await target.invoke({ functionName: described.name, memoryMB: described.memoryMB }, '{}', { cold: false });
    await target.cleanup();
    expect(engine.functions.resolve('hello-node').revisionId).toBe(revision);
    const next = await target.invoke({ functionName: described.name, memoryMB: described.memoryMB }, '{}', {
      cold: false,
    });
    expect(next.cold).toBe(false);
    target.client.destroy();
  });

  it("never deletes a version it did not publish (PublishVersion returns the user's when nothing changed)", async () => {
    const target = awsTarget();
    const mine = await target.client.send(
      new PublishVersionCommand({ FunctionName: 'hello-node', Description: 'mine' }),
    );
    const described = await target.describe('hello-node');
    const fn = await target.configure('hello-node', described.memoryMB);
    await target.invoke(fn, '{}', { cold: false });
    await target.cleanup();
    const versions = await target.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'hello-node' }));
    expect(versions.Versions?.map((v) => v.Version)).toContain(mine.Version);
    await target.client.send(new DeleteFunctionCommand({ FunctionName: 'hello-node', Qualifier: mine.Version }));
    target.client.destroy();
  });

  it('restores a function whose configuration a forced cold start changed', async () => {
    const target = awsTarget();
    const before = engine.functions.resolve('hello-node');
    const described = await target.describe('hello-node');
    await target.invoke({ functionName: described.name, memoryMB: described.memoryMB }, '{}', { cold: true });
    expect(engine.functions.resolve('hello-node').environment).toHaveProperty('LAMBENCH_FORCE_COLD_START');
    await target.cleanup();
    const after = engine.functions.resolve('hello-node');
    expect(after.environment).toEqual(before.environment);
    expect(after.memorySize).toBe(before.memorySize);
    target.client.destroy();
  });
});
