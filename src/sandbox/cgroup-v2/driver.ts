import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  childFolders,
  engineFolder,
  read,
  removeCgroup,
  removeIfEmpty,
  staleEngineFolders,
  tryRead,
  warnLeftBehind,
  wrapInCgroups,
  write,
} from '../cgroupfs.js';
import { KernelFile, ResidentPeak } from '../proc.js';
import type { Sandbox, SandboxDriver, SandboxLimits } from '../types.js';

/** 20 ms: short invocations are throttled as they run, not only once a 100 ms period is used up. The kernel needs a quota of at least 1 ms, which 128 MB (7.2 % of 20 ms = 1.45 ms) still gets. */
const PERIOD_US = 20_000;

/** This process's cgroup on the unified hierarchy, if one is mounted with the cpu and memory controllers. */
export function v2Location(): { dir: string } | { missing: string } {
  let mount: string | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.startsWith('cgroup2 ')) mount = left?.split(' ')[4];
  }
  if (!mount) return { missing: 'no cgroup2 filesystem is mounted' };
  const own = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('0::'));
  const dir = path.join(mount, own?.slice(3) ?? '/');
  const controllers = (tryRead(path.join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
  const needed = ['cpu', 'memory'].filter((c) => !controllers.includes(c));
  if (needed.length) {
    return {
      missing: `the cgroup2 hierarchy at ${dir} lacks the ${needed.join(' and ')} controller(s) (bound to cgroup v1?)`,
    };
  }
  return { dir };
}

class CgroupV2Sandbox implements Sandbox {
  readonly kind = 'cgroup-v2' as const;
  #peakFallback = 0;

  constructor(
    readonly id: string,
    readonly dir: string,
  ) {
    this.#peakFile = new KernelFile(path.join(dir, 'memory.peak'), 64);
  }

  wrap(command: string, args: readonly string[]) {
    return wrapInCgroups([path.join(this.dir, 'cgroup.procs')], command, args);
  }

  readonly #resident = new ResidentPeak();
  readonly #peakFile: KernelFile;

  attach(pid: number): void {
    this.#resident.attach(pid);
  }

  /**
   * The runtime's own VmHWM counts the pages of its binary that the host's page cache already holds (charged
   * to the host's cgroup, not ours); on Lambda each environment loads them itself, so they belong in the figure.
   */
  #residentPeak(): number {
    return this.#resident.read();
  }

  setCpu(cpus: number | null): void {
    write(
      path.join(this.dir, 'cpu.max'),
      cpus === null ? `max ${PERIOD_US}` : `${Math.max(1000, Math.round(cpus * PERIOD_US))} ${PERIOD_US}`,
    );
  }

  freeze(): void {
    write(path.join(this.dir, 'cgroup.freeze'), '1');
  }

  thaw(): void {
    write(path.join(this.dir, 'cgroup.freeze'), '0');
  }

  peakMemoryBytes(): number {
    const peak = this.#peakFile.read();
    if (peak !== null) return Math.max(Number(peak), this.#residentPeak());
    // Kernels before 5.19 have no memory.peak: sample current usage, a lower bound, whenever asked.
    this.#peakFallback = Math.max(this.#peakFallback, Number(read(path.join(this.dir, 'memory.current'))));
    return Math.max(this.#peakFallback, this.#residentPeak());
  }

  oomKilled(): boolean {
    const events = tryRead(path.join(this.dir, 'memory.events')) ?? '';
    const kills = /oom_kill (\d+)/.exec(events);
    return kills ? Number(kills[1]) > 0 : false;
  }

  async destroy(): Promise<void> {
    this.#peakFile.close();
    this.#resident.close();
    const removed = await removeCgroup(this.dir, () => {
      if (existsSync(this.dir)) this.thaw();
    });
    if (!removed) warnLeftBehind([this.dir]);
    removeIfEmpty(path.dirname(this.dir));
  }
}

export function createCgroupV2Driver(parent: string): SandboxDriver {
  return {
    kind: 'cgroup-v2',
    async cleanupStale() {
      let removed = 0;
      const failed: string[] = [];
      for (const engineDir of staleEngineFolders(parent)) {
        for (const dir of childFolders(engineDir)) {
          if (await removeCgroup(dir, () => write(path.join(dir, 'cgroup.freeze'), '0'))) removed++;
          else failed.push(dir);
        }
        removeIfEmpty(engineDir);
      }
      warnLeftBehind(failed);
      return { removed, failed };
    },
    async create(id: string, limits: SandboxLimits) {
      const engineDir = path.join(parent, engineFolder());
      const ownControllers = tryRead(path.join(parent, 'cgroup.subtree_control')) ?? '';
      if (!/\bcpu\b/.test(ownControllers) || !/\bmemory\b/.test(ownControllers)) {
        write(path.join(parent, 'cgroup.subtree_control'), '+cpu +memory');
      }
      mkdirSync(engineDir, { recursive: true });
      // Controllers must be enabled for children at each level (no-internal-process rule aside, the engine
      // folder holds no processes of its own).
      write(path.join(engineDir, 'cgroup.subtree_control'), '+cpu +memory');
      const dir = path.join(engineDir, id);
      mkdirSync(dir);
      const sandbox = new CgroupV2Sandbox(id, dir);
      sandbox.setCpu(limits.cpus);
      write(path.join(dir, 'memory.max'), limits.memoryMB * 1024 * 1024);
      const swap = path.join(dir, 'memory.swap.max');
      if (existsSync(swap)) write(swap, 0);
      return sandbox;
    },
  };
}
