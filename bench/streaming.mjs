// Time to first byte of a streamed response next to a buffered Invoke's whole answer, side by side in one run.
//   npm run build && node bench/streaming.mjs [--quick]
// Warm, one request at a time, a raw keep-alive node:http client (the SDK's event-stream parsing is not the engine's
// cost). Three kinds in rotating batches of 100, so all see the same state of a shared machine:
//   stream:  InvokeWithResponseStream of a streamifyResponse handler writing one byte (first PayloadChunk received);
//   nowait:  the same with context.callbackWaitsForEmptyEventLoop = false (the next event is not held for the loop);
//   invoke:  Invoke of an async handler returning one byte (whole answer received).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../dist/engine/engine.js';
import { startLambdaServer } from '../dist/engine/http/server.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 6 : 30;
const BATCH = 100;

const work = await mkdtemp(path.join(os.tmpdir(), 'lambench-bench-stream-'));
async function fn(name, code) {
  const dir = path.join(work, name);
  await mkdir(dir);
  await writeFile(path.join(dir, 'index.mjs'), code);
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name, runtime: 'nodejs20.x', handler: 'index.handler' }),
  );
  return dir;
}
const engine = await Engine.create({ cacheDir: path.join(work, 'cache'), isolation: 'none' });
await engine.functions.registerFolder(
  await fn(
    'streamer',
    "export const handler = awslambda.streamifyResponse(async (e, s, c) => { if (e.nowait) c.callbackWaitsForEmptyEventLoop = false; s.write('a'); s.end(); });",
  ),
);
await engine.functions.registerFolder(await fn('buffered', "export const handler = async () => 'a';"));
const server = await startLambdaServer(engine, { port: 0, dataDir: path.join(work, 'data') });
const agent = new http.Agent({ keepAlive: true });

const firstByte = (target, body) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    let first = 0;
    const req = http.request(`${server.endpoint}${target}`, { method: 'POST', agent }, (res) => {
      res.on('data', () => {
        first ||= performance.now() - started;
      });
      res.on('end', () => resolve(first));
    });
    req.on('error', reject);
    req.end(body);
  });

const STREAM = '/2021-11-15/functions/streamer/response-streaming-invocations';
const kinds = {
  stream: [STREAM, '{}'],
  nowait: [STREAM, '{"nowait":true}'],
  invoke: ['/2015-03-31/functions/buffered/invocations', '{}'],
};
const names = Object.keys(kinds);
const times = Object.fromEntries(names.map((k) => [k, []]));
for (const k of names) for (let i = 0; i < 300; i++) await firstByte(...kinds[k]);
for (let round = 0; round < ROUNDS; round++) {
  for (const k of names.map((_, i) => names[(i + round) % names.length])) {
    for (let i = 0; i < BATCH; i++) times[k].push(await firstByte(...kinds[k]));
  }
}
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.floor((p / 100) * values.length)];
const us = (ms) => Math.round(ms * 1000);
const results = Object.fromEntries(
  names.map((k) => [
    k,
    { n: times[k].length, p50Us: us(percentile(times[k], 50)), p90Us: us(percentile(times[k], 90)) },
  ]),
);
console.log(JSON.stringify(results, null, 2));
console.log(
  `stream first byte / invoke answer, p50: ${(results.stream.p50Us / results.invoke.p50Us).toFixed(2)}×; ` +
    `nowait: ${(results.nowait.p50Us / results.invoke.p50Us).toFixed(2)}×`,
);
agent.destroy();
await server.close();
await engine.close();
await rm(work, { recursive: true, force: true });
