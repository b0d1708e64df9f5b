// Soak: many invocations through `lambench serve` with 1 % faults of every kind, then what was left behind.
//   npm run build && node bench/soak.mjs [--n 100000] [--quick] [--seed N]
// serve runs as its own process (its RSS, descriptors and sockets are read from /proc, not mixed with the client's);
// the client is the AWS SDK. Two phases: sequential, then concurrency 16, each of n invocations. A call asks for a
// fault with probability 1 % (throw, exit, OOM, timeout, unhandled rejection, equally likely, from a seeded PRNG);
// every other call must succeed: a failure there is an "unrelated failure", the defect this benchmark exists for.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { prng } from '../dist/experiments/prng.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const N = arg('n', quick ? 5000 : 100_000);
const SEED = arg('seed', 1);
const CONCURRENCY = 16;
const FAULT_RATE = 0.01;
const FAULTS = ['throw', 'exit', 'oom', 'timeout', 'reject'];
/** What AWS answers for each fault (the unhandled rejection may fail its own invocation or the process after it). */
const EXPECTED = {
  throw: ['Error'],
  exit: ['Runtime.ExitError'],
  oom: ['Runtime.OutOfMemory'],
  timeout: ['Sandbox.Timedout'],
  reject: [null, 'Runtime.UnhandledPromiseRejection', 'Runtime.ExitError'],
};

// An .mjs handler: how it loads does not depend on the package scope of the folder serve unpacks it into.
const HANDLER = `
export const handler = async (event) => {
  switch (event.fault) {
    case 'throw': throw new Error('soak: thrown');
    case 'exit': process.exit(3);
    case 'oom': { const kept = []; for (;;) kept.push(Buffer.alloc(16 << 20).fill(1)); }
    case 'timeout': return new Promise(() => setTimeout(() => {}, 600_000));
    case 'reject': Promise.reject(new Error('soak: unhandled rejection')); return { ok: true };
    default: return { ok: true, i: event.i };
  }
};`;

async function processFigures(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = await readdir(`/proc/${pid}/fd`);
  let sockets = 0;
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target.startsWith('socket:')) sockets++;
  }
  return { rssMB: rssKB / 1024, fds: fds.length, sockets };
}

async function startServe(dataDir) {
  const bin = fileURLToPath(new URL('../bin/lambench.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it listened`)));
  });
  // serve prints invocation logs after its first line; drained so its stdout never blocks.
  lines.on('line', () => {});
  return { child, endpoints: JSON.parse(first) };
}

async function phase(client, random, concurrency, n = N) {
  const counts = { answered: 0, ok: 0, unrelated: 0, faults: 0, unexpected: 0, transport: 0 };
  const unrelatedSamples = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const fault = random() < FAULT_RATE ? FAULTS[Math.floor(random() * FAULTS.length)] : undefined;
        const payload = Buffer.from(JSON.stringify(fault ? { fault, i } : { i }));
        let response;
        try {
          response = await client.send(new InvokeCommand({ FunctionName: 'soak', Payload: payload }));
        } catch (error) {
          counts.transport++;
          if (unrelatedSamples.length < 5) unrelatedSamples.push(`${i}: ${error.name}: ${error.message}`);
          continue;
        }
        counts.answered++;
        const text = Buffer.from(response.Payload ?? []).toString('utf8');
        const errorType = response.FunctionError ? (JSON.parse(text).errorType ?? 'Unhandled') : null;
        if (fault) {
          counts.faults++;
          if (!EXPECTED[fault].includes(errorType)) {
            counts.unexpected++;
            if (unrelatedSamples.length < 5)
              unrelatedSamples.push(`${i} (${fault}): ${errorType} ${text.slice(0, 160)}`);
          }
        } else if (errorType) {
          counts.unrelated++;
          if (unrelatedSamples.length < 5) unrelatedSamples.push(`${i}: ${errorType} ${text.slice(0, 160)}`);
        } else counts.ok++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, invocations: n, ...counts, invokesPerSecond: n / seconds, seconds, unrelatedSamples };
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-soak-'));
const { child, endpoints } = await startServe(path.join(workDir, 'data'));
const client = new LambdaClient({
  endpoint: endpoints.lambda,
  region: 'us-east-1',
  credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
  maxAttempts: 1,
});
await client.send(
  new CreateFunctionCommand({
    FunctionName: 'soak',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: 'arn:aws:iam::123456789012:role/soak',
    MemorySize: 128,
    // 3 s: filling 128 MB at 128/1769 vCPU until the OOM killer acts takes over 1 s on a loaded host.
    Timeout: 3,
    Code: { ZipFile: zipSync({ 'index.mjs': Buffer.from(HANDLER) }) },
  }),
);
const random = prng(SEED);
// Warm-up with the same mix of faults (its own seed): environments started, V8 and the SDK optimised and every
// fault's path run once, before the RSS baseline is read; growth after it is what a long run accumulates.
await phase(client, prng(SEED + 1_000_003), CONCURRENCY, Math.min(5000, N));
const afterWarmUp = await processFigures(child.pid);
const sequential = await phase(client, random, 1);
const afterSequential = await processFigures(child.pid);
const concurrent = await phase(client, random, CONCURRENCY);
// Idle environments are evicted and frozen ones thawed and killed only on close; give in-flight teardown a moment.
await new Promise((resolve) => setTimeout(resolve, 2000));
const atEnd = await processFigures(child.pid);
client.destroy();
child.kill('SIGINT');
const exitCode = await new Promise((resolve) => child.once('exit', (code) => resolve(code)));
await rm(workDir, { recursive: true, force: true });

const results = {
  seed: SEED,
  n: N,
  afterWarmUp,
  afterSequential,
  atEnd,
  rssRatio: atEnd.rssMB / afterWarmUp.rssMB,
  sequential,
  concurrent,
  serveExit: exitCode,
};
console.log(JSON.stringify(results, null, 2));
const f = (x, d = 0) => x.toFixed(d);
console.log(`
| phase | invocations | answered | faults asked | unexpected fault answers | unrelated failures | invokes/s |
| --- | --- | --- | --- | --- | --- | --- |
${[sequential, concurrent]
  .map(
    (p) =>
      `| concurrency ${p.concurrency} | ${p.invocations} | ${p.answered} | ${p.faults} | ${p.unexpected} | ${p.unrelated + p.transport} | ${f(p.invokesPerSecond)} |`,
  )
  .join('\n')}

serve RSS after warm-up ${f(afterWarmUp.rssMB)} MB, at the end ${f(atEnd.rssMB)} MB (${f(results.rssRatio, 2)}×, target ≤ 1.2×); descriptors ${afterWarmUp.fds} → ${atEnd.fds}, sockets ${afterWarmUp.sockets} → ${atEnd.sockets}; serve exited ${exitCode} on Ctrl-C`);
const failed = sequential.unrelated + concurrent.unrelated + sequential.transport + concurrent.transport;
process.exit(failed > 0 || results.rssRatio > 1.2 ? 1 : 0);
