import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  childFolders,
  engineFolder,
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
import { CpuRotation, formatCpuList, ownCpus, parseCpuList, TASKSET, withAffinity } from '../cpus.js';
import { KernelFile, ResidentPeak } from '../proc.js';
import type { AppliedLimits, Sandbox, SandboxDriver, SandboxLimits } from '../types.js';
import { type V2Placement, writableCgroup } from './placement.js';

/** 20 ms: short invocations are throttled as they run, not only once a 100 ms period is used up. The kernel needs a quota of at least 1 ms, which 128 MB (7.2 % of 20 ms = 1.45 ms) still gets. */
const PERIOD_US = 20_000;

class CgroupV2Sandbox implements Sandbox {
  readonly kind = 'cgroup-v2' as const;
  #peakFallback = 0;

  constructor(
    readonly id: string,
    readonly dir: string,
    readonly applied: AppliedLimits,
    readonly affinity = false,
  ) {
    this.#peakFile = new KernelFile(path.join(dir, 'memory.peak'), 64);
  }

  wrap(command: string, args: readonly string[], announce = true) {
    // Cores through taskset only where the cpuset controller is not delegated (systemd's user manager).
    const bound = this.affinity ? withAffinity(this.applied.cpuList, command, args) : { command, args };
    const procs = [path.join(this.dir, 'cgroup.procs')];
    return wrapInCgroups(procs, bound.command, bound.args, this.applied.maxOpenFiles, announce);
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

/** Applies memory, CPU, process and core limits to a new sandbox folder; says which it could not apply. */
function applyLimits(dir: string, limits: SandboxLimits, placement: V2Placement, cpuList: number[] | null) {
  write(path.join(dir, 'memory.max'), limits.memoryMB * 1024 * 1024);
  // No swap: past its memory an environment is killed, as on Lambda, instead of slowing down.
  const swap = path.join(dir, 'memory.swap.max');
  if (existsSync(swap)) write(swap, 0);
  // Lambda ends the whole environment when it runs out of memory, not one process of it.
  const group = path.join(dir, 'memory.oom.group');
  if (existsSync(group)) write(group, 1);
  const notApplied: string[] = [];
  let maxProcesses: number | null = null;
  if (limits.maxProcesses) {
    if (placement.controllers.includes('pids')) {
      write(path.join(dir, 'pids.max'), limits.maxProcesses);
      maxProcesses = limits.maxProcesses;
    } else notApplied.push(`processes: the pids controller is not offered to ${placement.parent}`);
  }
  let cpus: number[] | null = null;
  if (cpuList) {
    if (placement.controllers.includes('cpuset')) write(path.join(dir, 'cpuset.cpus'), formatCpuList(cpuList));
    if (placement.controllers.includes('cpuset') || TASKSET) cpus = cpuList;
    else notApplied.push(`visible cores: no cpuset controller for ${placement.parent} and no taskset`);
  }
  const files = openFilesLimit(limits.maxOpenFiles);
  if (files.notApplied) notApplied.push(files.notApplied);
  return { cpuList: cpus, maxProcesses, maxOpenFiles: files.value, notApplied };
}

export function createCgroupV2Driver(placement: V2Placement): SandboxDriver {
  const { parent } = placement;
  const rotation = new CpuRotation();
  return {
    kind: 'cgroup-v2',
    setup: placement.actions,
    async cleanupStale() {
      let removed = 0;
      const failed: string[] = [];
      // A killed engine re-run in a delegated scope left its sandboxes in that scope, a sibling of this one.
      const siblings = placement.delegatedScope ? childFolders(path.dirname(parent)).filter(writableCgroup) : [parent];
      for (const engineDir of siblings.flatMap((dir) => staleEngineFolders(dir))) {
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
      mkdirSync(engineDir, { recursive: true });
      // The engine folder holds no processes, so its children may have every controller its parent gave it.
      write(path.join(engineDir, 'cgroup.subtree_control'), placement.controllers.map((c) => `+${c}`).join(' '));
      const dir = path.join(engineDir, id);
      mkdirSync(dir);
      const cpuset = placement.controllers.includes('cpuset');
      const available = cpuset ? parseCpuList(tryRead(path.join(engineDir, 'cpuset.cpus.effective')) ?? '') : ownCpus();
      const cpuList =
        limits.visibleCpus && available.length > limits.visibleCpus
          ? rotation.pick(available, limits.visibleCpus)
          : null;
      try {
        const sandbox = new CgroupV2Sandbox(id, dir, applyLimits(dir, limits, placement, cpuList), !cpuset);
        sandbox.setCpu(limits.cpus);
        return sandbox;
      } catch (error) {
        await removeCgroup(dir);
        throw error;
      }
    },
  };
}
