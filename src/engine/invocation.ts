import type { IsolationKind } from '../sandbox/types.js';
import { type Environment, errorBody, type InitResult, type Outcome } from './environment.js';
import { billedDuration, endLine, initReportLine, initStartLine, reportLine, startLine, timeoutLine } from './logs.js';
import type { StreamListener } from './runtime-stream.js';
import type { FunctionVersion, InvokeResult, Report } from './types.js';

export interface Invocation {
  requestId: string;
  fn: FunctionVersion;
  memoryMB: number;
  payload: Buffer;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
  /** InvokeWithResponseStream: where a streamed response goes as it arrives. */
  stream?: StreamListener;
}

interface RunMeta {
  isolation: IsolationKind;
  cpuCapped: boolean;
  initCpuBoost: boolean;
  /** Cores the engine may use: what an environment without a cpuset of its own sees. */
  hostCpus: number;
}

export type Ending = (
  | Outcome
  | { kind: 'timeout'; durationMs: number; log: string }
  | { kind: 'crash'; description: string; oom: boolean; durationMs: number; log: string }
) & { peakBytes?: number };

const MiB = 1024 * 1024;

/** What Invoke answers; without LogType Tail it is all a client sees of an invocation. */
export type Answer = Pick<InvokeResult, 'requestId' | 'executedVersion' | 'payload' | 'functionError'>;

/** An invocation that has ended: its answer and its log up to END, before the REPORT. */
export interface Ended {
  answer: Answer;
  errorType: string | null;
  ending: Ending;
  log: string;
  /** The suppressed init that ran inside this invocation, if any. */
  retry: InitResult | undefined;
}

/**
 * Runs one invocation on an environment (cold when `init` is given) and turns what happened into AWS's
 * result: payload, function error, START/END/REPORT log and the REPORT figures.
 */
export async function runInvocation(
  environment: Environment,
  init: InitResult | null,
  invocation: Invocation,
  meta: RunMeta,
): Promise<InvokeResult> {
  return reportInvocation(environment, init, invocation, meta, await endInvocation(environment, init, invocation));
}

/** Runs one invocation up to its answer: everything but the REPORT bookkeeping (peak memory, log lines). */
export async function endInvocation(
  environment: Environment,
  init: InitResult | null,
  invocation: Invocation,
): Promise<Ended> {
  const { requestId, fn } = invocation;
  // INIT hit its limit: AWS says so, then retries init inside this invocation (its Duration includes the retry).
  const retry = init?.suppressed;
  const retryMs = retry?.initDurationMs ?? 0;
  let log = init ? initStartLine(fn.runtime) + init.log : '';
  if (init && retry) log += initReportLine(init.initDurationMs, 'init', 'timeout');
  log += startLine(requestId, fn.version) + (retry?.log ?? '');
  const failure = retry ? retry.failure : init?.failure;
  let ending: Ending;
  if (retry?.timedOut) {
    log += initReportLine(retryMs, 'invoke', 'timeout');
    ending = { kind: 'timeout', durationMs: fn.timeout * 1000, log: '' };
  } else if (failure?.entrypoint) {
    // The runtime could not be started: AWS words it per request, in the log and in the payload.
    const message = `RequestId: ${requestId} Error: ${failure.entrypoint}`;
    log += `${initReportLine(init?.initDurationMs ?? 0, 'invoke', 'error', failure.errorType)}${message}\n${failure.errorType}\n`;
    const body = errorBody(failure.errorType, message);
    ending = { kind: 'error', body, errorType: failure.errorType, durationMs: retryMs, log: '' };
  } else if (failure) {
    if (retry) log += initReportLine(retryMs, 'invoke', 'error');
    ending = { kind: 'error', body: failure.body, errorType: failure.errorType, durationMs: retryMs, log: '' };
  } else {
    ending = await runToEnd(environment, invocation, retryMs);
    ending.durationMs += retryMs;
    if ('firstByteMs' in ending && ending.firstByteMs !== undefined) ending.firstByteMs += retryMs;
  }
  log += ending.log;
  let payload: Buffer;
  let errorType: string | null = null;
  switch (ending.kind) {
    case 'response':
      payload = ending.body;
      break;
    case 'error':
      payload = ending.body;
      errorType = ending.errorType;
      break;
    case 'timeout': {
      log += timeoutLine(requestId, fn.timeout);
      errorType = 'Sandbox.Timedout';
      payload = errorBody(
        errorType,
        `RequestId: ${requestId} Error: Task timed out after ${fn.timeout.toFixed(2)} seconds`,
      );
      break;
    }
    case 'crash': {
      errorType = ending.oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      const message = ending.oom
        ? 'Runtime exited with error: signal: killed'
        : `Runtime exited with error: ${ending.description}`;
      log += `RequestId: ${requestId} Error: ${message}\n${errorType}\n`;
      payload = errorBody(errorType, `RequestId: ${requestId} Error: ${message}`);
      break;
    }
  }
  const answer: Answer = {
    requestId,
    executedVersion: fn.version,
    payload,
    functionError: errorType === null ? null : 'Unhandled',
  };
  return { answer, errorType, ending, log, retry };
}

/** The REPORT figures and the full log of an ended invocation, read and formatted now. */
function reportInvocation(
  environment: Environment,
  init: InitResult | null,
  invocation: Invocation,
  meta: RunMeta,
  ended: Ended,
): InvokeResult {
  const { requestId, fn } = invocation;
  const { answer, ending, retry } = ended;
  let log = ended.log;
  // A suppressed init is part of Duration; REPORT shows no Init Duration then.
  const initDurationMs = init && !retry ? round2(init.initDurationMs) : null;
  const durationMs = round2(ending.durationMs);
  const report: Report = {
    durationMs,
    billedDurationMs: billedDuration(durationMs, initDurationMs),
    memorySizeMB: invocation.memoryMB,
    maxMemoryUsedMB: Math.max(1, Math.round((ending.peakBytes ?? readPeak(environment)) / MiB)),
    initDurationMs,
  };
  log += endLine(requestId) + reportLine(requestId, report);
  return {
    ...answer,
    functionName: fn.name,
    errorType: ended.errorType,
    logs: log,
    report,
    cold: init !== null,
    memoryMB: invocation.memoryMB,
    isolation: meta.isolation,
    cpuCapped: meta.cpuCapped,
    initCpuBoost: init !== null && meta.initCpuBoost,
    visibleCpus: environment.sandbox.applied.cpuList?.length ?? meta.hostCpus,
    runtime: fn.runtime,
    runtimeVersion: environment.launch.runtimeVersion ?? null,
    limitsNotApplied: [...environment.sandbox.applied.notApplied, ...(environment.launch.deviations ?? [])],
    ...('firstByteMs' in ending && ending.firstByteMs !== undefined ? { firstByteMs: round2(ending.firstByteMs) } : {}),
  };
}

/**
 * Waits for the runtime's answer, the timeout, or the process's death, whichever comes first. `elapsedMs` of the
 * timeout is already spent (a suppressed init).
 */
async function runToEnd(environment: Environment, invocation: Invocation, elapsedMs: number): Promise<Ending> {
  const timeoutMs = Math.max(1, invocation.fn.timeout * 1000 - elapsedMs);
  let unsubscribe = () => {};
  const ending = await new Promise<Ending>((resolve) => {
    unsubscribe = environment.onExit((description) => {
      // Read the OOM flag now: the sandbox is removed right after the exit is handled.
      const oom = environment.sandbox.oomKilled();
      const peakBytes = readPeak(environment);
      const aborted = environment.abortCurrent();
      resolve({
        kind: 'crash',
        description,
        oom,
        peakBytes,
        durationMs: aborted?.durationMs ?? 0,
        log: aborted?.log ?? '',
      });
    });
    const dispatch = {
      requestId: invocation.requestId,
      payload: invocation.payload,
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: invocation.invokedFunctionArn,
      traceId: invocation.traceId,
      ...(invocation.clientContext ? { clientContext: invocation.clientContext } : {}),
      ...(invocation.stream ? { stream: invocation.stream } : {}),
    };
    environment
      .run(dispatch, timeoutMs, () => {
        const aborted = environment.abortCurrent();
        const peakBytes = readPeak(environment);
        resolve({
          kind: 'timeout',
          peakBytes,
          durationMs: Math.max(timeoutMs, aborted?.durationMs ?? 0),
          log: aborted?.log ?? '',
        });
        void environment.destroy();
      })
      .then(resolve);
  });
  unsubscribe();
  return ending;
}

/** Read through the environment: it keeps the figure its sandbox had just before an init failure or crash removed it. */
function readPeak(environment: Environment): number {
  return environment.peakMemoryBytes();
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;
