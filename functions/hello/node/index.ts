import { availableParallelism } from 'node:os';

interface HelloEvent {
  sleepMs?: number;
  allocateMB?: number;
  echo?: unknown;
}

interface LambdaContext {
  awsRequestId: string;
  memoryLimitInMB: string;
}

const MiB = 1024 * 1024;
/** Kept referenced until the response is sent, so the allocation is live while it is measured. */
let retained: Buffer[] = [];

export const handler = async (event: HelloEvent, context: LambdaContext) => {
  const sleepMs = Number(event.sleepMs ?? 0);
  const allocateMB = Number(event.allocateMB ?? 0);
  if (!Number.isFinite(sleepMs) || sleepMs < 0)
    throw new RangeError(`sleepMs must be a number >= 0, got ${event.sleepMs}`);
  if (!Number.isFinite(allocateMB) || allocateMB < 0) {
    throw new RangeError(`allocateMB must be a number >= 0, got ${event.allocateMB}`);
  }
  retained = [];
  for (let i = 0; i < allocateMB; i++) {
    // fill() touches every page so the memory is resident, not just reserved.
    retained.push(Buffer.alloc(MiB).fill(i & 0xff));
  }
  if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
  const result = {
    echo: event.echo ?? null,
    sleptMs: sleepMs,
    allocatedMB: allocateMB,
    memoryLimitInMB: Number(context.memoryLimitInMB),
    // The cores the function sees: AWS gives 2 up to 3008 MB, up to 6 at 10,240 MB.
    cpus: availableParallelism(),
    requestId: context.awsRequestId,
  };
  retained = [];
  return result;
};
