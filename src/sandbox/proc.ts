import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Re-reads a small kernel file (cgroupfs, procfs) through a descriptor kept open: pread at offset 0 regenerates
 * the content, and skipping open/fstat/close makes a read several times cheaper on the invocation path.
 */
export class KernelFile {
  #fd: number | undefined;
  readonly #buffer: Buffer;

  constructor(
    readonly path: string,
    size = 4096,
  ) {
    this.#buffer = Buffer.allocUnsafe(size);
  }

  read(): string | null {
    try {
      this.#fd ??= openSync(this.path, 'r');
      const n = readSync(this.#fd, this.#buffer, 0, this.#buffer.length, 0);
      return this.#buffer.toString('latin1', 0, n);
    } catch {
      this.close();
      return null;
    }
  }

  close(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        // Already closed.
      }
    }
    this.#fd = undefined;
  }
}

/** Tracks a process's VmHWM (peak resident set, shared file pages included), in bytes; keeps the last value. */
export class ResidentPeak {
  #file: KernelFile | undefined;
  #peak = 0;

  attach(pid: number): void {
    this.#file?.close();
    this.#file = new KernelFile(`/proc/${pid}/status`, 8192);
  }

  read(): number {
    const text = this.#file?.read();
    if (text) {
      const at = text.indexOf('VmHWM:');
      if (at >= 0) this.#peak = Math.max(this.#peak, Number.parseInt(text.slice(at + 6), 10) * 1024);
    }
    return this.#peak;
  }

  close(): void {
    this.#file?.close();
  }
}
