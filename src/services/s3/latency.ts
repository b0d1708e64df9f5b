import { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** An optional network model: a first-byte delay on every request and a bandwidth cap on GetObject bodies. Off by default. */
export interface Latency {
  firstByteMs?: number;
  bandwidthMBps?: number;
}

export async function delayFirstByte(latency: Latency): Promise<void> {
  if (latency.firstByteMs) await sleep(latency.firstByteMs);
}

/** Paces a stream to `mbps` MB/s by sleeping after each chunk for the time its bytes take at that rate. */
export function throttle(mbps: number): Transform {
  const bytesPerMs = (mbps * 1024 * 1024) / 1000;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      this.push(chunk);
      setTimeout(callback, chunk.length / bytesPerMs);
    },
  });
}
