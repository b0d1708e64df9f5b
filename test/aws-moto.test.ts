import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { builtInFunctionsDir } from '../src/paths.js';
import { pythonRuntime } from '../src/runtimes/python/adapter.js';
import { deployFunction, destroyFunction } from '../src/targets/aws/deploy.js';
import { packageFunction } from '../src/targets/aws/package.js';
import { AwsTarget } from '../src/targets/aws/target.js';
import { type Moto, startMoto } from '../src/test-helpers/moto.js';
import { runLambench } from './helpers/cli.js';

/**
 * The AWS target against a Lambda we did not write: moto's (PyPI `moto[server]`). It checks deploy (CreateFunction
 * and the update path), configuration changes and their waits, PublishVersion, aliases, applying a memory size and
 * cleanup. What moto cannot check: invocation (moto runs functions in Docker; without it, moto answers 200 with an
 * error text and no log tail, which the target refuses to measure), and timing or asynchronous update states (moto
 * applies every change at once: LastUpdateStatus is Successful on the first read).
 */
const python = await pythonRuntime.detect();
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let moto: Moto | undefined;
let engine: Engine;
let workDir: string;
let role = '';

describe.skipIf(!python.available)('AWS target against moto Lambda', () => {
  const client = () => new LambdaClient({ endpoint: moto?.endpoint, region: 'us-east-1', credentials });
  const configuration = (c: LambdaClient, name: string) =>
    c.send(new GetFunctionConfigurationCommand({ FunctionName: name }));

  beforeAll(async () => {
    moto = await startMoto(python.path ?? 'python3');
    role = (
      await moto.python(`
import boto3, json, os
iam = boto3.client('iam', endpoint_url=os.environ['MOTO_ENDPOINT'], region_name='us-east-1')
trust = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'lambda.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]}
print(iam.create_role(RoleName='lambench-moto', AssumeRolePolicyDocument=json.dumps(trust))['Role']['Arn'])
`)
    ).trim();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-moto-lambda-'));
    engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), isolation: 'none' });
    await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    await moto?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('deploys a packaged function, then updates its code and configuration', async () => {
    const c = client();
    const fn = engine.functions.resolve('hello-node');
    const zip = await packageFunction(fn, path.join(workDir, 'cache'));
    const first = await deployFunction(c, fn, zip, { role, name: 'hello-moto' });
    expect(first.created).toBe(true);
    expect(first.configuration).toMatchObject({ Handler: fn.handler, Runtime: fn.runtime, State: 'Active' });
    const second = await deployFunction(c, { ...fn, memorySize: 256, timeout: 7 }, zip, { name: 'hello-moto' });
    expect(second.created).toBe(false);
    expect(await configuration(c, 'hello-moto')).toMatchObject({ MemorySize: 256, Timeout: 7 });
    await deployFunction(c, fn, zip, { name: 'hello-moto' });
    c.destroy();
  });

  it('configures sizes behind aliases, applies one, and cleanup leaves only what was there', async () => {
    const c = client();
    const target = new AwsTarget({ endpoint: moto?.endpoint, region: 'us-east-1', credentials });
    const described = await target.describe('hello-moto');
    expect(described.memoryMB).toBe(128);
    const at256 = await target.configure('hello-moto', 256);
    const at512 = await target.configure('hello-moto', 512);
    expect([at256.qualifier, at512.qualifier]).toEqual(['lambench-256', 'lambench-512']);
    const aliases = await c.send(new ListAliasesCommand({ FunctionName: 'hello-moto' }));
    expect(aliases.Aliases?.map((a) => a.Name).sort()).toEqual(['lambench-256', 'lambench-512']);
    for (const alias of aliases.Aliases ?? []) {
      const version = await c.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'hello-moto', Qualifier: alias.FunctionVersion }),
      );
      expect(`lambench-${version.MemorySize}`).toBe(alias.Name);
    }
    await target.cleanup();
    expect((await c.send(new ListAliasesCommand({ FunctionName: 'hello-moto' }))).Aliases ?? []).toEqual([]);
    const versions = await c.send(new ListVersionsByFunctionCommand({ FunctionName: 'hello-moto' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST']);
    expect((await configuration(c, 'hello-moto')).MemorySize).toBe(128);

    await target.applyMemory('hello-moto', 384);
    await target.cleanup();
    expect((await configuration(c, 'hello-moto')).MemorySize).toBe(384);
    await target.applyMemory('hello-moto', 128);
    target.client.destroy();
    c.destroy();
  });

  it('refuses to measure an answer without a REPORT line (moto cannot run functions without Docker)', async () => {
    const target = new AwsTarget({ endpoint: moto?.endpoint, region: 'us-east-1', credentials });
    const fn = await target.configure('hello-moto', 128);
    await expect(target.invoke(fn, '{}', { cold: false })).rejects.toThrow(/No REPORT line/);
    await target.cleanup();
    target.client.destroy();
  });

  it('`lambench deploy` and `destroy --target aws` work through AWS_ENDPOINT_URL_LAMBDA', async () => {
    const env = {
      AWS_ENDPOINT_URL_LAMBDA: moto?.endpoint ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const cwd = workDir;
    const deployed = await runLambench(
      [
        'deploy',
        path.join(builtInFunctionsDir, 'hello', 'node'),
        '--target',
        'aws',
        '--role',
        role,
        '--name',
        'cli-moto',
        '--json',
      ],
      cwd,
      env,
    );
    expect(deployed.stderr).not.toMatch(/Error/);
    expect(deployed.code).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject({ function: 'cli-moto', created: true });
    const destroyed = await runLambench(['destroy', 'cli-moto', '--target', 'aws'], cwd, env);
    expect(destroyed.code).toBe(0);
    const c = client();
    await expect(configuration(c, 'cli-moto')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(destroyFunction(c, 'cli-moto')).rejects.toMatchObject({ awsType: 'ResourceNotFoundException' });
    c.destroy();
  });
});
