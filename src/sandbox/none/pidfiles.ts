import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineFolder, staleEngineFolders } from '../cgroupfs.js';
import type { StaleCleanup } from '../types.js';

/**
 * The second line of defence for isolation none (the first is the lifeline watchdog, Sandbox.lifeline): each
 * runtime's pid and start time in a file under a folder named after its engine, so the next engine's cleanupStale
 * can kill the runtimes of an engine that died without a watchdog to do it (no setsid, or the watchdog was killed
 * too). The start time tells a leftover runtime from an unrelated process that reused its pid.
 */
const root = () => path.join(os.tmpdir(), `lambench-none-${process.getuid?.() ?? 'user'}`);

/** The process's start time (clock ticks after boot, /proc/<pid>/stat field 22), or null when it is gone. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Records a runtime; best effort (a folder it cannot write only loses the second line of defence). */
export function recordRuntime(id: string, pid: number): void {
  const started = startTime(pid);
  if (started === null) return;
  try {
    const dir = path.join(root(), engineFolder());
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, id), `${pid} ${started}\n`);
  } catch {
    // Not writable: the lifeline alone.
  }
}

export function forgetRuntime(id: string): void {
  const dir = path.join(root(), engineFolder());
  try {
    unlinkSync(path.join(dir, id));
    rmdirSync(dir); // the engine's last runtime: no folder left behind
  } catch {
    // Never recorded, gone, or other runtimes of this engine still recorded.
  }
}

function killGroup(pid: number): void {
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // Gone.
      }
    }
  }
}

/** Kills the recorded runtimes of engines that are no longer running (a frozen group is woken to die). */
export function killStaleRuntimes(): StaleCleanup {
  let removed = 0;
  const failed: string[] = [];
  for (const dir of staleEngineFolders(root())) {
    for (const name of readdirSync(dir)) {
      const [pid, started] = readFileSync(path.join(dir, name), 'utf8').trim().split(' ');
      if (pid && started && startTime(Number(pid)) === started) killGroup(Number(pid));
    }
    try {
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      failed.push(dir);
    }
  }
  return { removed, failed };
}
