import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import { normalizeManifest } from '../manifest.js';
import { STATE_FILE } from '../persist.js';
import { FunctionRegistry } from '../registry.js';
import { type LambdaServer, startLambdaServer } from './server.js';

let work: string;
let dataDir: string;

interface Serving {
  engine: Engine;
  server: LambdaServer;
  lambda: LambdaClient;
  close(): Promise<void>;
}

/** `lambench serve` in-process: an engine and the Lambda API over one data dir. */
async function serve(): Promise<Serving> {
  const engine = await Engine.create({ cacheDir: path.join(work, 'cache'), isolation: 'none' });
  const server = await startLambdaServer(engine, { port: 0, dataDir });
  const lambda = new LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    engine,
    server,
    lambda,
    close: async () => {
      lambda.destroy();
      await server.close();
      await engine.close();
    },
  };
}

const handler = zipSync({
  'index.mjs': strToU8(
    'export const handler = async () => ({ memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, colour: process.env.COLOUR });',
  ),
});
const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-persist-'));
  dataDir = path.join(work, 'data');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('functions created through the API survive a restart with the same data dir', () => {
  it('keeps the function, its versions, aliases, reserved concurrency and role', async () => {
    const first = await serve();
    await first.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'kept',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::123456789012:role/kept-role',
        MemorySize: 256,
        Environment: { Variables: { COLOUR: 'blue' } },
        Code: { ZipFile: handler },
      }),
    );
    await first.lambda.send(new PublishVersionCommand({ FunctionName: 'kept', Description: 'first' }));
    await first.lambda.send(new CreateAliasCommand({ FunctionName: 'kept', Name: 'live', FunctionVersion: '1' }));
    await first.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'kept',
        MemorySize: 512,
        Environment: { Variables: { COLOUR: 'red' } },
      }),
    );
    await first.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'kept', ReservedConcurrentExecutions: 5 }),
    );
    const before = await first.lambda.send(new GetFunctionCommand({ FunctionName: 'kept' }));
    await first.close();

    const second = await serve();
    try {
      const after = await second.lambda.send(new GetFunctionCommand({ FunctionName: 'kept' }));
      expect(after.Configuration).toMatchObject({
        MemorySize: 512,
        Role: 'arn:aws:iam::123456789012:role/kept-role',
        RevisionId: before.Configuration?.RevisionId,
        CodeSha256: before.Configuration?.CodeSha256,
        Environment: { Variables: { COLOUR: 'red' } },
      });
      expect(after.Concurrency?.ReservedConcurrentExecutions).toBe(5);
      const viaAlias = await second.lambda.send(
        new InvokeCommand({ FunctionName: 'kept', Qualifier: 'live', Payload: Buffer.from('{}') }),
      );
      expect(viaAlias.FunctionError).toBeUndefined();
      expect(viaAlias.ExecutedVersion).toBe('1');
      expect(decode(viaAlias.Payload)).toEqual({ memory: '256', colour: 'blue' });
      const latest = await second.lambda.send(new InvokeCommand({ FunctionName: 'kept', Payload: Buffer.from('{}') }));
      expect(decode(latest.Payload)).toEqual({ memory: '512', colour: 'red' });
      // Version numbers go on where they stopped.
      expect((await second.lambda.send(new PublishVersionCommand({ FunctionName: 'kept' }))).Version).toBe('2');
      const versions = await second.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'kept' }));
      expect(versions.Versions?.map((v) => [v.Version, v.Description])).toEqual([
        ['$LATEST', ''],
        ['1', 'first'],
        ['2', ''],
      ]);
      await second.lambda.send(new DeleteFunctionCommand({ FunctionName: 'kept' }));
    } finally {
      await second.close();
    }

    const third = await serve();
    try {
      await expect(third.lambda.send(new GetFunctionCommand({ FunctionName: 'kept' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      // A deleted function's code goes with it.
      expect(existsSync(path.join(dataDir, 'functions', 'kept'))).toBe(false);
    } finally {
      await third.close();
    }
  });

  it('warns about a corrupt metadata file, naming it, and loads the others', async () => {
    const first = await serve();
    await first.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'survivor',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::123456789012:role/r',
        Code: { ZipFile: handler },
      }),
    );
    await first.close();
    const corrupt = path.join(dataDir, 'functions', 'broken', 'lambench-state.json');
    await mkdir(path.dirname(corrupt), { recursive: true });
    await writeFile(corrupt, '{"latest": {"name": "broken"');

    // What a killed process leaves: a half-unpacked zip and a deleted function's folder not yet removed.
    const staging = path.join(dataDir, 'functions', 'survivor', '0123456789abcdef.tmp-999999999-ab12');
    const trash = path.join(dataDir, 'functions', '.trash-gone-999999999-cd34');
    await mkdir(staging, { recursive: true });
    await mkdir(trash, { recursive: true });
    const engine = await Engine.create({ cacheDir: path.join(work, 'cache'), isolation: 'none' });
    const warnings: string[] = [];
    try {
      await engine.functions.open(path.join(dataDir, 'functions'), (message) => warnings.push(message));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(corrupt);
      expect(warnings[0]).toMatch(/not loaded/);
      expect(engine.functions.has('survivor')).toBe(true);
      expect(existsSync(staging)).toBe(false);
      expect(existsSync(trash)).toBe(false);
      expect(engine.functions.has('broken')).toBe(false);
      const out = await engine.invoke({ functionName: 'survivor', payload: '{}' });
      expect(out.functionError).toBeNull();
    } finally {
      await engine.close();
    }
    // Nothing half-written is left beside the metadata files.
    expect((await readdir(path.join(dataDir, 'functions', 'survivor'))).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('answers a change it cannot keep, and warns that it will not survive a restart', async () => {
    const functionsDir = path.join(work, 'unwritable');
    const registry = new FunctionRegistry();
    const warnings: string[] = [];
    await registry.open(functionsDir, (message) => warnings.push(message));
    const codeDir = path.join(functionsDir, 'fn', 'code');
    await mkdir(codeDir, { recursive: true });
    registry.create(normalizeManifest({ name: 'fn', runtime: 'nodejs20.x', handler: 'index.handler' }, 't'), {
      codeDir,
      codeSha256: 'x',
      codeSize: 1,
    });
    // A folder where the state file goes: renaming the new state over it fails.
    await rm(path.join(functionsDir, 'fn', STATE_FILE));
    await mkdir(path.join(functionsDir, 'fn', STATE_FILE, 'blocker'), { recursive: true });
    expect(registry.updateConfiguration('fn', { memorySize: 256 }).memorySize).toBe(256);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not keep fn for the next start/);
  });
});
