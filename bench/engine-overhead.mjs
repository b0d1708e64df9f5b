// Engine overhead, measured side by side with its floor in one run (see README "Benchmarks").
//   npm run build && node bench/engine-overhead.mjs [--quick]
// Floor: the same @aws-sdk/client-lambda client against a bare node:http server answering a constant.
// Floor and engine are measured in alternating batches (which one goes first alternates too), so both see the
// same state of the machine: on a shared, noisy host, one block after the other measured drift as overhead.
// Both servers run in this process, as before; the engine's own runtime process is the one other process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Engine } from '../dist/engine/engine.js';
import { startLambdaServer } from '../dist/engine/http/server.js';
import { builtInFunctionsDir } from '../dist/paths.js';

const quick = process.argv.includes('--quick');
const WARM_N = quick ? 400 : 2000;
const BATCH = 100;
const THROUGHPUT_MS = quick ? 1500 : 4000;
const THROUGHPUT_WINDOW_MS = 500;
const BIG_N = quick ? 10 : 40;
const COLD_N = quick ? 5 : 15;
const MEMORY = 1769;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const client = (endpoint) =>
  new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function floorServer() {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = req.url.includes('echo') ? Buffer.concat(chunks) : Buffer.from('{"ok":true}');
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const invoke = (side, body) => side.lambda.send(new InvokeCommand({ FunctionName: side.fn, Payload: body }));

/** p50/p90 of floor and engine, in batches of `batch` that alternate between the two (after a warm-up of each). */
async function latency(floorSide, engineSide, payload, n, batch) {
  const body = Buffer.from(payload);
  const sides = [floorSide, engineSide];
  // Warm-up: a few hundred calls before the SDK's and the servers' code is optimised by V8.
  for (const side of sides) for (let i = 0; i < Math.min(300, n); i++) await invoke(side, body);
  const times = [[], []];
  for (let done = 0, round = 0; done < n; done += batch, round++) {
    for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
      for (let i = 0; i < Math.min(batch, n - done); i++) {
        const t = performance.now();
        await invoke(sides[k], body);
        times[k].push((performance.now() - t) * 1000);
      }
    }
  }
  return times.map((t) => ({ p50: percentile(t, 50), p90: percentile(t, 90) }));
}

/** Invocations per second at `concurrency`, in windows that alternate between floor and engine. */
async function throughput(floorSide, engineSide, concurrency) {
  const body = Buffer.from('{}');
  const run = async (side, ms) => {
    let count = 0;
    const deadline = performance.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          await invoke(side, body);
          count++;
        }
      }),
    );
    return count;
  };
  // Warm-up: the floor opens its sockets and the engine starts its environments (cold starts are measured below).
  for (const side of [floorSide, engineSide]) await run(side, THROUGHPUT_WINDOW_MS);
  const counts = [0, 0];
  for (let window = 0; window < (2 * THROUGHPUT_MS) / THROUGHPUT_WINDOW_MS; window++) {
    counts[window % 2] += await run(window % 2 === 0 ? floorSide : engineSide, THROUGHPUT_WINDOW_MS);
  }
  return counts.map((count) => count / (THROUGHPUT_MS / 1000));
}

function bareNodeStart(taskRoot) {
  const script = `import(${JSON.stringify(path.join(taskRoot, 'index.mjs'))}).then(m => m.handler({}, {})).then(() => process.exit(0))`;
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`exit ${code}`))));
  });
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-bench-'));
const engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
engine.functions.updateConfiguration('hello-node', { memorySize: MEMORY });
const server = await startLambdaServer(engine, { port: 0, dataDir: path.join(workDir, 'data') });
const floor = await floorServer();
const floorUrl = `http://127.0.0.1:${floor.address().port}`;
const engineClient = client(server.endpoint);
const floorClient = client(floorUrl);

const floorSide = { lambda: floorClient, fn: 'constant' };
const engineSide = { lambda: engineClient, fn: 'hello-node' };
const results = { isolation: engine.isolation, memoryMB: MEMORY, cpus: os.availableParallelism() };
[results.warmFloorUs, results.warmEngineUs] = await latency(floorSide, engineSide, '{}', WARM_N, BATCH);
results.warmOverheadUs = results.warmEngineUs.p50 - results.warmFloorUs.p50;
[results.throughputFloor, results.throughputEngine] = await throughput(floorSide, engineSide, 16);
results.throughputRatio = results.throughputEngine / results.throughputFloor;
const big = JSON.stringify({ echo: 'x'.repeat(1024 * 1024) });
const echoSides = [{ lambda: floorClient, fn: 'echo' }, engineSide];
const [echoFloor, echoEngine] = await latency(...echoSides, big, BIG_N, 5);
results.echo1MiBFloorMs = echoFloor.p50 / 1000;
results.echo1MiBEngineMs = echoEngine.p50 / 1000;

const taskRoot = await (await import('../dist/runtimes/nodejs/adapter.js')).nodejsRuntime.prepare(
  engine.functions.resolve('hello-node'),
  path.join(workDir, 'cache'),
);
const colds = [];
const bare = [];
for (let i = 0; i < COLD_N; i++) {
  const t = performance.now();
  const r = await engine.invoke({ functionName: 'hello-node', payload: '{}', forceCold: true });
  if (!r.cold) throw new Error('expected a cold start');
  colds.push(performance.now() - t);
  bare.push(await bareNodeStart(taskRoot));
}
results.coldEngineMs = percentile(colds, 50);
results.bareNodeStartMs = percentile(bare, 50);
results.coldRatio = results.coldEngineMs / results.bareNodeStartMs;

await server.close();
floor.close();
await engine.close();
await rm(workDir, { recursive: true, force: true });

const f = (n, d = 0) => n.toFixed(d);
console.log(JSON.stringify(results, null, 2));
console.log(`
| measure | floor | engine | result (target) |
| --- | --- | --- | --- |
| warm invoke p50 (µs) | ${f(results.warmFloorUs.p50)} | ${f(results.warmEngineUs.p50)} | +${f(results.warmOverheadUs)} µs (≤ +250) |
| invokes/s at concurrency 16 | ${f(results.throughputFloor)} | ${f(results.throughputEngine)} | ${f(results.throughputRatio * 100)} % (≥ 60 %) |
| 1 MiB echo p50 (ms) | ${f(results.echo1MiBFloorMs, 2)} | ${f(results.echo1MiBEngineMs, 2)} | ${f(results.echo1MiBEngineMs / results.echo1MiBFloorMs, 2)}× |
| cold invoke vs bare node start (ms) | ${f(results.bareNodeStartMs, 1)} | ${f(results.coldEngineMs, 1)} | ${f(results.coldRatio, 2)}× (≤ 1.2×) |
isolation: ${results.isolation}, memory ${MEMORY} MB, ${results.cpus} CPUs`);
