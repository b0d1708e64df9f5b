import type { Architecture, Report } from '../engine/types.js';
import type { IsolationKind } from '../sandbox/types.js';
import type { NetworkDescription } from '../services/network/index.js';

export type TargetKind = 'local' | 'aws';

export interface TargetFunction {
  name: string;
  /** The memory size configured before tuning (restored afterwards on AWS). */
  memoryMB: number;
  runtime: string;
  architecture: Architecture;
  arn?: string;
}

/** What a run was measured on: printed in every report so local numbers are never mistaken for AWS's. */
export interface TargetEnvironment {
  target: TargetKind;
  region: string;
  isolation?: IsolationKind;
  hostCpus?: number;
  cpuModel?: string;
  initCpuBoost?: boolean;
  /** AWS limits the local host could not apply (per environment), and why; absent on AWS. */
  limitsNotApplied?: string[];
  /** The network model the local engine's environments had (`{ model: 'none' }` without); absent on AWS. */
  network?: NetworkDescription;
}

/** A memory size made ready for invocations (on AWS: a published version behind a lambench alias). */
export interface ConfiguredFunction {
  functionName: string;
  memoryMB: number;
  qualifier?: string;
}

export interface TargetInvokeResult {
  requestId: string;
  payload: string;
  functionError: string | null;
  errorType: string | null;
  errorMessage?: string;
  report: Report;
  cold: boolean;
  /** Wall time seen by the caller, from request to response. */
  clientMs: number;
  /** memory/1769 vCPU exceeded what the target could give (local engine on a small host). */
  cpuCapped: boolean;
  /** The version the runtime really ran on (local: v22.23.5 for nodejs22.x); absent where the target does not say. */
  runtimeVersion?: string;
}

/**
 * Where functions run. The tuner only ever talks to this interface, so local and AWS are interchangeable;
 * both implementations pass the same contract test (targets/target.contract.ts).
 */
export interface Target {
  readonly kind: TargetKind;
  describe(functionName: string): Promise<TargetFunction>;
  configure(functionName: string, memoryMB: number): Promise<ConfiguredFunction>;
  invoke(fn: ConfiguredFunction, payload: string, options: { cold: boolean }): Promise<TargetInvokeResult>;
  /** Makes `memoryMB` the function's configured memory (the tuner's --auto-apply). */
  applyMemory(functionName: string, memoryMB: number): Promise<void>;
  environment(): Promise<TargetEnvironment>;
  /** The largest memory size this target can honour with full CPU (local: host cores × 1769 MB). */
  maxFullCpuMemoryMB(): number;
  /** The cores a function of this memory size sees on this target (AWS's vCPUs; a local host may cap them). */
  visibleCpus(memoryMB: number): number;
  /** Removes everything the target created and restores what it changed. Safe to call twice. */
  cleanup(): Promise<void>;
}
