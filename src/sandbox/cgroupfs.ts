import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Folder under the engine's own cgroup that holds this engine's sandboxes; the pid identifies stale ones. */
export const enginePrefix = 'lambench-';
export const engineFolder = () => `${enginePrefix}${process.pid}`;

export function write(file: string, value: string | number): void {
  writeFileSync(file, String(value));
}

export function read(file: string): string {
  return readFileSync(file, 'utf8');
}

export function tryRead(file: string): string | null {
  try {
    return read(file);
  } catch {
    return null;
  }
}

export function pidsIn(dir: string): number[] {
  const text = tryRead(path.join(dir, 'cgroup.procs')) ?? '';
  return text.split('\n').filter(Boolean).map(Number);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function killAll(dir: string): void {
  for (const pid of pidsIn(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/**
 * Kills everything inside and removes the folder, waiting (bounded, ~1 s) for the kernel to reap the tasks.
 * Returns false when the folder is still there (tasks that cannot die, e.g. frozen in another hierarchy).
 */
export async function removeCgroup(dir: string, beforeKill?: () => void): Promise<boolean> {
  if (!existsSync(dir)) return true;
  beforeKill?.();
  for (let attempt = 0; attempt < 200; attempt++) {
    killAll(dir);
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') throw error;
    }
    await sleep(5);
  }
  return false;
}

/** Says (once, on stderr) which cgroup folders could not be removed, instead of leaving them silently. */
export function warnLeftBehind(dirs: readonly string[]): void {
  if (dirs.length === 0) return;
  process.emitWarning(`lambench could not remove ${dirs.length} cgroup folder(s): ${dirs.join(', ')}`, {
    code: 'LAMBENCH_CGROUP_LEFT_BEHIND',
  });
}

export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (another sandbox of this engine) or already gone.
  }
}

/** Engine folders under `parent` whose engine process is gone. */
export function staleEngineFolders(parent: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  return entries
    .filter((name) => name.startsWith(enginePrefix))
    .filter((name) => {
      const pid = Number(name.slice(enginePrefix.length));
      return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
    })
    .map((name) => path.join(parent, name));
}

export function childFolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/**
 * The last words of every wrapper: tell the engine on descriptor 3 (when it is open) that the runtime starts now,
 * close it, and exec the runtime. Init Duration counts from this moment, as on AWS where nothing of ours runs before
 * the runtime: entering cgroups, limits and a private /tmp are not the function's init.
 */
export const ANNOUNCE_EXEC = '{ printf . >&3; } 2>/dev/null; exec 3>&-; exec "$@"';

/**
 * The shell prefix that moves itself into each cgroup, lowers its descriptor limit and then execs the runtime, so
 * the runtime's first instruction already runs under the limits. Paths travel as arguments, never inside the
 * script text. `ulimit -n` sets the hard limit too: Node raises its soft limit to the hard one at start.
 */
export function wrapInCgroups(
  procsFiles: readonly string[],
  command: string,
  args: readonly string[],
  maxOpenFiles?: number | null,
  announce = true,
) {
  const script =
    'n=$1; shift; while [ "$1" != "--" ]; do echo $$ > "$1" || exit 126; shift; done; shift; ' +
    `if [ "$n" != - ]; then ulimit -n "$n" || exit 126; fi; ${announce ? ANNOUNCE_EXEC : 'exec "$@"'}`;
  return {
    command: '/bin/sh',
    args: ['-c', script, 'sh', maxOpenFiles ? String(maxOpenFiles) : '-', ...procsFiles, '--', command, ...args],
  };
}

/** The hard RLIMIT_NOFILE of this process (what an unprivileged child may set at most); Infinity for unlimited. */
export function hardOpenFilesLimit(): number {
  const line = (tryRead('/proc/self/limits') ?? '').split('\n').find((l) => l.startsWith('Max open files'));
  const hard = line?.trim().split(/\s+/)[4];
  return hard === undefined ? 0 : hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
}

/** The descriptor limit a sandbox can apply, and a line for `notApplied` when it cannot. */
export function openFilesLimit(wanted: number | undefined): { value: number | null; notApplied?: string } {
  if (!wanted) return { value: null };
  const hard = hardOpenFilesLimit();
  if (hard >= wanted || process.getuid?.() === 0) return { value: wanted };
  return {
    value: null,
    notApplied: `open files: this process's hard limit (${hard}) is below AWS's ${wanted}, so it was left as is`,
  };
}
