import { readFileSync } from 'node:fs';

/** VmHWM (peak resident set, shared file pages included) of a live process, in bytes; 0 once it is gone. */
export function vmHighWaterMark(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
