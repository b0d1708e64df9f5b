import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { type LambdaServer, startLambdaServer } from '../../src/engine/http/server.js';
import { deflatedZeros, rawZip } from '../../src/engine/test-helpers/zip.js';

/** Hostile and broken zips through the SDK: AWS's 400, nothing left on disk, and the engine still serves. */
let work: string;
let engine: Engine;
let server: LambdaServer;
let lambda: LambdaClient;
let counter = 0;
const base = (zip: Uint8Array) => ({
  FunctionName: `zip-${++counter}`,
  Runtime: 'nodejs20.x' as const,
  Handler: 'index.handler',
  Role: 'arn:aws:iam::123456789012:role/test',
  Code: { ZipFile: zip },
});

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-zips-'));
  engine = await Engine.create({ cacheDir: path.join(work, 'cache'), isolation: 'none' });
  server = await startLambdaServer(engine, { port: 0, dataDir: path.join(work, 'data') });
  lambda = new LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await lambda.send(
    new CreateFunctionCommand(base(zipSync({ 'index.mjs': strToU8('export const handler = () => 1;') }))),
  );
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  await engine?.close();
  await rm(work, { recursive: true, force: true });
});

describe('CreateFunction with a bad zip answers 400 and leaves nothing behind', () => {
  it.each<[string, () => Promise<Uint8Array>, RegExp]>([
    [
      'a 1 MB zip of 1 GiB of zeros',
      async () => rawZip([{ name: 'zeros', ...(await deflatedZeros(1 << 30)), size: 1 << 30 }]),
      /^Unzipped size must be smaller than 262144000 bytes$/,
    ],
    [
      'a zip-slip entry',
      async () => rawZip([{ name: '../../escape.js', data: Buffer.from('x') }]),
      /^Could not unzip uploaded file\. Please check your file, then try to upload again\./,
    ],
    [
      'a bad CRC',
      async () => rawZip([{ name: 'index.mjs', data: Buffer.from('x'), crc: 7 }]),
      /^Could not unzip uploaded file\./,
    ],
    ['bytes that are no zip', async () => Buffer.from('PK but not really'), /^Could not unzip uploaded file\./],
  ])('%s', async (_what, make, message) => {
    const input = base(await make());
    const error = await lambda.send(new CreateFunctionCommand(input)).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(work);
    const functions = await readdir(path.join(work, 'data', 'functions'), { recursive: true });
    expect(functions.filter((f) => f.includes('.tmp-') || f.startsWith(input.FunctionName ?? '?'))).toEqual([]);
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions?.length).toBeGreaterThan(0);
  });
});

describe('refused zips leak no descriptors', () => {
  it('20 uploads failing midway through a streamed entry leave the fd count flat', async () => {
    // Declared 2 MiB (streamed to disk, not inflated in one call), 8 MiB really: refused while writing.
    const liar = rawZip([{ name: 'liar.bin', ...(await deflatedZeros(8 << 20)), size: 2 << 20 }]);
    const fds = async () => (await readdir('/proc/self/fd')).length;
    await lambda.send(new CreateFunctionCommand(base(liar))).catch(() => {});
    const before = await fds();
    for (let i = 0; i < 20; i++) {
      const error = await lambda.send(new CreateFunctionCommand(base(liar))).catch((e: Error) => e);
      expect(error).toMatchObject({ name: 'InvalidParameterValueException' });
    }
    // Keep-alive sockets of the SDK may come and go; 20 leaked write streams would not fit in this slack.
    expect(await fds()).toBeLessThanOrEqual(before + 3);
  });
});
