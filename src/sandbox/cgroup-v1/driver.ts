import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  childFolders,
  engineFolder,
  killAll,
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

const CONTROLLERS = ['cpu', 'memory', 'freezer'] as const;
/**
 * Removal order: freezer first. Its tasks are thawed and killed there; until then a frozen task cannot die, and
 * its cpu and memory folders cannot be removed.
 */
const REMOVAL_ORDER = ['freezer', 'memory', 'cpu'] as const;
type Controller = (typeof CONTROLLERS)[number];
/** 20 ms: short invocations are throttled as they run, not only once a 100 ms period is used up. The kernel needs a quota of at least 1 ms, which 128 MB (7.2 % of 20 ms = 1.45 ms) still gets. */
const PERIOD_US = 20_000;

/** Where each v1 controller is mounted and where this process sits in it, from /proc/self/{mountinfo,cgroup}. */
export function v1Locations(): Record<Controller, string> | { missing: string } {
  const mounts = new Map<string, string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fstype, , superOptions = ''] = right.split(' ');
    if (fstype !== 'cgroup') continue;
    const mountPoint = left.split(' ')[4] ?? '';
    for (const option of superOptions.split(',')) mounts.set(option, mountPoint);
  }
  const own = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers = '', cgroupPath = ''] = line.split(':');
    for (const controller of controllers.split(',')) if (controller) own.set(controller, cgroupPath);
  }
  const result: Partial<Record<Controller, string>> = {};
  for (const controller of CONTROLLERS) {
    const mount = mounts.get(controller);
    if (!mount) return { missing: `the cgroup v1 "${controller}" controller is not mounted` };
    result[controller] = path.join(mount, own.get(controller) ?? '/');
  }
  return result as Record<Controller, string>;
}

class CgroupV1Sandbox implements Sandbox {
  readonly kind = 'cgroup-v1' as const;

  constructor(
    readonly id: string,
    readonly dirs: Record<Controller, string>,
  ) {
    this.#peakFile = new KernelFile(path.join(dirs.memory, 'memory.max_usage_in_bytes'), 64);
  }

  wrap(command: string, args: readonly string[]) {
    return wrapInCgroups(
      CONTROLLERS.map((c) => path.join(this.dirs[c], 'cgroup.procs')),
      command,
      args,
    );
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
      path.join(this.dirs.cpu, 'cpu.cfs_quota_us'),
      cpus === null ? -1 : Math.max(1000, Math.round(cpus * PERIOD_US)),
    );
  }

  freeze(): void {
    write(path.join(this.dirs.freezer, 'freezer.state'), 'FROZEN');
  }

  thaw(): void {
    write(path.join(this.dirs.freezer, 'freezer.state'), 'THAWED');
  }

  peakMemoryBytes(): number {
    const cgroupPeak = Number(this.#peakFile.read() ?? 0);
    return Math.max(cgroupPeak, this.#residentPeak());
  }

  oomKilled(): boolean {
    const control = tryRead(path.join(this.dirs.memory, 'memory.oom_control')) ?? '';
    const kills = /oom_kill (\d+)/.exec(control);
    return kills ? Number(kills[1]) > 0 : false;
  }

  async destroy(): Promise<void> {
    const thaw = () => {
      if (existsSync(this.dirs.freezer)) this.thaw();
    };
    this.#peakFile.close();
    this.#resident.close();
    // Frozen tasks cannot die: thaw before killing.
    const left: string[] = [];
    for (const controller of REMOVAL_ORDER) {
      const dir = this.dirs[controller];
      if (!(await removeCgroup(dir, controller === 'freezer' ? thaw : undefined))) left.push(dir);
    }
    warnLeftBehind(left);
    for (const controller of CONTROLLERS) removeIfEmpty(path.dirname(this.dirs[controller]));
  }
}

export function createCgroupV1Driver(locations: Record<Controller, string>): SandboxDriver {
  return {
    kind: 'cgroup-v1',
    async cleanupStale() {
      // A crashed engine may have left tasks frozen: thaw and kill them all first, or they cannot die and every
      // other controller's folder stays busy.
      for (const engineDir of staleEngineFolders(locations.freezer)) {
        for (const dir of childFolders(engineDir)) {
          try {
            write(path.join(dir, 'freezer.state'), 'THAWED');
          } catch {
            // Gone already, or not a freezer cgroup of ours; killing still applies.
          }
          killAll(dir);
        }
      }
      let removed = 0;
      const failed: string[] = [];
      for (const controller of REMOVAL_ORDER) {
        for (const engineDir of staleEngineFolders(locations[controller])) {
          for (const dir of childFolders(engineDir)) {
            if (await removeCgroup(dir)) removed++;
            else failed.push(dir);
          }
          removeIfEmpty(engineDir);
        }
      }
      warnLeftBehind(failed);
      return { removed, failed };
    },
    async create(id: string, limits: SandboxLimits) {
      const dirs = {} as Record<Controller, string>;
      for (const controller of CONTROLLERS) {
        dirs[controller] = path.join(locations[controller], engineFolder(), id);
        mkdirSync(dirs[controller], { recursive: true });
      }
      const sandbox = new CgroupV1Sandbox(id, dirs);
      write(path.join(dirs.cpu, 'cpu.cfs_period_us'), PERIOD_US);
      sandbox.setCpu(limits.cpus);
      const bytes = limits.memoryMB * 1024 * 1024;
      write(path.join(dirs.memory, 'memory.limit_in_bytes'), bytes);
      // Without a memsw limit the kernel would swap instead of killing, where swap exists.
      const memsw = path.join(dirs.memory, 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) write(memsw, bytes);
      return sandbox;
    },
  };
}
