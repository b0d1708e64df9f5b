import { tooManyRequests } from '../errors.js';
import type { Environment } from './environment.js';
import type { FunctionVersion } from './types.js';

export interface PoolOptions {
  /** The account's concurrency limit (AWS default 1,000). */
  concurrencyLimit: number;
  idleTimeoutMs: number;
  reservedConcurrency: (functionName: string) => number | null;
  /**
   * Whether a pool key's configuration is still registered as it was (same revision). An environment started
   * while its function was deleted or updated missed that retirement (it was not tracked yet); pooled, its key
   * would never be asked for again and its process and cgroup would wait for the idle timeout.
   */
  isCurrent: (key: string) => boolean;
}

/** Environments of one configuration are interchangeable; a change of code, config or memory makes a new key. */
export const poolKey = (fn: FunctionVersion, memoryMB: number) =>
  `${fn.name}\u0000${fn.version}\u0000${fn.revisionId}\u0000${memoryMB}`;

/**
 * Tracks warm environments and concurrency. One invocation per environment; a busy or starting environment
 * counts against both the function's reserved concurrency and the account limit, as on AWS.
 */
export class EnvironmentPool {
  readonly #idle = new Map<string, Environment[]>();
  readonly #active = new Map<string, number>();
  readonly #all = new Set<Environment>();
  readonly #evictionTimers = new Map<Environment, NodeJS.Timeout>();
  /** Every live environment's pool key, so busy ones can be found when their function is retired. */
  readonly #keys = new Map<Environment, string>();
  /** Busy environments of a retired configuration: destroyed when their invocation ends, never pooled again. */
  readonly #retiring = new Set<Environment>();
  /** Answered environments whose runtime has not asked for its next event yet, with their key (see release). */
  readonly #returning = new Map<Environment, string>();
  #activeTotal = 0;

  constructor(private readonly options: PoolOptions) {}

  /**
   * A warm idle environment for this configuration, most recently used first; else one that has answered and whose
   * runtime has not asked for its next event yet (the caller waits for it: `Environment.whenReady`); else undefined.
   */
  takeWarm(key: string): Environment | undefined {
    const idle = this.#idle.get(key);
    while (idle && idle.length > 0) {
      const env = idle.pop();
      if (!env || env.state === 'dead') continue;
      this.#cancelEviction(env);
      return env;
    }
    for (const [env, returningKey] of this.#returning) {
      if (returningKey !== key || env.state === 'dead') continue;
      this.#returning.delete(env);
      return env;
    }
    return undefined;
  }

  /** Counts an invocation against the limits; throws TooManyRequestsException (429) when over. */
  reserve(functionName: string): void {
    const reserved = this.options.reservedConcurrency(functionName);
    const active = this.#active.get(functionName) ?? 0;
    if (reserved !== null && active >= reserved) {
      throw tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    if (this.#activeTotal >= this.options.concurrencyLimit) {
      throw tooManyRequests('ConcurrentInvocationLimitExceeded');
    }
    this.#active.set(functionName, active + 1);
    this.#activeTotal++;
  }

  unreserve(functionName: string): void {
    this.#active.set(functionName, Math.max(0, (this.#active.get(functionName) ?? 1) - 1));
    this.#activeTotal = Math.max(0, this.#activeTotal - 1);
  }

  track(env: Environment, key: string): void {
    this.#all.add(env);
    this.#keys.set(env, key);
    env.onExit(() => this.#forget(env));
  }

  /**
   * Returns an environment to the warm pool once its runtime asks for the next event (/next), not when its answer
   * arrives: a runtime may exit right after answering (Node's after an unhandled rejection), and the next,
   * unrelated invocation must not inherit that exit (AWS starts it a fresh environment). Idle environments are
   * destroyed after `idleTimeoutMs` unused.
   */
  release(key: string, env: Environment): void {
    if (env.state === 'dead') return this.#forget(env);
    if (this.#retiring.has(env) || !this.options.isCurrent(key)) {
      void env.destroy().finally(() => this.#forget(env));
      return;
    }
    if (!env.ready) {
      this.#returning.set(env, key);
      void env.whenReady().then((ready) => {
        if (this.#returning.get(env) !== key) return; // taken meanwhile by an invocation, which waits for it
        this.#returning.delete(env);
        if (ready) this.release(key, env);
        else this.#forget(env);
      });
      return;
    }
    const idle = this.#idle.get(key) ?? [];
    idle.push(env);
    this.#idle.set(key, idle);
    const timer = setTimeout(() => {
      this.#evictionTimers.delete(env);
      const list = this.#idle.get(key);
      if (list)
        this.#idle.set(
          key,
          list.filter((e) => e !== env),
        );
      void env.destroy().finally(() => this.#forget(env));
    }, this.options.idleTimeoutMs);
    timer.unref();
    this.#evictionTimers.set(env, timer);
  }

  #cancelEviction(env: Environment): void {
    const timer = this.#evictionTimers.get(env);
    if (timer) clearTimeout(timer);
    this.#evictionTimers.delete(env);
  }

  #forget(env: Environment): void {
    this.#cancelEviction(env);
    this.#all.delete(env);
    this.#keys.delete(env);
    this.#retiring.delete(env);
    this.#returning.delete(env);
  }

  /** Invocations counted against the account limit right now (running or starting). */
  get active(): number {
    return this.#activeTotal;
  }

  get size(): number {
    return this.#all.size;
  }

  stats(): { environments: number; idle: number; active: number } {
    let idle = 0;
    for (const list of this.#idle.values()) idle += list.filter((e) => e.state !== 'dead').length;
    return { environments: this.#all.size, idle, active: this.#activeTotal };
  }

  /**
   * Destroys the idle environments of one function (or of one of its versions), as AWS retires them after an
   * update or a delete. Busy ones finish their invocation and are destroyed then instead of returning to the pool:
   * their key (old revision) would never be asked for again, so they would only hold a process until eviction.
   */
  async retireIdle(functionName: string, version?: string): Promise<number> {
    const prefix = version === undefined ? `${functionName}\u0000` : `${functionName}\u0000${version}\u0000`;
    const retired: Environment[] = [];
    for (const [key, list] of this.#idle) {
      if (!key.startsWith(prefix)) continue;
      retired.push(...list);
      this.#idle.delete(key);
    }
    for (const [env, key] of this.#keys) {
      if (key.startsWith(prefix) && !retired.includes(env)) this.#retiring.add(env);
    }
    await Promise.allSettled(
      retired.map((env) => {
        this.#cancelEviction(env);
        return env.destroy().finally(() => this.#forget(env));
      }),
    );
    return retired.length;
  }

  async destroyAll(): Promise<void> {
    const all = [...this.#all];
    this.#idle.clear();
    this.#returning.clear();
    for (const timer of this.#evictionTimers.values()) clearTimeout(timer);
    this.#evictionTimers.clear();
    await Promise.allSettled(all.map((env) => env.destroy()));
    this.#all.clear();
  }
}
