import { ResidentPeak } from '../proc.js';
import type { Sandbox, SandboxDriver, SandboxLimits } from '../types.js';

/**
 * No isolation: works everywhere, limits nothing. Freeze is SIGSTOP/SIGCONT; peak memory is the process's
 * VmHWM. Every result produced under it says `isolation: "none"`.
 */
class UnconstrainedSandbox implements Sandbox {
  readonly kind = 'none' as const;
  #pid: number | undefined;
  readonly #resident = new ResidentPeak();

  constructor(readonly id: string) {}

  wrap(command: string, args: readonly string[]) {
    return { command, args: [...args] };
  }

  attach(pid: number): void {
    this.#pid = pid;
    this.#resident.attach(pid);
  }

  setCpu(): void {}

  freeze(): void {
    if (this.#pid) this.#signal('SIGSTOP');
  }

  thaw(): void {
    if (this.#pid) this.#signal('SIGCONT');
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.#pid as number, signal);
    } catch {
      // Already gone.
    }
  }

  peakMemoryBytes(): number {
    return this.#resident.read();
  }

  oomKilled(): boolean {
    return false;
  }

  async destroy(): Promise<void> {
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
    return 0;
  },
  async create(id: string, _limits: SandboxLimits) {
    return new UnconstrainedSandbox(id);
  },
};
