/** Which isolation an environment ran under; every result carries it so unconstrained runs are never mistaken. */
export type IsolationKind = 'cgroup-v1' | 'cgroup-v2' | 'none';

export interface SandboxLimits {
  /** Memory limit in MiB (Lambda's memory size). */
  memoryMB: number;
  /** vCPUs the sandbox may use (CFS quota / period); null = unlimited (used for the init boost). */
  cpus: number | null;
}

export interface StaleCleanup {
  /** Folders removed. */
  removed: number;
  /** Folders that could not be removed (their processes would not die), so nobody thinks the host is clean. */
  failed: string[];
}

export interface SandboxDriver {
  readonly kind: IsolationKind;
  /** Removes sandboxes (and kills their processes) left behind by engines that are no longer running. */
  cleanupStale(): Promise<StaleCleanup>;
  create(id: string, limits: SandboxLimits): Promise<Sandbox>;
}

/**
 * One environment's isolation. Hot-path operations (freeze, thaw, setCpu) are synchronous because a cgroup
 * file write takes tens of microseconds while a trip through libuv's thread pool costs more than that.
 */
export interface Sandbox {
  readonly id: string;
  readonly kind: IsolationKind;
  /**
   * The command to spawn instead of `command args`: it places itself in the sandbox and then execs the real
   * command, so not one instruction of the runtime runs outside the limits.
   */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /**
   * Spawn the runtime as the leader of its own process group (the none driver signals the group, so processes
   * the function starts are frozen and killed with it; a cgroup holds them without this).
   */
  readonly detached?: boolean;
  /** Told the pid once spawned (the none driver signals its group and reads its VmHWM). */
  attach(pid: number): void;
  setCpu(cpus: number | null): void;
  freeze(): void;
  thaw(): void;
  /** Peak memory use in bytes since the sandbox was created: the cgroup's real peak, not the limit. */
  peakMemoryBytes(): number;
  /** True once the kernel's OOM killer has killed a process in this sandbox. */
  oomKilled(): boolean;
  /** Kills every process inside and removes the sandbox. Safe to call twice. */
  destroy(): Promise<void>;
}
