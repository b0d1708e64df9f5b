import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { type LambdaServer, startLambdaServer } from '../../src/engine/http/server.js';
import { builtInFunctionsDir } from '../../src/paths.js';
import { pythonRuntime } from '../../src/runtimes/python/adapter.js';

const python = (await pythonRuntime.detect()).available;
let engine: Engine;
let server: LambdaServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-fanout-'));
  engine = await Engine.create({ cacheDir: path.resolve('.lambench', 'cache') });
  server = await startLambdaServer(engine, { dataDir: path.join(dir, 'data') });
  engine.endpoints = { lambda: server.endpoint };
  for (const f of ['fanout/node', 'hello/node', ...(python ? ['fanout/python', 'hello/python'] : [])]) {
    await engine.functions.registerFolder(path.join(builtInFunctionsDir, f));
  }
  if (python)
    await engine.invoke({ functionName: 'fanout-python', payload: '{"count":1,"sleepMs":0,"target":"hello-python"}' });
}, 600_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

const run = async (functionName: string, payload: object) => {
  const result = await engine.invoke({ functionName, payload: JSON.stringify(payload) });
  const body = JSON.parse(result.payload.toString());
  expect(result.errorType, JSON.stringify(body)).toBeNull();
  return body;
};

describe('fan-out orchestrators invoke through the Lambda API (AWS_ENDPOINT_URL_LAMBDA)', () => {
  it.each(['all-at-once', 'pool', 'threads'])('fanout-node %s: 12 calls of 200 ms', async (strategy) => {
    const body = await run('fanout-node', {
      target: 'hello-node',
      count: 12,
      sleepMs: 200,
      payloadKB: 50,
      strategy,
      poolSize: 4,
    });
    expect(body).toMatchObject({ strategy, count: 12 });
    // A pool of 4 needs 3 rounds of 200 ms; the others one round.
    expect(body.elapsedMs).toBeGreaterThanOrEqual(strategy === 'pool' ? 600 : 200);
  });

  it.skipIf(!python).each(['asyncio', 'threadpool', 'hybrid'])(
    'fanout-python %s: 12 calls of 200 ms',
    async (strategy) => {
      const body = await run('fanout-python', {
        target: 'hello-python',
        count: 12,
        sleepMs: 200,
        strategy,
        poolSize: 4,
      });
      expect(body).toMatchObject({ strategy, count: 12 });
      expect(body.elapsedMs).toBeGreaterThanOrEqual(strategy === 'threadpool' ? 600 : 200);
    },
  );
});
