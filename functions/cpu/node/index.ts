import { checksum } from './checksum.js';

interface CpuEvent {
  iterations?: number;
}

export const handler = async (event: CpuEvent) => {
  const iterations = Number(event.iterations ?? 10_000_000);
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(`iterations must be a non-negative integer, got ${event.iterations}`);
  }
  const started = performance.now();
  const value = checksum(iterations);
  return { iterations, checksum: value, elapsedMs: Math.round((performance.now() - started) * 100) / 100 };
};
