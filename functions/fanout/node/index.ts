import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

interface FanoutEvent {
  target?: string;
  count?: number;
  payloadKB?: number;
  strategy?: 'all-at-once' | 'pool' | 'threads';
  poolSize?: number;
  threads?: number;
  sleepMs?: number;
}

type Job = { target: string; count: number; payload: string };

/** One shared client, as the original; Node's agent keeps connections alive. */
const client = new LambdaClient({ maxAttempts: 1 });

async function invokeOne(target: string, payload: string): Promise<void> {
  const out = await client.send(new InvokeCommand({ FunctionName: target, Payload: Buffer.from(payload) }));
  if (out.FunctionError) throw new Error(`${target} failed: ${Buffer.from(out.Payload ?? []).toString()}`);
}

const allAtOnce = (job: Job) =>
  Promise.all(Array.from({ length: job.count }, () => invokeOne(job.target, job.payload)));

async function pool(job: Job, size: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, job.count) }, async () => {
      while (next < job.count) {
        next++;
        await invokeOne(job.target, job.payload);
      }
    }),
  );
}

/** The "hybrid" of the original: N threads, each firing its share all at once. */
async function inThreads(job: Job, threads: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const shares = Array.from(
    { length: threads },
    (_, i) => Math.floor(job.count / threads) + (i < job.count % threads ? 1 : 0),
  );
  await Promise.all(
    shares.map(
      (count) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(self, { workerData: { ...job, count } });
          worker.once('message', (m: { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve()));
          worker.once('error', reject);
        }),
    ),
  );
}

if (!isMainThread) {
  allAtOnce(workerData as Job).then(
    () => parentPort?.postMessage({}),
    (error: Error) => parentPort?.postMessage({ error: error.message }),
  );
}

/** Payload as the original: `{ random_data: hex(urandom(kb × 1024)) }` (hex doubles the bytes). */
export const handler = async (event: FanoutEvent) => {
  const count = event.count ?? 390;
  const job: Job = {
    target: event.target ?? 'hello-node',
    count,
    payload: JSON.stringify({
      random_data: randomBytes((event.payloadKB ?? 1) * 1024).toString('hex'),
      sleepMs: event.sleepMs ?? 1000,
    }),
  };
  const strategy = event.strategy ?? 'all-at-once';
  const started = performance.now();
  if (strategy === 'all-at-once') await allAtOnce(job);
  else if (strategy === 'pool') await pool(job, event.poolSize ?? 10);
  else if (strategy === 'threads') await inThreads(job, event.threads ?? 2);
  else throw new RangeError(`strategy must be all-at-once, pool or threads, not ${strategy}`);
  const elapsedMs = performance.now() - started;
  return {
    strategy,
    count,
    payloadBytes: job.payload.length,
    elapsedMs: Math.round(elapsedMs),
    overheadMs: Math.round(elapsedMs - (event.sleepMs ?? 1000)),
  };
};
