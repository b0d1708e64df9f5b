/** Which isolation an environment ran under; every result carries it so unconstrained runs are never mistaken. */
export type IsolationKind = 'cgroup-v1' | 'cgroup-v2' | 'none';

export interface SandboxLimits {
  /** Memory limit in MiB (Lambda's memory size). */
  memoryMB: number;
  /** vCPUs the sandbox may use (CFS quota / period); null = unlimited (used for the init boost). */
  cpus: number | null;
  /** Cores the sandbox's processes see and may run on (cpuset / affinity): AWS's vCPU count for the memory size. */
  visibleCpus?: number;
  /** Processes and threads, all together (AWS: 1,024 per environment). */
  maxProcesses?: number;
  /** Open file descriptors per process (AWS: 1,024). */
  maxOpenFiles?: number;
  /** Size of the environment's private /tmp, MB (the function's EphemeralStorage: 512 to 10,240). */
  tmpMB?: number;
  /**
   * Host paths the runtime reads (its binary, client, code, variables): a private /tmp mounted over the host's
   * would hide any of them under /tmp, so then /tmp stays the host's and the result says so.
   */
  hostPaths?: readonly string[];
}

/** AWS's per-environment quotas (Lambda quotas page: "Execution processes/threads" and "File descriptors"). */
export const AWS_MAX_PROCESSES = 1024;
export const AWS_MAX_OPEN_FILES = 1024;

/** Which of the requested limits a sandbox really applies; a limit the host cannot apply is named, not hidden. */
export interface AppliedLimits {
  /** The cores the processes are bound to, or null when they see every host core. */
  cpuList: number[] | null;
  maxProcesses: number | null;
  maxOpenFiles: number | null;
  /** Size of the private /tmp the environment got, MB; absent when /tmp is the host's. */
  tmpMB?: number;
  /** One line per requested limit that could not be applied, saying why. */
  notApplied: string[];
}

export interface StaleCleanup {
  /** Folders removed. */
  removed: number;
  /** Folders that could not be removed (their processes would not die), so nobody thinks the host is clean. */
  failed: string[];
}

export interface SandboxDriver {
  readonly kind: IsolationKind;
  /** What the driver did to the host's cgroups to become usable, in words (`doctor` prints it). */
  readonly setup?: readonly string[];
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
  readonly applied: AppliedLimits;
  /**
   * The command to spawn instead of `command args`: it places itself in the sandbox and then execs the real
   * command, so not one instruction of the runtime runs outside the limits. Right before that exec it writes one
   * byte to descriptor 3, if open (`announce`, default true; false when another wrapper runs after it), so the
   * engine can count Init Duration from the runtime's start and not from the wrapper's.
   */
  wrap(command: string, args: readonly string[], announce?: boolean): { command: string; args: string[] };
  /**
   * Spawn the runtime as the leader of its own process group (the none driver signals the group, so processes
   * the function starts are frozen and killed with it; a cgroup holds them without this).
   */
  readonly detached?: boolean;
  /**
   * The wrapper reads descriptor 4, a pipe whose other end only the engine holds: if the engine dies (even by
   * SIGKILL) the kernel closes it, and a watchdog the wrapper left outside the runtime's process group kills that
   * group, frozen or not. A line on it ("done") stands the watchdog down. For the none driver, where no cgroup
   * outlives the engine for the next one to clean.
   */
  readonly lifeline?: boolean;
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
