import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { TMP_ROOT } from '../../src/sandbox/tmp.js';

/**
 * What an in-process serve can leave behind once a request is over, seen from outside the engine (the kernel's
 * view: /proc, the cgroup filesystem, the disk), so a leak the engine does not know about is still seen.
 */
export interface Snapshot {
  /** Targets of this process's open descriptors (`socket:[…]`, `pipe:[…]`, paths), one per descriptor. */
  fds: string[];
  /** Descendant processes of this process: `pid state command line`. */
  processes: string[];
  /** This engine's sandbox cgroups (`<hierarchy>/<sandbox>` on v1, the path below the mount on v2). */
  cgroups: string[];
  /** Private /tmp images of this engine's sandboxes. */
  tmpImages: string[];
  /** Staging folders this process started and did not finish (`.tmp-<pid>-…`, `.trash-…`) under the watched dirs. */
  staging: string[];
  /** S3 uploads in flight or abandoned: files in `<bucket>/tmp/` and `.tmp` parts under the watched dirs' `s3/`. */
  uploads: string[];
}

function fdTargets(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // The descriptor readdir itself used, closed by now.
    }
  }
  return out.sort();
}

/** Every process whose chain of parents leads to this one (zombies included: unreaped is left behind too). */
export function descendants(of = process.pid): string[] {
  const parents = new Map<number, number>();
  const states = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(ppid));
      states.set(Number(entry), state ?? '?');
    } catch {
      // Exited while being read.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = parents.get(pid), hops = 0; p !== undefined && hops < 64; p = parents.get(p), hops++) {
      if (p === of) return true;
    }
    return false;
  };
  const out: string[] = [];
  for (const pid of parents.keys()) {
    if (!ours(pid)) continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {}
    out.push(`${pid} ${states.get(pid)} ${command || '(no command line)'}`);
  }
  return out.sort();
}

const subfolders = (dir: string) => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
};

/**
 * The sandbox cgroups of the engine running as `pid` (this process by default): on v1
 * `/sys/fs/cgroup/<hierarchy>/lambench-<pid>/<sandbox>`, on v2 `…/lambench-<pid>/<sandbox>` below the parent.
 */
export function cgroupsOf(pid = process.pid, options: { withEngineFolder?: boolean } = {}): string[] {
  const root = '/sys/fs/cgroup';
  const folder = `lambench-${pid}`;
  const out: string[] = [];
  const unified = existsSync(path.join(root, 'cgroup.controllers'));
  const visit = (dir: string, depth: number) => {
    for (const name of subfolders(dir)) {
      const full = path.join(dir, name);
      if (name === folder) {
        // An engine that has exited must have removed its own folder too (a live one keeps it while it runs).
        if (options.withEngineFolder) out.push(path.relative(root, full));
        out.push(...subfolders(full).map((s) => path.relative(root, path.join(full, s))));
      } else if (unified && depth < 8 && !name.startsWith('lambench-')) {
        visit(full, depth + 1);
      }
    }
  };
  if (unified) visit(root, 0);
  else for (const hierarchy of subfolders(root)) visit(path.join(root, hierarchy), 7);
  return out.sort();
}

/** Staging names this process makes (src/engine/http/code.ts, persist.ts, runtimes/*): bounded walk, no node_modules. */
function staging(dirs: string[]): string[] {
  const mine = new RegExp(`(\\.tmp-${process.pid}(-|$))|(^\\.trash-)`);
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    for (const name of subfolders(dir)) {
      const full = path.join(dir, name);
      if (mine.test(name)) out.push(full);
      else if (depth < 5 && name !== 'node_modules') visit(full, depth + 1);
    }
  };
  for (const dir of dirs) visit(dir, 0);
  return out.sort();
}

/** S3's store streams each upload into `<bucket>/tmp/<uuid>` (parts into `part-N.<uuid>.tmp`) before a rename. */
function uploads(dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    const s3 = path.join(dir, 's3');
    for (const bucket of subfolders(s3)) {
      try {
        out.push(...readdirSync(path.join(s3, bucket, 'tmp')).map((f) => `${bucket}/tmp/${f}`));
      } catch {}
      try {
        const files = readdirSync(path.join(s3, bucket), { recursive: true, encoding: 'utf8' });
        out.push(...files.filter((f) => f.endsWith('.tmp')).map((f) => `${bucket}/${f}`));
      } catch {}
    }
  }
  return out.sort();
}

export function snapshot(watchedDirs: string[]): Snapshot {
  return {
    fds: fdTargets(),
    processes: descendants(),
    cgroups: cgroupsOf(),
    tmpImages: subfolders(path.join(TMP_ROOT, `lambench-${process.pid}`)).sort(),
    staging: staging(watchedDirs),
    uploads: uploads(watchedDirs),
  };
}

/** What `now` holds beyond `baseline`, by kind (a multiset difference for descriptors: two sockets are two). */
export function extra(baseline: Snapshot, now: Snapshot): Partial<Record<keyof Snapshot, string[]>> {
  const out: Partial<Record<keyof Snapshot, string[]>> = {};
  for (const kind of Object.keys(now) as (keyof Snapshot)[]) {
    const left = [...baseline[kind]];
    const more: string[] = [];
    for (const item of now[kind]) {
      const at = left.indexOf(item);
      if (at >= 0) left.splice(at, 1);
      else more.push(item);
    }
    if (more.length > 0) out[kind] = more;
  }
  return out;
}

/**
 * Waits until nothing is left beyond `baseline`, or fails naming what is. An environment's teardown is
 * asynchronous (SIGKILL, the kernel's reaping, the cgroup's rmdir once its tasks are gone, a socket's close
 * reaching the other end): on a loaded 2-core host that is well under a second; 10 s leaves a wide margin.
 */
export async function settled(baseline: Snapshot, options: { watchedDirs: string[]; timeoutMs?: number }) {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let left = extra(baseline, snapshot(options.watchedDirs));
  while (Object.keys(left).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = extra(baseline, snapshot(options.watchedDirs));
  }
  if (Object.keys(left).length > 0) {
    const sockets = (left.fds ?? []).filter((t) => t.startsWith('socket:')).length;
    const lines = Object.entries(left).map(([kind, items]) => `  ${kind}: ${items.join(' | ')}`);
    throw new Error(`left behind after ${options.timeoutMs ?? 10_000} ms (${sockets} sockets):\n${lines.join('\n')}`);
  }
}
