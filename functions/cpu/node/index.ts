import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checksum } from './checksum.js';

interface CpuEvent {
  iterations?: number;
  workers?: number;
  mode?: 'threads' | 'processes';
}

const self = fileURLToPath(import.meta.url);

// The same file is the worker: as a thread (worker_threads) or as a child process (fork).
if (!isMainThread) parentPort?.postMessage(checksum(workerData as number));
if (process.env.LAMBENCH_CPU_CHILD) {
  process.send?.(checksum(Number(process.env.LAMBENCH_CPU_CHILD)), () => process.exit(0));
}

function inThread(iterations: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(self, { workerData: iterations });
    worker.once('message', (value: number) => resolve(value));
    worker.once('error', reject);
  });
}

function inProcess(iterations: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(self, [], { env: { ...process.env, LAMBENCH_CPU_CHILD: String(iterations) }, stdio: 'ignore' });
    child.once('message', (value) => resolve(value as number));
    child.once('error', reject);
  });
}

/**
 * Identical work per worker (the FNV-style loop in checksum.ts, the same in every language): one worker runs it
 * on the handler's thread; more run as worker threads or child processes.
 */
export const handler = async (event: CpuEvent) => {
  const iterations = Number(event.iterations ?? 10_000_000);
  const workers = Number(event.workers ?? 1);
  const mode = event.mode ?? 'threads';
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(`iterations must be a non-negative integer, got ${event.iterations}`);
  }
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new RangeError('workers must be 1–64');
  if (mode !== 'threads' && mode !== 'processes') throw new RangeError('mode must be "threads" or "processes"');
  const started = performance.now();
  const checksums =
    workers === 1
      ? [checksum(iterations)]
      : await Promise.all(
          Array.from({ length: workers }, () => (mode === 'threads' ? inThread : inProcess)(iterations)),
        );
  const elapsedMs = Math.round((performance.now() - started) * 100) / 100;
  return { iterations, workers, mode, checksum: checksums[0], checksums, elapsedMs };
};
