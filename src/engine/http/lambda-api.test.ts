import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInFunctionsDir } from '../../paths.js';
import { privateTmpUnavailable } from '../../sandbox/tmp.js';
import { Engine } from '../engine.js';
import { type LambdaServer, startLambdaServer } from './server.js';

let engine: Engine;
let server: LambdaServer;
let lambda: LambdaClient;
let workDir: string;

const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
/** Root on Linux with util-linux and e2fsprogs: functions get a private /tmp of their EphemeralStorage size. */
const root = privateTmpUnavailable() === null;

const handlerZip = () =>
  zipSync({
    'index.mjs': strToU8(
      'export const handler = async (e) => { console.log("hi from", process.env.AWS_LAMBDA_FUNCTION_NAME); return { memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION, e }; };',
    ),
  });

beforeAll(async () => {
  // Outside /tmp where functions get a private one: it would hide the unpacked code and the runtime client.
  workDir = await mkdtemp(path.join(root ? '/var/tmp' : os.tmpdir(), 'lambench-api-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
  server = await startLambdaServer(engine, { port: 0, dataDir: path.join(workDir, 'data') });
  lambda = new LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('Lambda API through @aws-sdk/client-lambda', () => {
  it('invokes and tails the log', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'hello-node', Payload: Buffer.from('{"echo":42}'), LogType: 'Tail' }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(decode(out.Payload).echo).toBe(42);
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toMatch(/START RequestId: [\w-]+ Version: \$LATEST/);
    expect(log).toMatch(/END RequestId: /);
    expect(log).toMatch(/REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/);
  });

  it('maps errors to the SDK exception classes', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'hello-node', Payload: Buffer.alloc(7 * 1024 * 1024, 0x20) })),
    ).rejects.toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: Buffer.from('{}') })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'hello-node', Payload: Buffer.from('{not json') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });

  it('reports function errors with X-Amz-Function-Error', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'hello-node', Payload: Buffer.from('{"sleepMs":-1}') }),
    );
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'RangeError' });
  });

  it('supports Event (202) and DryRun (204)', async () => {
    const event = await lambda.send(
      new InvokeCommand({ FunctionName: 'hello-node', InvocationType: 'Event', Payload: Buffer.from('{}') }),
    );
    expect(event.StatusCode).toBe(202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'hello-node', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
  });

  it('refuses an unsupported runtime at CreateFunction and UpdateFunctionConfiguration', async () => {
    const create = (runtime: string, name: string) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: runtime as 'nodejs20.x',
          Handler: 'index.handler',
          Role: 'arn:aws:iam::123456789012:role/test',
          Code: { ZipFile: handlerZip() },
        }),
      );
    // Outside AWS's Runtime enum: the model's ValidationException; in it but not run by lambench: the service's 400.
    for (const [runtime, name] of [
      ['nodejs99.x', 'ValidationException'],
      ['cobol1', 'ValidationException'],
      ['java21', 'InvalidParameterValueException'],
    ]) {
      await expect(create(runtime ?? '', 'bad-runtime')).rejects.toMatchObject({
        name,
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'bad-runtime' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await create('nodejs20.x', 'runtime-updated');
    await expect(
      lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'runtime-updated', Runtime: 'cobol1' as 'nodejs20.x' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const kept = await lambda.send(new GetFunctionCommand({ FunctionName: 'runtime-updated' }));
    expect(kept.Configuration?.Runtime).toBe('nodejs20.x');
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'runtime-updated' }));
  });

  it('takes EphemeralStorage (512 to 10,240 MB) at CreateFunction and UpdateFunctionConfiguration, and gives the function that /tmp', async () => {
    const tmpZip = zipSync({
      'index.mjs': strToU8(
        "import { statfsSync } from 'node:fs'; export const handler = async () => { const s = statfsSync('/tmp'); return { mb: Math.round((s.blocks * s.bsize) / 2 ** 20) }; };",
      ),
    });
    const create = (name: string, size: number) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: 'arn:aws:iam::123456789012:role/test',
          Code: { ZipFile: tmpZip },
          EphemeralStorage: { Size: size },
        }),
      );
    for (const size of [511, 10_241]) {
      await expect(create('bad-tmp', size)).rejects.toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    const created = await create('tmp-sized', 1024);
    expect(created.EphemeralStorage).toEqual({ Size: 1024 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'tmp-sized', Payload: Buffer.from('{}') }));
    const { mb } = decode(out.Payload);
    // Where this host gives a private /tmp, the function sees its size (less ext4's metadata).
    if (root) {
      expect(mb).toBeGreaterThan(900);
      expect(mb).toBeLessThanOrEqual(1024);
    }
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'tmp-sized', EphemeralStorage: { Size: 2048 } }),
    );
    const updated = await lambda.send(new GetFunctionCommand({ FunctionName: 'tmp-sized' }));
    expect(updated.Configuration?.EphemeralStorage).toEqual({ Size: 2048 });
    await expect(
      lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'tmp-sized', EphemeralStorage: { Size: 100 } }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'tmp-sized' }));
  });

  it('retires old environments after UpdateFunctionConfiguration, UpdateFunctionCode and DeleteFunction', async () => {
    const environments = () => engine.stats().environments;
    const invoke = async () => {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: 'retired', Payload: Buffer.from('{}'), LogType: 'Tail' }),
      );
      return Buffer.from(out.LogResult ?? '', 'base64')
        .toString('utf8')
        .includes('Init Duration');
    };
    const before = environments();
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'retired',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::123456789012:role/test',
        Code: { ZipFile: handlerZip() },
      }),
    );
    expect(await invoke()).toBe(true);
    expect(environments()).toBe(before + 1);
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'retired', Timeout: 5 }));
    expect(environments()).toBe(before);
    expect(await invoke()).toBe(true);
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'retired', ZipFile: handlerZip() }));
    expect(environments()).toBe(before);
    expect(await invoke()).toBe(true);
    expect(environments()).toBe(before + 1);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'retired' }));
    expect(environments()).toBe(before);
  });

  it('creates, updates, publishes, aliases, throttles and deletes a function', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'api-made',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::123456789012:role/test',
        Code: { ZipFile: handlerZip() },
      }),
    );
    expect(created).toMatchObject({ FunctionName: 'api-made', MemorySize: 128, State: 'Active', Version: '$LATEST' });
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toContain(
      'api-made',
    );

    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'api-made', MemorySize: 512 }));
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'api-made', Payload: Buffer.from('{}') }));
    expect(decode(invoked.Payload).memory).toBe('512');

    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'api-made' }));
    expect(v1.Version).toBe('1');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'api-made', Name: 'live', FunctionVersion: '1' }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'api-made', MemorySize: 1024 }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'api-made' }));
    expect(v2.Version).toBe('2');
    const viaAlias = await lambda.send(
      new InvokeCommand({ FunctionName: 'api-made', Qualifier: 'live', Payload: Buffer.from('{}') }),
    );
    expect(viaAlias.ExecutedVersion).toBe('1');
    expect(decode(viaAlias.Payload)).toMatchObject({ memory: '512', version: '1' });
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'api-made', Name: 'live', FunctionVersion: '2' }));
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'api-made', Name: 'live' }))).FunctionVersion).toBe(
      '2',
    );
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'api-made' }))).Aliases).toHaveLength(1);
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'api-made' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);

    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'api-made', ReservedConcurrentExecutions: 0 }));
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'api-made', Payload: Buffer.from('{}') })),
    ).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'api-made' }));
    expect(got.Concurrency?.ReservedConcurrentExecutions).toBe(0);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'api-made' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'api-made' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('lets a deployed ES module import the AWS SDK it does not ship, as AWS Node.js runtimes do', async () => {
    const source =
      'import { S3Client } from "@aws-sdk/client-s3"; export const handler = async () => ({ sdk: typeof S3Client });';
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'uses-sdk',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::123456789012:role/test',
        Code: { ZipFile: zipSync({ 'index.mjs': strToU8(source) }) },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'uses-sdk', Payload: Buffer.from('{}') }));
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ sdk: 'function' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'uses-sdk' }));
  });
});
