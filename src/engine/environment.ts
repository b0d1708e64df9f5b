import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { RuntimeLaunch } from '../runtimes/types.js';
import type { Sandbox } from '../sandbox/types.js';
import { entrypointProblem, spawnProblem } from './entrypoint.js';
import { BoundedLog } from './output.js';
import {
  invalidStateTransition,
  listenRuntimeApi,
  type RuntimeApiServer,
  type RuntimeResponse,
  type Verdict,
} from './runtime-api.js';
import { StreamedResponse, type StreamListener } from './runtime-stream.js';

export interface Dispatch {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
  /** InvokeWithResponseStream: a streamed response's bytes go here as they arrive (and not into the outcome). */
  stream?: StreamListener;
}

export type Outcome = (
  | { kind: 'response'; body: Buffer; durationMs: number; log: string }
  | { kind: 'error'; body: Buffer; errorType: string; durationMs: number; log: string }
) & {
  /** A streamed response: time from the event's dispatch to its first byte. */
  firstByteMs?: number;
};

/** Why init failed: AWS's error type and JSON body; `entrypoint` when the runtime could not even be started. */
export interface InitFailure {
  errorType: string;
  body: Buffer;
  /** The runtime's executable could not be started: AWS says so per request ("RequestId: … Error: <entrypoint>"). */
  entrypoint?: string;
}

export interface InitResult {
  initDurationMs: number;
  /** Set when init failed. */
  failure?: InitFailure;
  log: string;
  /** The init phase hit its time limit; the environment has been destroyed. */
  timedOut?: boolean;
  /**
   * Set by the engine when init timed out and AWS's retry ran inside the invocation (a "suppressed init", bounded
   * by the function's timeout and billed as Duration): that retry's result.
   */
  suppressed?: InitResult;
}

export interface EnvironmentSpec {
  id: string;
  launch: RuntimeLaunch;
  env: Record<string, string>;
  sandbox: Sandbox;
  /** The environment's relays to the services (network model), closed with it. */
  network?: { close(): Promise<void> };
  /** vCPUs after init (memory / 1769, capped to the host). */
  cpus: number;
  initCpuBoost: boolean;
  /** Idle time after which the environment is frozen; 0 freezes as soon as it waits for work. */
  freezeDelayMs: number;
  /** How long to poll for the runtime's answer after handing it an event, in µs; 0 sleeps at once (see #poll). */
  pollBudgetUs?: () => number;
  /** All output as it comes; false pauses reading it until `onOutputDrain` calls back (see EngineOptions). */
  onOutput?: (text: string) => boolean | undefined;
  onOutputDrain?: (resume: () => void) => void;
}

type State = 'starting' | 'idle' | 'busy' | 'dead';

/**
 * The runtime's side of the Runtime API as RAPID's state machine names it (core/states.go): Started → Ready (a
 * parked /next) → Running (an event delivered) → RuntimeResponseSentState (answered) → Ready …; InitError after
 * /init/error. Posts it does not allow are refused with 403 InvalidStateTransition, quoting these names.
 */
type RuntimeState = 'Started' | 'InitError' | 'Ready' | 'Running' | 'RuntimeResponseSentState';

interface InFlight {
  dispatch: Dispatch;
  startedAt: number;
  timer?: NodeJS.Timeout;
  resolve: (outcome: Outcome) => void;
  streamed?: StreamedResponse;
}

/** One execution environment: one runtime process, its Runtime API endpoint and its sandbox. */
export class Environment {
  state: State = 'starting';
  lastUsedAt = Date.now();
  readonly #spec: EnvironmentSpec;
  #server?: RuntimeApiServer;
  #child?: ChildProcess;
  #parkedNext?: RuntimeResponse;
  #queued?: InFlight;
  #current?: InFlight;
  readonly #log = new BoundedLog();
  #runtimeState: RuntimeState = 'Started';
  /** Waiting for the runtime to ask for its next event after an answer (see whenReady). */
  #readyWaiters: Array<(ready: boolean) => void> = [];
  #lifeline?: { end(text: string): unknown };
  #frozen = false;
  #freezeTimer?: NodeJS.Timeout;
  #initDone?: (result: InitResult) => void;
  #initTimer?: NodeJS.Timeout;
  #initFailure?: InitFailure;
  #spawnedAt = 0;
  /** The sandbox's peak, read just before it was destroyed (a removed cgroup or a dead pid has none to read). */
  #finalPeakBytes?: number;
  #exitListeners: Array<(description: string) => void> = [];

  constructor(spec: EnvironmentSpec) {
    this.#spec = spec;
  }

  get id(): string {
    return this.#spec.id;
  }

  get sandbox(): Sandbox {
    return this.#spec.sandbox;
  }

  /** What runs in it (command, the runtime's real version, deviations from AWS's runtime). */
  get launch(): RuntimeLaunch {
    return this.#spec.launch;
  }

  /**
   * Spawns the runtime and resolves when it first asks for work (Init Duration), fails to start, or takes longer
   * than `initTimeoutMs` (then the environment is destroyed and the result says `timedOut`).
   */
  async start(initTimeoutMs = Number.POSITIVE_INFINITY): Promise<InitResult> {
    const { server, address } = await listenRuntimeApi({
      next: (res) => this.#onNext(res),
      response: (id, body) => this.#complete(id, { kind: 'response', body }),
      // The body's errorType is what callers see on AWS; the header (some clients send "unhandled") is a fallback.
      error: (id, errorType, body) =>
        this.#complete(id, { kind: 'error', body, errorType: preferBody(errorTypeOf(body), errorType) }),
      initError: (errorType, body) => {
        if (this.#runtimeState !== 'Started') return { from: this.#runtimeState, to: 'InitError' };
        this.#runtimeState = 'InitError';
        this.#initFailure = { errorType: preferBody(errorTypeOf(body), errorType), body };
        // The runtime still lives while it reports: the none driver's VmHWM is readable now, not after it exits.
        this.peakMemoryBytes();
        return undefined;
      },
      responseTooLarge: (id, bytes) =>
        this.#complete(id, {
          kind: 'error',
          errorType: 'Function.ResponseSizeTooLarge',
          body: errorBody(
            'Function.ResponseSizeTooLarge',
            `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (6291556 bytes).`,
          ),
        }),
      stream: { open: (id, contentType) => this.#openStream(id, contentType), end: (id, t) => this.#endStream(id, t) },
    });
    this.#server = server;
    if (this.state === 'dead') {
      // Destroyed while the listener was opening: spawning now would leave a runtime nobody kills.
      await this.destroy();
      return { initDurationMs: 0, failure: killedFailure(), log: '' };
    }
    const { command, args } = this.#spec.sandbox.wrap(this.#spec.launch.command, this.#spec.launch.args);
    const initResult = new Promise<InitResult>((resolve) => {
      this.#initDone = resolve;
    });
    this.#spawnedAt = performance.now();
    const unstartable = entrypointProblem(this.#spec.launch.command);
    if (unstartable) return this.#failStart(unstartable);
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        // The function's own variables win over the runtime's (as on AWS, where a user NODE_PATH is honoured).
        env: { ...this.#spec.launch.env, ...this.#spec.env, AWS_LAMBDA_RUNTIME_API: address },
        cwd: this.#spec.env.LAMBDA_TASK_ROOT,
        // Descriptor 3: the sandbox's wrapper says when it execs the runtime (Sandbox.wrap), then closes it.
        // Descriptor 4, where the sandbox asks for it: its lifeline (Sandbox.lifeline).
        stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...(this.#spec.sandbox.lifeline ? (['pipe'] as const) : [])],
        detached: this.#spec.sandbox.detached === true,
      });
    } catch (error) {
      return this.#failStart(spawnProblem(this.#spec.launch.command, error));
    }
    const lifeline = child.stdio[4] as NodeJS.WritableStream | null | undefined;
    if (lifeline) {
      lifeline.on('error', () => {});
      this.#lifeline = lifeline;
    }
    const announced = child.stdio[3];
    announced?.once('data', () => {
      // Init Duration counts from the runtime's start: the wrapper's cgroup and mount work is not the function's.
      if (this.state === 'starting') this.#spawnedAt = performance.now();
    });
    announced?.on('error', () => {});
    this.#child = child;
    if (child.pid) this.#spec.sandbox.attach(child.pid);
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.#output(text, child.stdout));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.#output(text, child.stderr));
    child.on('error', (error) => this.#onExit(`spawn error: ${error.message}`));
    child.on('exit', (code, signal) => this.#onExit(signal ? `signal: ${signalName(signal)}` : `exit status ${code}`));
    if (Number.isFinite(initTimeoutMs)) this.#initTimer = setTimeout(() => this.#initTimedOut(), initTimeoutMs);
    return initResult;
  }

  /** The runtime could not be started at all: AWS's Runtime.InvalidEntrypoint, and nothing of it is kept. */
  async #failStart(entrypoint: string): Promise<InitResult> {
    const done = this.#initDone;
    this.#initDone = undefined;
    this.#initFailure = {
      errorType: 'Runtime.InvalidEntrypoint',
      body: errorBody('Runtime.InvalidEntrypoint', entrypoint),
      entrypoint,
    };
    const result: InitResult = {
      initDurationMs: performance.now() - this.#spawnedAt,
      failure: this.#initFailure,
      log: '',
    };
    for (const listener of this.#exitListeners) listener('spawn failed');
    await this.destroy();
    done?.(result);
    return result;
  }

  /** Settles start() once, whichever of first /next, exit, timeout or destroy comes first. */
  #finishInit(result: InitResult): void {
    clearTimeout(this.#initTimer);
    const done = this.#initDone;
    this.#initDone = undefined;
    done?.(result);
  }

  #initTimedOut(): void {
    if (this.state !== 'starting') return;
    this.#finishInit({ initDurationMs: performance.now() - this.#spawnedAt, timedOut: true, log: this.#takeLog() });
    void this.destroy();
  }

  /** Calls `listener` if the runtime process exits; returns the unsubscribe function. */
  onExit(listener: (description: string) => void): () => void {
    this.#exitListeners.push(listener);
    return () => {
      this.#exitListeners = this.#exitListeners.filter((l) => l !== listener);
    };
  }

  #output(text: string, stream?: NodeJS.ReadableStream | null): void {
    this.#log.append(text);
    if (this.#spec.onOutput?.(text) === false && this.#spec.onOutputDrain && stream && !stream.isPaused()) {
      stream.pause();
      this.#spec.onOutputDrain(() => stream.resume());
    }
  }

  #takeLog(): string {
    return this.#log.take();
  }

  #onNext(res: RuntimeResponse): void {
    if (this.state === 'dead') return void res.destroy();
    const from = this.#runtimeState;
    if (from === 'Running' && this.#current) return this.#sendEvent(res, this.#current.dispatch);
    if (from === 'InitError') {
      // RAPID refuses /next after /init/error, and the invocation fails with the init error at once.
      invalidStateTransition(res, { from, to: 'Ready' });
      return this.#onExit('init error');
    }
    this.#runtimeState = 'Ready';
    this.#parkedNext = res;
    if (this.state === 'starting') {
      const initDurationMs = performance.now() - this.#spawnedAt;
      if (this.#spec.initCpuBoost) this.#spec.sandbox.setCpu(this.#spec.cpus);
      this.state = 'idle';
      this.#finishInit({ initDurationMs, log: this.#takeLog() });
    }
    if (this.#queued) {
      const queued = this.#queued;
      this.#queued = undefined;
      this.#deliver(queued);
    } else {
      this.state = 'idle';
      this.#scheduleFreeze();
      this.#settleReady(true);
    }
  }

  /** True when the runtime waits for work (a parked /next): the environment may take an invocation now. */
  get ready(): boolean {
    return this.state === 'idle' && this.#parkedNext !== undefined;
  }

  /**
   * Resolves true once the runtime asks for its next event, false if it dies first: an answered environment is
   * not reusable until then (a runtime may exit right after answering, as Node's does after an unhandled rejection).
   */
  whenReady(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.state === 'dead') return Promise.resolve(false);
    return new Promise((resolve) => {
      if (!Number.isFinite(timeoutMs)) return void this.#readyWaiters.push(resolve);
      const timer = setTimeout(() => {
        this.#readyWaiters = this.#readyWaiters.filter((waiter) => waiter !== settle);
        resolve(false);
      }, timeoutMs);
      const settle = (ready: boolean) => {
        clearTimeout(timer);
        resolve(ready);
      };
      this.#readyWaiters.push(settle);
    });
  }

  #settleReady(ready: boolean): void {
    if (this.#readyWaiters.length === 0) return;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const wake of waiters) wake(ready);
  }

  /** Runs one invocation; resolves with the runtime's response or error. Timeouts and crashes come via `fail`. */
  run(dispatch: Dispatch, timeoutMs: number, onTimeout: () => void): Promise<Outcome> {
    this.state = 'busy';
    this.lastUsedAt = Date.now();
    return new Promise<Outcome>((resolve) => {
      const inFlight: InFlight = { dispatch, startedAt: 0, resolve };
      inFlight.timer = setTimeout(onTimeout, timeoutMs);
      inFlight.timer.unref();
      if (this.#parkedNext) this.#deliver(inFlight);
      else this.#queued = inFlight;
    });
  }

  #deliver(inFlight: InFlight): void {
    const res = this.#parkedNext;
    if (!res) return;
    this.#parkedNext = undefined;
    if (this.#freezeTimer) clearTimeout(this.#freezeTimer);
    if (this.#frozen) {
      this.#spec.sandbox.thaw();
      this.#frozen = false;
    }
    this.#takeLog(); // output produced while idle belongs to no invocation
    this.#current = inFlight;
    this.#runtimeState = 'Running';
    inFlight.startedAt = performance.now();
    this.#sendEvent(res, inFlight.dispatch);
    const budgetUs = this.#spec.pollBudgetUs?.() ?? 0;
    if (budgetUs > 0) this.#poll(inFlight, inFlight.startedAt + budgetUs / 1000);
  }

  /** The event on a /next: the invocation's, and the same again for a second /next while it runs (as RAPID does). */
  #sendEvent(res: RuntimeResponse, dispatch: Dispatch): void {
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': dispatch.payload.length,
      'Lambda-Runtime-Aws-Request-Id': dispatch.requestId,
      'Lambda-Runtime-Deadline-Ms': dispatch.deadlineMs,
      'Lambda-Runtime-Invoked-Function-Arn': dispatch.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': dispatch.traceId,
    };
    if (dispatch.clientContext) {
      headers['Lambda-Runtime-Client-Context'] = Buffer.from(dispatch.clientContext, 'base64').toString('utf8');
    }
    res.writeHead(200, headers);
    res.end(dispatch.payload);
  }

  /**
   * Keeps the event loop turning (epoll with a zero timeout) until the answer arrives or `until`, instead of
   * sleeping in epoll: a sleeping engine's CPU goes idle, and waking an idle CPU (an IPI; a halted vCPU in a VM)
   * costs tens of µs on the answer's path. Go's scheduler, which AWS's own Runtime API server runs on, spins
   * briefly before parking for the same reason. Costs the engine at most the budget in CPU per invocation.
   */
  #poll(inFlight: InFlight, until: number): void {
    const turn = () => {
      if (this.#current === inFlight && performance.now() < until) setImmediate(turn);
    };
    setImmediate(turn);
  }

  #openStream(requestId: string, contentType: string): StreamedResponse | undefined {
    const current = this.#current;
    if (!current || current.dispatch.requestId !== requestId || current.streamed) return undefined;
    current.streamed = new StreamedResponse(current.dispatch.stream, contentType, requestId);
    return current.streamed;
  }

  #endStream(requestId: string, trailers: Record<string, string>): 'accepted' | 'unknown' | { limit: number } {
    const streamed = this.#current?.streamed;
    if (!streamed || this.#current?.dispatch.requestId !== requestId) return 'unknown';
    const result = streamed.finish(trailers);
    this.#complete(requestId, result);
    return (result.kind === 'error' && result.tooLarge) || 'accepted';
  }

  #complete(requestId: string, result: { kind: 'response' | 'error'; body: Buffer; errorType?: string }): Verdict {
    const current = this.#current;
    if (this.#runtimeState !== 'Running') {
      return {
        from: this.#runtimeState,
        to: result.kind === 'response' ? 'InvocationResponse' : 'InvocationErrorResponse',
      };
    }
    if (!current || current.dispatch.requestId !== requestId) return false;
    const durationMs = performance.now() - current.startedAt;
    const firstByteAt = current.streamed?.firstByteAt;
    this.#current = undefined;
    this.#runtimeState = 'RuntimeResponseSentState';
    clearTimeout(current.timer);
    // Output written just before the response may still sit in the pipe; one turn of the loop collects it.
    setImmediate(() => {
      const log = this.#takeLog();
      const outcome: Outcome =
        result.kind === 'response'
          ? { kind: 'response', body: result.body, durationMs, log }
          : { kind: 'error', body: result.body, errorType: result.errorType ?? 'Unknown', durationMs, log };
      if (firstByteAt !== undefined) outcome.firstByteMs = firstByteAt - current.startedAt;
      current.resolve(outcome);
    });
    return true;
  }

  /** Elapsed time of the invocation in flight and its log so far (for timeouts and crashes). */
  abortCurrent(): { durationMs: number; log: string } | null {
    const current = this.#current ?? this.#queued;
    if (!current) return null;
    clearTimeout(current.timer);
    this.#current = undefined;
    this.#queued = undefined;
    const durationMs = current.startedAt ? performance.now() - current.startedAt : 0;
    return { durationMs, log: this.#takeLog() };
  }

  #scheduleFreeze(): void {
    if (this.#freezeTimer) clearTimeout(this.#freezeTimer);
    this.#freezeTimer = setTimeout(() => {
      if (this.state === 'idle' && !this.#frozen) {
        this.#spec.sandbox.freeze();
        this.#frozen = true;
      }
    }, this.#spec.freezeDelayMs);
    this.#freezeTimer.unref();
  }

  #onExit(description: string): void {
    if (this.state === 'dead') return;
    const wasStarting = this.state === 'starting';
    this.state = 'dead';
    if (wasStarting) {
      const initDurationMs = performance.now() - this.#spawnedAt;
      const failure = this.#initFailure ?? {
        errorType: 'Runtime.ExitError',
        body: errorBody('Runtime.ExitError', `Runtime exited with error: ${description}`),
      };
      this.#finishInit({ initDurationMs, failure, log: this.#takeLog() });
    }
    for (const listener of this.#exitListeners) listener(description);
    void this.destroy();
  }

  get initFailure(): InitFailure | undefined {
    return this.#initFailure;
  }

  /** Peak memory of the environment so far; after destroy, the figure read just before the sandbox went. */
  peakMemoryBytes(): number {
    if (this.#finalPeakBytes !== undefined) return this.#finalPeakBytes;
    try {
      return this.#spec.sandbox.peakMemoryBytes();
    } catch {
      return 0;
    }
  }

  async destroy(): Promise<void> {
    this.#finalPeakBytes ??= this.peakMemoryBytes();
    this.state = 'dead';
    // Destroyed while starting (engine closed, function retired): whoever awaits start() must not wait forever.
    if (this.#initDone) {
      this.#finishInit({
        initDurationMs: performance.now() - this.#spawnedAt,
        failure: killedFailure(),
        log: this.#takeLog(),
      });
    }
    if (this.#freezeTimer) clearTimeout(this.#freezeTimer);
    this.#settleReady(false);
    this.#parkedNext?.destroy();
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) {
      if (this.#frozen) this.#spec.sandbox.thaw();
      this.#child.kill('SIGKILL');
    }
    // A line on the lifeline stands its watchdog down (end() sends it before closing): the engine cleans up itself.
    this.#lifeline?.end('done\n');
    this.#lifeline = undefined;
    await this.#spec.sandbox.destroy();
    await this.#spec.network?.close();
    if (this.#server) {
      this.#server.closeAllConnections();
      await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
      this.#server = undefined;
    }
  }
}

export function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

/** What a runtime killed before it finished init reports (as AWS words an environment killed under it). */
function killedFailure(): { errorType: string; body: Buffer } {
  return {
    errorType: 'Runtime.ExitError',
    body: errorBody('Runtime.ExitError', 'Runtime exited with error: signal: killed'),
  };
}

function errorTypeOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' ? parsed.errorType : 'Unknown';
  } catch {
    return 'Unknown';
  }
}

function signalName(signal: NodeJS.Signals): string {
  return signal === 'SIGKILL' ? 'killed' : signal;
}

function preferBody(fromBody: string, fromHeader: string | undefined): string {
  return fromBody !== 'Unknown' ? fromBody : (fromHeader ?? 'Unknown');
}
