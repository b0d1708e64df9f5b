import { openFilesLimit, wrapInCgroups } from '../cgroupfs.js';
import { CpuRotation, ownCpus, TASKSET, withAffinity } from '../cpus.js';
import { ResidentPeak } from '../proc.js';
import type { AppliedLimits, Sandbox, SandboxDriver, SandboxLimits } from '../types.js';
import { forgetRuntime, killStaleRuntimes, recordRuntime } from './pidfiles.js';

/** How often the runtime's VmHWM is sampled while it runs: /proc is gone once it dies, so a crash keeps the last sample. */
const SAMPLE_MS = 50;

/** util-linux's taskset: binds the runtime to its cores where no cpuset can (the function may widen it again). */
const rotation = new CpuRotation();

/**
 * The lifeline's watchdog (Sandbox.lifeline), started by the wrapper before it execs the runtime: in a session of
 * its own (setsid), so SIGSTOP of the runtime's group does not freeze it, blocked in read (no CPU) until the engine
 * writes "done" (it cleans up itself) or dies (EOF: kill the group, SIGCONT first so a frozen one wakes to die).
 * Without setsid (not util-linux) there is no watchdog and the engine's own cleanup is all there is.
 */
const WATCHDOG =
  'if command -v setsid >/dev/null 2>&1 && { true <&4; } 2>/dev/null; then ' +
  `setsid /bin/sh -c 'read -r _ <&4 || { kill -s CONT -- -"$1"; kill -s KILL -- -"$1"; }' watchdog $$ ` +
  '</dev/null >/dev/null 2>&1 3>&- & fi; exec 4<&-; ';

/**
 * No isolation: works everywhere, limits neither CPU time nor memory nor processes. The runtime leads its own
 * process group, so freeze (SIGSTOP), thaw (SIGCONT) and kill reach every process it starts, as a cgroup would.
 * Peak memory is the runtime's VmHWM. The cores it sees (taskset) and its descriptor limit (ulimit) are applied.
 * Every result produced under it says `isolation: "none"`.
 */
class UnconstrainedSandbox implements Sandbox {
  readonly kind = 'none' as const;
  readonly detached = true;
  readonly lifeline = true;
  #pid: number | undefined;
  #sampler: NodeJS.Timeout | undefined;
  readonly #resident = new ResidentPeak();

  constructor(
    readonly id: string,
    readonly applied: AppliedLimits,
  ) {}

  wrap(command: string, args: readonly string[], announce = true) {
    const { cpuList, maxOpenFiles } = this.applied;
    const bound = withAffinity(cpuList, command, args);
    const wrapped = wrapInCgroups([], bound.command, bound.args, maxOpenFiles, announce);
    return {
      command: wrapped.command,
      args: [wrapped.args[0] as string, WATCHDOG + wrapped.args[1], ...wrapped.args.slice(2)],
    };
  }

  attach(pid: number): void {
    this.#pid = pid;
    recordRuntime(this.id, pid);
    this.#resident.attach(pid);
    this.#sample(true);
  }

  setCpu(): void {}

  freeze(): void {
    if (!this.#pid) return;
    this.#signal('SIGSTOP');
    this.#sample(false); // a stopped group allocates nothing
  }

  thaw(): void {
    if (!this.#pid) return;
    this.#signal('SIGCONT');
    this.#sample(true);
  }

  #sample(on: boolean): void {
    clearInterval(this.#sampler);
    this.#sampler = undefined;
    if (!on) return;
    this.#sampler = setInterval(() => this.#resident.read(), SAMPLE_MS);
    this.#sampler.unref();
  }

  /** Signals the whole group; falls back to the pid alone when it was not spawned as a group leader. */
  #signal(signal: NodeJS.Signals): void {
    const pid = this.#pid as number;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  peakMemoryBytes(): number {
    return this.#resident.read();
  }

  oomKilled(): boolean {
    return false;
  }

  async destroy(): Promise<void> {
    this.#sample(false);
    if (this.#pid) {
      this.#signal('SIGCONT');
      this.#signal('SIGKILL');
      forgetRuntime(this.id);
    }
    this.#pid = undefined;
    this.#resident.close();
  }
}

export const noneDriver: SandboxDriver = {
  kind: 'none',
  async cleanupStale() {
    return killStaleRuntimes();
  },
  async create(id: string, limits: SandboxLimits) {
    const notApplied = ['CPU time, memory: no cgroup (isolation none)'];
    if (limits.maxProcesses) notApplied.push('processes: no pids cgroup (isolation none)');
    const cores = ownCpus();
    let cpuList: number[] | null = null;
    if (limits.visibleCpus && limits.visibleCpus < cores.length) {
      if (TASKSET) cpuList = rotation.pick(cores, limits.visibleCpus);
      else notApplied.push('visible cores: taskset (util-linux) is not installed');
    }
    const files = openFilesLimit(limits.maxOpenFiles);
    if (files.notApplied) notApplied.push(files.notApplied);
    return new UnconstrainedSandbox(id, { cpuList, maxProcesses: null, maxOpenFiles: files.value, notApplied });
  },
};
