// The network model, modelled vs measured: a 32 MB GetObject through an environment's relay at three memory sizes,
// (a) from an SDK client in a process of its own attached as that environment (the network alone), and (b) from the
// s3-download-node function in the engine (its own CPU share comes on top, as on AWS). Three runs each; median and
// range. Side by side in one run, so the machine's load affects every row alike.
//   npm run build && node bench/network-model.mjs
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Engine } from '../dist/engine/engine.js';
import { builtInFunctionsDir } from '../dist/paths.js';
import { startLocalServices } from '../dist/services/index.js';
import { bandwidthBytesPerSecond, LAMBDA_2026, Network, requestLatencyMs } from '../dist/services/network/index.js';

const MB = 1024 * 1024;
const SIZE = 32 * MB;
const SIZES = [256, 1024, 3008];
const RUNS = 3;
const credentials = { accessKeyId: 'AKIALAMBENCH00000000', secretAccessKey: 'bench' };

const work = await mkdtemp(path.join(os.tmpdir(), 'lambench-network-bench-'));
const network = new Network(LAMBDA_2026);
const engine = await Engine.create({ cacheDir: path.join(work, 'cache'), network });
await engine.functions.registerFolder(path.join(builtInFunctionsDir, 's3-download', 'node'));
const services = await startLocalServices(engine, { dataDir: path.join(work, 'data') });
const direct = new S3Client({
  endpoint: services.endpoints.s3,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials,
});
await direct.send(new CreateBucketCommand({ Bucket: 'bench' }));
await direct.send(new PutObjectCommand({ Bucket: 'bench', Key: 'one/object', Body: Buffer.alloc(SIZE, 3) }));
direct.destroy();

// A HeadObject first: the SDK's first request pays its own set-up (and the connection's handshake), not the network.
const CLIENT = `import { S3Client, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
const client = new S3Client({ endpoint: process.env.ENDPOINT, region: 'us-east-1', forcePathStyle: true,
  credentials: ${JSON.stringify(credentials)} });
await client.send(new HeadObjectCommand({ Bucket: 'bench', Key: 'one/object' }));
const started = performance.now();
const object = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'one/object' }));
let bytes = 0;
for await (const chunk of object.Body) bytes += chunk.length;
console.log(JSON.stringify({ bytes, ms: performance.now() - started }));`;

function sdkClient(endpoint) {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--no-warnings', '--input-type=module', '-e', CLIENT],
      { cwd: path.resolve(import.meta.dirname, '..'), env: { ...process.env, ENDPOINT: endpoint } },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout).ms)),
    ),
  );
}

async function viaFunction(memoryMB) {
  const result = await engine.invoke({
    functionName: 's3-download-node',
    memoryMB,
    payload: Buffer.from(JSON.stringify({ bucket: 'bench', prefix: 'one/' })),
  });
  if (result.functionError) throw new Error(result.payload.toString());
  return JSON.parse(result.payload.toString()).elapsedMs;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (ms) => SIZE / MB / (ms / 1000);
const rows = [];
// The same client straight to the embedded S3 (no model): what this machine's loopback path costs by itself.
const unshaped = [];
for (let i = 0; i < RUNS; i++) unshaped.push(await sdkClient(services.endpoints.s3));
for (const memoryMB of SIZES) {
  const rate = bandwidthBytesPerSecond(LAMBDA_2026, memoryMB);
  const transfer = (SIZE * 1000) / rate;
  const modelledGet = requestLatencyMs(LAMBDA_2026, 's3', 'GetObject') + transfer;
  const modelledFn = modelledGet + requestLatencyMs(LAMBDA_2026, 's3', 'ListObjects');
  const attached = await network.attach(memoryMB, { s3: services.endpoints.s3 });
  const sdk = [];
  for (let i = 0; i < RUNS; i++) sdk.push(await sdkClient(attached.endpoints.s3));
  await attached.close();
  await viaFunction(memoryMB); // cold start and warm-up
  const fn = [];
  for (let i = 0; i < RUNS; i++) fn.push(await viaFunction(memoryMB));
  rows.push({ memoryMB, rate: rate / MB, modelledGet, sdk, modelledFn, fn });
}

const range = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
console.log(
  `32 MB GetObject, lambda-2026, ${RUNS} runs each (median, range), load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  `unshaped (--network none), same client: ${Math.round(median(unshaped))} ms (${range(unshaped)}), ${mbps(median(unshaped)).toFixed(0)} MB/s`,
);
console.log(
  '| memory | modelled MB/s | SDK client: modelled ms | measured ms | measured MB/s | error | function: modelled floor ms | measured ms |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const m = median(r.sdk);
  console.log(
    `| ${r.memoryMB} MB | ${r.rate.toFixed(0)} | ${Math.round(r.modelledGet)} | ${Math.round(m)} (${range(r.sdk)}) | ${mbps(m).toFixed(1)} | ${(((m - r.modelledGet) / r.modelledGet) * 100).toFixed(1)} % | ${Math.round(r.modelledFn)} | ${Math.round(median(r.fn))} (${range(r.fn)}) |`,
  );
}
await engine.close();
await services.close();
await rm(work, { recursive: true, force: true });
