import { isAscii } from 'node:buffer';
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import path from 'node:path';
import { type AwsError, eventTooLarge, invalidRequestContent, LambenchError, requestTooLarge } from '../errors.js';
import { findRuntime } from '../runtimes/index.js';
import { cpusForMemory, detectDriver, hostCpus, visibleCpusForMemory } from '../sandbox/index.js';
import { AWS_MAX_OPEN_FILES, AWS_MAX_PROCESSES, type IsolationKind, type SandboxDriver } from '../sandbox/types.js';
import type { EnvironmentNetwork, Network, NetworkDescription } from '../services/network/index.js';
import { checkArnScope, functionArn, parseFunctionRef } from './arn.js';
import { awsEnvironment, type ServiceEndpoints } from './aws-env.js';
import { Environment, type InitResult } from './environment.js';
import { type Answer, endInvocation, type Invocation, runInvocation } from './invocation.js';
import { validateMemory } from './manifest.js';
import { EnvironmentPool, poolKey } from './pool.js';
import { FunctionRegistry } from './registry.js';
import type { StreamListener } from './runtime-stream.js';
import type { FunctionVersion, InvokeRequest, InvokeResult } from './types.js';

/**
 * Invoke's synchronous payload limit (6 MB): AWS answers "Request must be smaller than 6291456 bytes", so the
 * largest payload accepted is one byte less. The asynchronous one (1 MB since 2025) allows the limit itself
 * ("… too large for the Event invocation type (limit 1048576 bytes)").
 */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;
export const MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;

/** Whether Invoke accepts a payload of `bytes` (the one rule the Invoke API, the engine and `tune` share). */
export function payloadTooLarge(bytes: number, type: 'RequestResponse' | 'Event'): AwsError | null {
  if (type === 'Event') return bytes > MAX_ASYNC_PAYLOAD_BYTES ? eventTooLarge(bytes, MAX_ASYNC_PAYLOAD_BYTES) : null;
  return bytes >= MAX_SYNC_PAYLOAD_BYTES ? requestTooLarge(bytes, MAX_SYNC_PAYLOAD_BYTES) : null;
}

export interface EngineOptions {
  isolation?: IsolationKind | 'auto';
  region?: string;
  /** Build outputs (bundles, pip installs); default `.lambench/cache` in the working directory. */
  cacheDir?: string;
  idleTimeoutMs?: number;
  freezeDelayMs?: number;
  initCpuBoost?: boolean;
  /**
   * AWS's limit on the INIT phase of an on-demand environment (10 s). Past it the environment is destroyed and
   * init is retried once inside the invocation, within the function's timeout (AWS's "suppressed init").
   */
  initTimeoutMs?: number;
  concurrencyLimit?: number;
  /**
   * After handing an event to a runtime, the engine polls for its answer for up to this long (µs, default 300)
   * before sleeping, when that invocation is the only one in flight and the function leaves the host a CPU:
   * short invocations then answer without waking an idle CPU. 0 never polls.
   */
  pollAfterDispatchUs?: number;
  endpoints?: ServiceEndpoints;
  /**
   * The network model (src/services/network): each environment reaches `endpoints` through relays of its own that
   * apply its memory size's bandwidth and the services' latencies. Absent or null: loopback, unshaped.
   */
  network?: Network | null;
  /**
   * Everything a runtime prints, as it comes, for `lambench serve`. Returning false (a stream's write() past its
   * high-water mark) stops reading that runtime's output until `onOutputDrain`'s callback: the runtime's writes then
   * block on its full pipe, as a process writing to a slow reader does, instead of the engine buffering without bound.
   */
  onOutput?: (functionName: string, text: string) => boolean | undefined;
  onOutputDrain?: (resume: () => void) => void;
}

/** The local Lambda service: registry, environments, scheduling and invocation. Transport-free; HTTP lives in http/. */
export class Engine {
  readonly functions = new FunctionRegistry();
  readonly region: string;
  readonly hostCpus = hostCpus();
  endpoints: ServiceEndpoints;
  readonly #driver: SandboxDriver;
  readonly #pool: EnvironmentPool;
  readonly network: Network | null;
  readonly #options: Required<
    Omit<EngineOptions, 'endpoints' | 'network' | 'onOutput' | 'onOutputDrain' | 'isolation'>
  > &
    EngineOptions;
  readonly #prepared = new Map<string, Promise<string>>();
  readonly #background = new Set<Promise<unknown>>();
  #closed = false;
  #bindsCores = true;
  #limitsNotApplied: readonly string[] = [];

  private constructor(driver: SandboxDriver, options: EngineOptions) {
    this.#driver = driver;
    this.region = options.region ?? 'us-east-1';
    this.endpoints = { ...options.endpoints };
    this.network = options.network ?? null;
    this.#options = {
      region: this.region,
      cacheDir: options.cacheDir ?? path.resolve('.lambench', 'cache'),
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      freezeDelayMs: options.freezeDelayMs ?? 10,
      initCpuBoost: options.initCpuBoost ?? true,
      initTimeoutMs: options.initTimeoutMs ?? 10_000,
      concurrencyLimit: options.concurrencyLimit ?? 1000,
      pollAfterDispatchUs: options.pollAfterDispatchUs ?? 300,
      ...options,
    };
    this.#pool = new EnvironmentPool({
      concurrencyLimit: this.#options.concurrencyLimit,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      reservedConcurrency: (name) => this.functions.getReservedConcurrency(name),
      isCurrent: (key) => this.#isCurrent(key),
    });
  }

  /** Whether `poolKey`'s function version is still registered with the same revision (see PoolOptions). */
  #isCurrent(key: string): boolean {
    const [name = '', version, , memoryMB] = key.split('\u0000');
    try {
      return poolKey(this.functions.resolve(name, version), Number(memoryMB)) === key;
    } catch {
      return false; // deleted
    }
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const driver = await detectDriver(options.isolation ?? 'auto');
    await driver.cleanupStale();
    const engine = new Engine(driver, options);
    await engine.#probeLimits();
    return engine;
  }

  get isolation(): IsolationKind {
    return this.#driver.kind;
  }

  /** The cores an environment of this size sees: AWS's count capped by the host, where the driver binds cores. */
  visibleCpus(memoryMB: number): number {
    const wanted = visibleCpusForMemory(memoryMB, this.hostCpus);
    return this.#bindsCores ? wanted : this.hostCpus;
  }

  /** The network model environments get, as results record it (`environment.network`). */
  describeNetwork(): NetworkDescription {
    return this.network?.describe() ?? { model: 'none' };
  }

  /** The AWS limits this engine's driver cannot apply to an environment, and why. */
  limitsNotApplied(): string[] {
    return [...this.#limitsNotApplied];
  }

  /** Asks the driver once which AWS limits it applies here: one sandbox made and removed, no process started. */
  async #probeLimits(): Promise<void> {
    // One core fewer than the host has, so binding is tried even where AWS's count is every host core.
    const sandbox = await this.#driver.create(`limits-${randomBytes(4).toString('hex')}`, {
      memoryMB: 128,
      cpus: null,
      visibleCpus: Math.max(1, this.hostCpus - 1),
      maxProcesses: AWS_MAX_PROCESSES,
      maxOpenFiles: AWS_MAX_OPEN_FILES,
      tmpMB: 512,
    });
    await sandbox.destroy();
    this.#bindsCores = this.hostCpus === 1 || sandbox.applied.cpuList !== null;
    this.#limitsNotApplied = sandbox.applied.notApplied;
  }

  get initCpuBoost(): boolean {
    return this.#options.initCpuBoost;
  }

  stats() {
    return this.#pool.stats();
  }

  /** Synchronous (RequestResponse) invocation. Function errors come back in the result; AWS errors are thrown. */
  invoke(request: InvokeRequest): Promise<InvokeResult> {
    return this.#run(request, (environment, init, invocation) =>
      runInvocation(environment, init, invocation, this.#runMeta(invocation.memoryMB)),
    );
  }

  /**
   * InvokeWithResponseStream: a function that streams its response (Runtime API streaming mode) hands each piece
   * to `listener` as it arrives; a buffered response comes back whole in the result, as AWS sends it in one chunk.
   */
  invokeStream(request: InvokeRequest, listener: StreamListener): Promise<InvokeResult> {
    return this.#run(request, (environment, init, invocation) =>
      runInvocation(environment, init, { ...invocation, stream: listener }, this.#runMeta(invocation.memoryMB)),
    );
  }

  /** invokeStream for a caller that needs only the answer (no LogType Tail): no REPORT bookkeeping, as invokeForAnswer. */
  invokeStreamForAnswer(
    request: InvokeRequest,
    listener: StreamListener,
  ): Promise<Answer & { errorType: string | null }> {
    return this.#run(request, async (environment, init, invocation) => {
      const ended = await endInvocation(environment, init, { ...invocation, stream: listener });
      return { ...ended.answer, errorType: ended.errorType };
    });
  }

  #runMeta(memoryMB: number) {
    return {
      isolation: this.#driver.kind,
      cpuCapped: cpusForMemory(memoryMB, this.hostCpus).capped,
      initCpuBoost: this.#options.initCpuBoost,
      hostCpus: this.hostCpus,
    };
  }

  /**
   * The same invocation for a caller that needs only the answer (Invoke without LogType Tail, where a client
   * sees nothing else): the REPORT bookkeeping, peak-memory reads and log lines, is skipped, not deferred.
   */
  invokeForAnswer(request: InvokeRequest): Promise<Answer> {
    return this.#run(request, async (environment, init, invocation) => {
      return (await endInvocation(environment, init, invocation)).answer;
    });
  }

  async #run<T>(
    request: InvokeRequest,
    run: (environment: Environment, init: InitResult | null, invocation: Invocation) => Promise<T>,
  ): Promise<T> {
    const { fn, payload, memoryMB } = this.#validate(request, 'RequestResponse');
    const key = poolKey(fn, memoryMB);
    this.#pool.reserve(fn.name);
    try {
      let warm = request.forceCold ? undefined : this.#pool.takeWarm(key);
      if (warm && !warm.ready) warm = await this.#awaitReady(key, warm);
      const env = warm ? { environment: warm, init: null } : await this.#startEnvironment(fn, memoryMB);
      const invocation: Invocation = {
        requestId: randomUUID(),
        fn,
        memoryMB,
        payload,
        invokedFunctionArn: functionArn(this.region, fn.name, request.qualifier),
        traceId: traceId(),
        ...(request.clientContext ? { clientContext: request.clientContext } : {}),
      };
      const result = await run(env.environment, env.init, invocation);
      this.#pool.release(key, env.environment); // a dead one (timeout, crash) is forgotten there
      return result;
    } finally {
      this.#pool.unreserve(fn.name);
    }
  }

  /**
   * An environment the pool gave that has answered but not yet asked for its next event, once it does; undefined
   * (start one) if it does not within RETURN_WAIT_MS. Waiting: a sequential caller's next request
   * often arrives before a runtime that waits for the 202 sends its /next (Python's client; Node's pipelines it
   * with the answer, so it is always there), and starting a new environment then would be a cold start no AWS
   * caller sees. If it dies instead (it exited after answering), or takes longer (it works after answering), the
   * invocation goes to another environment, as on AWS, where a busy environment takes no invocation.
   */
  async #awaitReady(key: string, environment: Environment): Promise<Environment | undefined> {
    if (await environment.whenReady(RETURN_WAIT_MS)) return environment;
    this.#pool.release(key, environment); // still answering: back to the pool, which takes it when it is ready
    return undefined;
  }

  /** Event invocation: validated now, run later (HTTP 202). Returns the request id. */
  invokeEvent(request: InvokeRequest): string {
    this.#validate(request, 'Event');
    const requestId = randomUUID();
    const run = this.invoke(request)
      .catch((error: unknown) =>
        this.#options.onOutput?.(request.functionName, `async invoke failed: ${String(error)}\n`),
      )
      .finally(() => this.#background.delete(run));
    this.#background.add(run);
    return requestId;
  }

  /** Checks a request the way Invoke does, before anything runs. */
  #validate(request: InvokeRequest, type: 'RequestResponse' | 'Event') {
    if (this.#closed) throw new LambenchError('ENGINE_CLOSED', 'The engine has been closed.');
    checkArnScope(request.functionName, this.region);
    const fn = this.functions.resolve(request.functionName, request.qualifier);
    const payload = typeof request.payload === 'string' ? Buffer.from(request.payload) : request.payload;
    const tooLarge = payloadTooLarge(payload.length, type);
    if (tooLarge) throw tooLarge;
    if (payload.length > 0) {
      try {
        // ASCII (nearly every payload) decodes as latin1, a plain copy; UTF-8 transcodes (~1 ms per MiB).
        JSON.parse(isAscii(payload) ? payload.toString('latin1') : payload.toString('utf8'));
      } catch (error) {
        throw invalidRequestContent(`Could not parse request body into json: ${(error as Error).message}`);
      }
    }
    const memoryMB = request.memoryMB === undefined ? fn.memorySize : validateMemory(request.memoryMB);
    return { fn, payload: payload.length > 0 ? payload : Buffer.from('{}'), memoryMB };
  }

  /** Builds (cached) what the runtime needs, then starts an environment: a cold start. */
  async #startEnvironment(
    fn: FunctionVersion,
    memoryMB: number,
  ): Promise<{ environment: Environment; init: InitResult | null }> {
    const runtime = findRuntime(fn.runtime);
    const prepareKey = `${fn.runtime}\u0000${fn.codeDir}\u0000${fn.codeSha256}\u0000${fn.handler}`;
    let prepared = this.#prepared.get(prepareKey);
    if (!prepared) {
      prepared = runtime.prepare(fn, this.#options.cacheDir);
      this.#prepared.set(prepareKey, prepared);
      prepared.catch(() => this.#prepared.delete(prepareKey));
    }
    const taskRoot = await prepared;
    const key = poolKey(fn, memoryMB);
    const environment = await this.#launch(fn, memoryMB, taskRoot, key);
    const init = await startOrDestroy(environment, this.#options.initTimeoutMs);
    if (!init.timedOut) return { environment, init };
    // AWS limits INIT to 10 s, then retries it once inside the invocation, where the function's timeout bounds it.
    this.#pool.release(key, environment);
    const retry = await this.#launch(fn, memoryMB, taskRoot, key);
    const suppressed = await startOrDestroy(retry, fn.timeout * 1000);
    return { environment: retry, init: { ...init, suppressed } };
  }

  /** Creates the sandbox and the (not yet started) environment of one cold start. */
  async #launch(fn: FunctionVersion, memoryMB: number, taskRoot: string, key: string): Promise<Environment> {
    const runtime = findRuntime(fn.runtime);
    const { cpus } = cpusForMemory(memoryMB, this.hostCpus);
    const id = `${fn.name}-${randomBytes(4).toString('hex')}`;
    const launch = runtime.launch({ ...fn, memorySize: memoryMB }, taskRoot);
    const network = await this.#attachNetwork(memoryMB);
    const endpoints = network ? { ...this.endpoints, ...network.endpoints } : this.endpoints;
    const env = awsEnvironment(fn, memoryMB, this.region, taskRoot, endpoints);
    const sandbox = await this.#driver
      .create(id, {
        memoryMB,
        cpus: this.#options.initCpuBoost ? null : cpus,
        visibleCpus: visibleCpusForMemory(memoryMB, this.hostCpus),
        maxProcesses: AWS_MAX_PROCESSES,
        maxOpenFiles: AWS_MAX_OPEN_FILES,
        tmpMB: fn.ephemeralStorage,
        hostPaths: hostPathsOf(launch, env, taskRoot),
      })
      .catch(async (error: unknown) => {
        await network?.close();
        throw error;
      });
    const environment = new Environment({
      id,
      launch,
      env,
      sandbox,
      ...(network ? { network } : {}),
      cpus,
      initCpuBoost: this.#options.initCpuBoost,
      freezeDelayMs: this.#options.freezeDelayMs,
      // Never while other invocations run (they need the CPU), nor when the function may use every host CPU.
      ...(cpus < this.hostCpus
        ? { pollBudgetUs: () => (this.#pool.active === 1 ? this.#options.pollAfterDispatchUs : 0) }
        : {}),
      ...(this.#options.onOutput ? { onOutput: (text: string) => this.#options.onOutput?.(fn.name, text) } : {}),
      ...(this.#options.onOutputDrain ? { onOutputDrain: this.#options.onOutputDrain } : {}),
    });
    this.#pool.track(environment, key);
    return environment;
  }

  /** The environment's own relays to the services (none without a network model or without services). */
  async #attachNetwork(memoryMB: number): Promise<EnvironmentNetwork | undefined> {
    if (!this.network) return undefined;
    const { s3, dynamodb, lambda } = this.endpoints;
    if (!s3 && !dynamodb && !lambda) return undefined;
    return this.network.attach(memoryMB, {
      ...(s3 ? { s3 } : {}),
      ...(dynamodb ? { dynamodb } : {}),
      ...(lambda ? { lambda } : {}),
    });
  }

  /**
   * Destroys a function's idle environments (all versions, or one), so its next invocations start cold (as after an
   * update on AWS); busy ones go when their invocation ends. By name, not resolve(): a deleted function's
   * environments are retired after it left the registry.
   */
  retireIdle(functionName: string, version?: string): Promise<number> {
    return this.#pool.retireIdle(parseFunctionRef(functionName).name, version);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#background]);
    await this.#pool.destroyAll();
  }
}

/** How long an invocation waits for an answered environment's next /next before starting another (#awaitReady). */
const RETURN_WAIT_MS = 100;

/** Starts an environment; one that throws while starting is destroyed (listener, sandbox, /tmp), never leaked. */
async function startOrDestroy(environment: Environment, initTimeoutMs: number): Promise<InitResult> {
  try {
    return await environment.start(initTimeoutMs);
  } catch (error) {
    await environment.destroy();
    throw error;
  }
}

/** Every absolute path a runtime is started with: its command, arguments, task root and path-like variables. */
function hostPathsOf(
  launch: { command: string; args: readonly string[]; env?: Record<string, string> },
  env: Record<string, string>,
  taskRoot: string,
): string[] {
  const values = [launch.command, ...launch.args, taskRoot, ...Object.values({ ...launch.env, ...env })];
  return values.flatMap((v) => v.split(':')).filter((v) => v.startsWith('/'));
}

/** Random bytes for trace ids, drawn 4 KiB at a time: a randomBytes() call per invocation costs more than the id. */
const entropy = Buffer.alloc(4096);
let entropyAt = entropy.length;

function traceId(): string {
  if (entropyAt + 24 > entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  const r = entropy.toString('hex', entropyAt, entropyAt + 24);
  entropyAt += 24;
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${r.slice(0, 24)};Parent=${r.slice(24, 40)};Sampled=0;Lineage=1:${r.slice(40, 48)}:0`;
}
