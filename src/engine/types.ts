import type { IsolationKind } from '../sandbox/types.js';

export type Architecture = 'x86_64' | 'arm64';

/**
 * A function's manifest: `function.json` in the function's folder. Field names follow CreateFunction's
 * parameters in camelCase so a manifest reads like the AWS console.
 */
export interface FunctionManifest {
  name: string;
  runtime: string;
  handler: string;
  /** MiB, 128–10240. Default 128 (as AWS). */
  memorySize: number;
  /** Seconds, 1–900. Default 3 (as AWS). */
  timeout: number;
  /** MiB of /tmp (EphemeralStorage), 512–10240. Default 512 (as AWS). */
  ephemeralStorage: number;
  environment: Record<string, string>;
  architecture: Architecture;
  description: string;
}

/** One immutable version ($LATEST is mutable and gets a new revisionId on every change). */
export interface FunctionVersion extends FunctionManifest {
  version: string;
  /** Folder holding the function's code (unzipped for functions created through the API). */
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  /**
   * The code came through CreateFunction / UpdateFunctionCode: it is run as uploaded, never built on the host
   * (no cargo, no pip install), as AWS never builds what it is given. Function folders are lambench's own or the user's.
   */
  uploaded?: boolean;
  /** The execution role given at CreateFunction / UpdateFunctionConfiguration (kept and shown, not enforced). */
  role?: string;
  revisionId: string;
  lastModified: string;
}

export interface Alias {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
}

export interface InvokeRequest {
  functionName: string;
  qualifier?: string;
  payload: Buffer | string;
  /** lambench extension: run at this memory size instead of the function's configured one. */
  memoryMB?: number;
  /** lambench extension: start a new environment even if a warm one is idle. */
  forceCold?: boolean;
  /** Base64 client context, passed to the runtime as Lambda-Runtime-Client-Context. */
  clientContext?: string;
}

/** The REPORT line's figures. */
export interface Report {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** Present only for the invocation that started the environment. */
  initDurationMs: number | null;
}

export interface InvokeResult {
  requestId: string;
  functionName: string;
  executedVersion: string;
  payload: Buffer;
  /** 'Unhandled' when the function failed (AWS no longer sends 'Handled'). */
  functionError: 'Unhandled' | null;
  errorType: string | null;
  /** START … REPORT for this invocation, as CloudWatch would show it. */
  logs: string;
  report: Report;
  cold: boolean;
  memoryMB: number;
  isolation: IsolationKind;
  /** True when memory/1769 vCPU exceeded the host's cores, so the function got less CPU than on AWS. */
  cpuCapped: boolean;
  /** Whether the init phase ran without the CPU quota (AWS boosts init CPU for on-demand environments). */
  initCpuBoost: boolean;
  /** Cores the function saw (os.availableParallelism(), nproc): AWS's vCPU count for its memory, capped by the host. */
  visibleCpus: number;
  /** The function's runtime identifier (nodejs22.x) and the version it really ran on (v22.23.5; null if unknown). */
  runtime: string;
  runtimeVersion: string | null;
  /**
   * AWS limits this host could not apply to the environment (CPU, memory, processes, cores, descriptors), and why;
   * also a runtime that ran on another version than AWS's ("python3.13 ran on Python 3.11.9").
   */
  limitsNotApplied: string[];
  /**
   * A streamed response (Lambda-Runtime-Function-Response-Mode: streaming): ms from the event's dispatch to the
   * response's first byte, next to `report.durationMs` (which runs to the stream's end). Not on AWS's REPORT line.
   */
  firstByteMs?: number;
}
