import { ResidentPeak } from '../proc.js';
import type { Sandbox, SandboxDriver, SandboxLimits } from '../types.js';

/** How often the runtime's VmHWM is sampled while it runs: /proc is gone once it dies, so a crash keeps the last sample. */
const SAMPLE_MS = 50;

/**
 * No isolation: works everywhere, limits nothing. The runtime leads its own process group, so freeze
 * (SIGSTOP), thaw (SIGCONT) and kill reach every process it starts, as a cgroup would. Peak memory is the
 * runtime's VmHWM. Every result produced under it says `isolation: "none"`.
 */
class UnconstrainedSandbox implements Sandbox {
  readonly kind = 'none' as const;
  readonly detached = true;
  #pid: number | undefined;
  #sampler: NodeJS.Timeout | undefined;
  readonly #resident = new ResidentPeak();

  constructor(readonly id: string) {}

  wrap(command: string, args: readonly string[]) {
    return { command, args: [...args] };
  }

  attach(pid: number): void {
    this.#pid = pid;
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
    }
    this.#pid = undefined;
    this.#resident.close();
  }
}

export const noneDriver: SandboxDriver = {
  kind: 'none',
  async cleanupStale() {
    return { removed: 0, failed: [] };
  },
  async create(id: string, _limits: SandboxLimits) {
    return new UnconstrainedSandbox(id);
  },
};
