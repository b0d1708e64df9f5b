import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  childFolders,
  engineFolder,
  killAll,
  openFilesLimit,
  read,
  removeCgroup,
  removeIfEmpty,
  staleEngineFolders,
  tryRead,
  warnLeftBehind,
  wrapInCgroups,
  write,
} from '../cgroupfs.js';
import { CpuRotation, formatCpuList, ownCpus, parseCpuList } from '../cpus.js';
import { KernelFile, ResidentPeak } from '../proc.js';
import type { AppliedLimits, Sandbox, SandboxDriver, SandboxLimits } from '../types.js';

const REQUIRED = ['cpu', 'memory', 'freezer'] as const;
/** Used where mounted: pids for AWS's process limit, cpuset for the cores a function sees. */
const OPTIONAL = ['pids', 'cpuset'] as const;
/**
 * Removal order: freezer first. Its tasks are thawed and killed there; until then a frozen task cannot die, and
 * its other folders cannot be removed.
 */
const REMOVAL_ORDER = ['freezer', 'memory', 'cpu', 'pids', 'cpuset'] as const;
type Controller = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
export type V1Locations = Record<(typeof REQUIRED)[number], string> & Partial<Record<Controller, string>>;
/** 20 ms: short invocations are throttled as they run, not only once a 100 ms period is used up. The kernel needs a quota of at least 1 ms, which 128 MB (7.2 % of 20 ms = 1.45 ms) still gets. */
const PERIOD_US = 20_000;

/** Where each v1 controller is mounted and where this process sits in it, from /proc/self/{mountinfo,cgroup}. */
export function v1Locations(): V1Locations | { missing: string } {
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
  for (const controller of REQUIRED) {
    const mount = mounts.get(controller);
    if (!mount) return { missing: `the cgroup v1 "${controller}" controller is not mounted` };
    result[controller] = path.join(mount, own.get(controller) ?? '/');
  }
  for (const controller of OPTIONAL) {
    const mount = mounts.get(controller);
    if (mount && writableDir(path.join(mount, own.get(controller) ?? '/')))
      result[controller] = path.join(mount, own.get(controller) ?? '/');
  }
  return result as V1Locations;
}

function writableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

class CgroupV1Sandbox implements Sandbox {
  readonly kind = 'cgroup-v1' as const;

  constructor(
    readonly id: string,
    readonly dirs: Partial<Record<Controller, string>> & Record<(typeof REQUIRED)[number], string>,
    readonly applied: AppliedLimits,
  ) {
    this.#peakFile = new KernelFile(path.join(dirs.memory, 'memory.max_usage_in_bytes'), 64);
  }

  wrap(command: string, args: readonly string[], announce = true) {
    return wrapInCgroups(
      Object.values(this.dirs).map((dir) => path.join(dir, 'cgroup.procs')),
      command,
      args,
      this.applied.maxOpenFiles,
      announce,
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
      if (dir && !(await removeCgroup(dir, controller === 'freezer' ? thaw : undefined))) left.push(dir);
    }
    warnLeftBehind(left);
    for (const dir of Object.values(this.dirs)) removeIfEmpty(path.dirname(dir));
  }
}

export function createCgroupV1Driver(locations: V1Locations): SandboxDriver {
  const rotation = new CpuRotation();
  const controllers = [...REQUIRED, ...OPTIONAL].filter((c) => locations[c]);
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
        const location = locations[controller];
        if (!location) continue;
        for (const engineDir of staleEngineFolders(location)) {
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
      const dirs = {} as CgroupV1Sandbox['dirs'];
      // Every cgroup the runtime joins costs its start an RCU grace period (milliseconds): the cpuset one is joined
      // only when it narrows the cores.
      const hostCores = locations.cpuset ? parseCpuList(read(path.join(locations.cpuset, 'cpuset.cpus'))) : [];
      const cpuList =
        limits.visibleCpus && limits.visibleCpus < hostCores.length
          ? rotation.pick(hostCores, limits.visibleCpus)
          : null;
      for (const controller of controllers) {
        if (controller === 'cpuset' && !cpuList) continue;
        const engineDir = path.join(locations[controller] as string, engineFolder());
        if (controller === 'cpuset') prepareCpuset(engineDir);
        dirs[controller] = path.join(engineDir, id);
        mkdirSync(dirs[controller], { recursive: true });
      }
      const notApplied: string[] = [];
      let maxProcesses: number | null = null;
      try {
        write(path.join(dirs.cpu, 'cpu.cfs_period_us'), PERIOD_US);
        const bytes = limits.memoryMB * 1024 * 1024;
        write(path.join(dirs.memory, 'memory.limit_in_bytes'), bytes);
        // Without a memsw limit the kernel would swap instead of killing, where swap exists.
        const memsw = path.join(dirs.memory, 'memory.memsw.limit_in_bytes');
        if (existsSync(memsw)) write(memsw, bytes);
        if (limits.maxProcesses) {
          if (dirs.pids) {
            write(path.join(dirs.pids, 'pids.max'), limits.maxProcesses);
            maxProcesses = limits.maxProcesses;
          } else notApplied.push('processes: the cgroup v1 pids controller is not mounted writable');
        }
        if (dirs.cpuset && cpuList) {
          // A v1 cpuset admits no task until it has cores and memory nodes of its own.
          write(path.join(dirs.cpuset, 'cpuset.cpus'), formatCpuList(cpuList));
          write(
            path.join(dirs.cpuset, 'cpuset.mems'),
            read(path.join(path.dirname(dirs.cpuset), 'cpuset.mems')).trim(),
          );
        } else if (!locations.cpuset && limits.visibleCpus && limits.visibleCpus < ownCpus().length)
          notApplied.push('visible cores: the cgroup v1 cpuset controller is not mounted');
        const files = openFilesLimit(limits.maxOpenFiles);
        if (files.notApplied) notApplied.push(files.notApplied);
        const sandbox = new CgroupV1Sandbox(id, dirs, {
          cpuList,
          maxProcesses,
          maxOpenFiles: files.value,
          notApplied,
        });
        sandbox.setCpu(limits.cpus);
        return sandbox;
      } catch (error) {
        for (const dir of Object.values(dirs)) await removeCgroup(dir);
        throw error;
      }
    },
  };
}

/** The engine's cpuset folder, with every core and memory node of its parent (v1 does not inherit them). */
function prepareCpuset(engineDir: string): void {
  if (existsSync(engineDir)) return;
  mkdirSync(engineDir, { recursive: true });
  const parent = path.dirname(engineDir);
  write(path.join(engineDir, 'cpuset.cpus'), read(path.join(parent, 'cpuset.cpus')).trim());
  write(path.join(engineDir, 'cpuset.mems'), read(path.join(parent, 'cpuset.mems')).trim());
}
