import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { type LambdaServer, startLambdaServer } from '../../src/engine/http/server.js';

/**
 * CreateFunction and the other control-plane operations take what AWS takes and refuse what it refuses, with its
 * error type and message (Lambda API reference: each parameter's pattern, length and range).
 */
let work: string;
let engine: Engine;
let server: LambdaServer;
let lambda: LambdaClient;

const ROLE = 'arn:aws:iam::123456789012:role/test';
const zip = zipSync({ 'index.mjs': strToU8('export const handler = async () => "ok";') });
let counter = 0;
const fresh = () => `fn-${++counter}`;
const base = (overrides: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput => ({
  FunctionName: fresh(),
  Runtime: 'nodejs20.x',
  Handler: 'index.handler',
  Role: ROLE,
  Code: { ZipFile: zip },
  ...overrides,
});

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-cp-'));
  engine = await Engine.create({ cacheDir: path.join(work, 'cache'), isolation: 'none' });
  server = await startLambdaServer(engine, { port: 0, dataDir: path.join(work, 'data') });
  lambda = new LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await lambda.send(new CreateFunctionCommand(base({ FunctionName: 'target' })));
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  await engine?.close();
  await rm(work, { recursive: true, force: true });
});

const long = (n: number, c = 'a') => c.repeat(n);
const validation = (at: string, constraint: string) =>
  new RegExp(
    `^1 validation error detected: Value .* at '${at.replace('.', '\\.')}' failed to satisfy constraint: ${constraint}`,
  );
const envError =
  /^Lambda was unable to configure your environment variables because the environment variables you have provided/;

describe('CreateFunction accepts what AWS accepts', () => {
  it.each<[string, Partial<CreateFunctionCommandInput>]>([
    ['a handler without a dot ("core"; the runtime refuses it at invoke)', { Handler: 'core' }],
    ['a 128-character handler', { Handler: long(128) }],
    ['a handler with folders and nested exports', { Handler: 'src/app/main.handlers.get' }],
    ['a full ARN as FunctionName', { FunctionName: `arn:aws:lambda:us-east-1:123456789012:function:${fresh()}` }],
    ['a partial ARN as FunctionName', { FunctionName: `123456789012:function:${fresh()}` }],
    ['a 64-character name', { FunctionName: long(64, 'n') }],
    ['a 256-character description', { Description: long(256) }],
    [
      'MemorySize 10240, Timeout 900, EphemeralStorage 10240',
      { MemorySize: 10_240, Timeout: 900, EphemeralStorage: { Size: 10_240 } },
    ],
    ['MemorySize 128, Timeout 1', { MemorySize: 128, Timeout: 1 }],
    ['arm64', { Architectures: ['arm64'] }],
    [
      'TZ and other unreserved variables',
      { Environment: { Variables: { TZ: 'Europe/Paris', NODE_OPTIONS: '--enable-source-maps', AB: '' } } },
    ],
    ['variables of exactly 4 KB', { Environment: { Variables: { BIG: long(4096 - '{"BIG":""}'.length) } } }],
    ['Publish and Tags', { Publish: true, Tags: { team: 'perf' } }],
    ['a role path', { Role: 'arn:aws:iam::123456789012:role/service-role/my-role' }],
  ])('%s', async (_what, overrides) => {
    const created = await lambda.send(new CreateFunctionCommand(base(overrides)));
    expect(created.State).toBe('Active');
    if (overrides.Handler) expect(created.Handler).toBe(overrides.Handler);
  });

  it('a function with Handler "core" fails at invoke, as on AWS, with Runtime.MalformedHandlerName', async () => {
    await lambda.send(new CreateFunctionCommand(base({ FunctionName: 'core-handler', Handler: 'core' })));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'core-handler', Payload: Buffer.from('{}') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString()).errorType).toBe('Runtime.MalformedHandlerName');
  });

  it('UpdateFunctionConfiguration takes a handler without a dot too', async () => {
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Handler: 'core' }),
    );
    expect(updated.Handler).toBe('core');
  });
});

describe('CreateFunction refuses what AWS refuses, with its error', () => {
  it.each<[string, Partial<CreateFunctionCommandInput>, string, RegExp]>([
    [
      'a handler with a space',
      { Handler: 'index handler' },
      'ValidationException',
      validation('handler', 'Member must satisfy regular expression pattern: \\[\\^\\\\s\\]\\+'),
    ],
    [
      'a 129-character handler',
      { Handler: long(129) },
      'ValidationException',
      validation('handler', 'Member must have length less than or equal to 128'),
    ],
    [
      'a name with a space',
      { FunctionName: 'bad name' },
      'ValidationException',
      validation('functionName', 'Member must satisfy regular expression pattern'),
    ],
    [
      'a 141-character name',
      { FunctionName: long(141) },
      'ValidationException',
      validation('functionName', 'Member must have length less than or equal to 140'),
    ],
    [
      'a 65-character name',
      { FunctionName: long(65) },
      'InvalidParameterValueException',
      /Function name .* is not valid/,
    ],
    [
      'no role',
      { Role: undefined },
      'ValidationException',
      /^1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null$/,
    ],
    [
      'a role that is not an IAM role ARN',
      { Role: 'admin' },
      'ValidationException',
      validation('role', 'Member must satisfy regular expression pattern'),
    ],
    [
      'a runtime outside AWS list',
      { Runtime: 'cobol1' as never },
      'ValidationException',
      validation('runtime', 'Member must satisfy enum value set'),
    ],
    [
      'a retired runtime',
      { Runtime: 'nodejs12.x' },
      'InvalidParameterValueException',
      /^The runtime parameter of nodejs12\.x is no longer supported for creating or updating AWS Lambda functions\. We recommend you use the new runtime \(nodejs24\.x\)/,
    ],
    [
      'no handler',
      { Handler: undefined },
      'InvalidParameterValueException',
      /^Runtime and Handler are mandatory parameters for functions created with deployment packages\.$/,
    ],
    [
      'MemorySize 127',
      { MemorySize: 127 },
      'ValidationException',
      validation('memorySize', 'Member must have value greater than or equal to 128'),
    ],
    [
      'MemorySize 10241',
      { MemorySize: 10_241 },
      'ValidationException',
      validation('memorySize', 'Member must have value less than or equal to 10240'),
    ],
    [
      'Timeout 0',
      { Timeout: 0 },
      'ValidationException',
      validation('timeout', 'Member must have value greater than or equal to 1'),
    ],
    [
      'Timeout 901',
      { Timeout: 901 },
      'ValidationException',
      validation('timeout', 'Member must have value less than or equal to 900'),
    ],
    [
      'a 257-character description',
      { Description: long(257) },
      'ValidationException',
      validation('description', 'Member must have length less than or equal to 256'),
    ],
    [
      'EphemeralStorage 511',
      { EphemeralStorage: { Size: 511 } },
      'ValidationException',
      validation('ephemeralStorage.size', 'Member must have value greater than or equal to 512'),
    ],
    [
      'EphemeralStorage 10241',
      { EphemeralStorage: { Size: 10_241 } },
      'ValidationException',
      validation('ephemeralStorage.size', 'Member must have value less than or equal to 10240'),
    ],
    [
      'an unknown architecture',
      { Architectures: ['sparc' as never] },
      'ValidationException',
      validation('architectures', 'Member must satisfy constraint'),
    ],
    [
      'two architectures',
      { Architectures: ['x86_64', 'arm64'] },
      'ValidationException',
      validation('architectures', 'Member must have length less than or equal to 1'),
    ],
    [
      'a one-letter variable name',
      { Environment: { Variables: { A: '1' } } },
      'ValidationException',
      /^1 validation error detected: Value at 'environment\.variables' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern: \[a-zA-Z\]\(\[a-zA-Z0-9_\]\)\+\]$/,
    ],
    [
      'a variable name starting with a digit',
      { Environment: { Variables: { '1X': '1' } } },
      'ValidationException',
      /Map keys must satisfy constraint/,
    ],
    [
      'reserved variables',
      { Environment: { Variables: { AWS_REGION: 'eu-west-1', LAMBDA_TASK_ROOT: '/x', OK_ONE: '1' } } },
      'InvalidParameterValueException',
      /contains reserved keys that are currently not supported for modification\. Reserved keys used in this request: AWS_REGION, LAMBDA_TASK_ROOT$/,
    ],
    [
      'variables over 4 KB',
      { Environment: { Variables: { BIG: long(4097 - '{"BIG":""}'.length) } } },
      'InvalidParameterValueException',
      /exceeded the 4KB limit\. String measured: \{"BIG":"a+"\}$/,
    ],
    [
      'a NUL byte in a variable',
      { Environment: { Variables: { NUL_HERE: 'a\0b' } } },
      'InvalidParameterValueException',
      envError,
    ],
    [
      'two bad values at once',
      { MemorySize: 1, Timeout: 0 },
      'ValidationException',
      /^2 validation errors detected: Value '0' at 'timeout' .*; Value '1' at 'memorySize' /,
    ],
  ])('%s', async (_what, overrides, type, message) => {
    const input = base(overrides);
    for (const key of Object.keys(overrides) as (keyof CreateFunctionCommandInput)[]) {
      if (overrides[key] === undefined) delete input[key];
    }
    const error = await lambda.send(new CreateFunctionCommand(input)).catch((e: Error) => e);
    expect(error).toMatchObject({ name: type, $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(message);
    const name = (input.FunctionName ?? '').split(':').at(-1) ?? '';
    if (/^[\w-]{1,64}$/.test(name)) {
      await expect(lambda.send(new GetFunctionCommand({ FunctionName: name }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    }
  });
});

describe('the other operations check their parameters as AWS does', () => {
  const refusal = (type: string, message: RegExp) => (e: Error) => {
    expect(e).toMatchObject({ name: type });
    expect(e.message).toMatch(message);
    return 'refused';
  };
  const fails = async (promise: Promise<unknown>, type: string, message: RegExp) =>
    expect(await promise.then(() => 'accepted', refusal(type, message))).toBe('refused');

  it('UpdateFunctionConfiguration', async () => {
    const update = (input: object) =>
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', ...input }));
    await fails(
      update({ MemorySize: 100 }),
      'ValidationException',
      validation('memorySize', 'Member must have value greater than or equal to 128'),
    );
    await fails(
      update({ Handler: 'a b' }),
      'ValidationException',
      validation('handler', 'Member must satisfy regular expression pattern'),
    );
    await fails(
      update({ Environment: { Variables: { _HANDLER: 'x' } } }),
      'ValidationException',
      /Map keys must satisfy/,
    );
    await fails(
      update({ Environment: { Variables: { AWS_LAMBDA_RUNTIME_API: 'x' } } }),
      'InvalidParameterValueException',
      /Reserved keys used in this request: AWS_LAMBDA_RUNTIME_API$/,
    );
    await fails(
      update({ Runtime: 'python3.7' }),
      'InvalidParameterValueException',
      /python3\.7 is no longer supported/,
    );
    await fails(update({ RevisionId: 'stale' }), 'PreconditionFailedException', /RevisionId provided does not match/);
    const kept = await lambda.send(new GetFunctionCommand({ FunctionName: 'target' }));
    expect(kept.Configuration).toMatchObject({ MemorySize: 128, Runtime: 'nodejs20.x' });
    expect(kept.Configuration?.Environment?.Variables ?? {}).toEqual({});
  });

  it('UpdateFunctionCode refuses a stale RevisionId', async () => {
    await fails(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'target', ZipFile: zip, RevisionId: 'stale' })),
      'PreconditionFailedException',
      /RevisionId provided does not match/,
    );
  });

  it('PublishVersion', async () => {
    await fails(
      lambda.send(new PublishVersionCommand({ FunctionName: 'target', Description: long(257) })),
      'ValidationException',
      validation('description', 'Member must have length less than or equal to 256'),
    );
    await fails(
      lambda.send(new PublishVersionCommand({ FunctionName: 'target', CodeSha256: 'other' })),
      'InvalidParameterValueException',
      /^CodeSHA256 \(other\) is different from current CodeSHA256 in \$LATEST/,
    );
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'target' }))).Version).toBe('1');
  });

  it('CreateAlias', async () => {
    const alias = (Name: string, FunctionVersion: string) =>
      lambda.send(new CreateAliasCommand({ FunctionName: 'target', Name, FunctionVersion }));
    await fails(
      alias('123', '1'),
      'ValidationException',
      validation('name', 'Member must satisfy regular expression pattern'),
    );
    await fails(
      alias('live', 'one'),
      'ValidationException',
      validation('functionVersion', 'Member must satisfy regular expression pattern'),
    );
    await fails(
      alias(long(129), '1'),
      'ValidationException',
      validation('name', 'Member must have length less than or equal to 128'),
    );
    expect((await alias('v1-live', '1')).Name).toBe('v1-live');
  });

  it('PutFunctionConcurrency', async () => {
    const put = (n: number) =>
      lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'target', ReservedConcurrentExecutions: n }));
    await fails(
      put(-1),
      'ValidationException',
      validation('reservedConcurrentExecutions', 'Member must have value greater than or equal to 0'),
    );
    await fails(
      put(901),
      'InvalidParameterValueException',
      /^Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of \[100\]\.$/,
    );
    expect((await put(900)).ReservedConcurrentExecutions).toBe(900);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'target' }));
  });
});
