import type { Engine } from '../engine/engine.js';
import type { TuneResult } from '../tuner/types.js';

export type Verdict = 'reproduced' | 'not reproduced' | 'not run';

/** One claim of the original write-up, its published figures, ours, and the verdict with the reason. */
export interface ClaimCheck {
  claim: string;
  published: string;
  measured: string;
  verdict: Verdict;
  why: string;
}

export interface ExperimentContext {
  engine: Engine;
  endpoints: { lambda: string; s3: string; dynamodb: string };
  quick: boolean;
  hostCpus: number;
  /** Largest memory size the host gives its full CPU share (cores × 1769 MB). */
  maxFullCpuMB: number;
  /** Runs the tuner on one function and keeps its result (and raw records) in the experiment's folder. */
  tune(label: string, functionName: string, options: TuneRequest): Promise<TuneResult>;
  log(message: string): void;
}

export interface TuneRequest {
  memorySizes: number[];
  payload: unknown;
  invocations: number;
  coldOnly?: boolean;
  warmup?: number;
}

export interface ExperimentOutcome {
  results: TuneResult[];
  claims: ClaimCheck[];
  notes: string[];
}

export interface Experiment {
  name: string;
  title: string;
  source: string;
  run(ctx: ExperimentContext): Promise<ExperimentOutcome>;
}

/** The sizes of `wanted` the host can honour; the rest are reported as capped. */
export function capSizes(wanted: number[], ctx: ExperimentContext): { sizes: number[]; capped: number[] } {
  return { sizes: wanted.filter((m) => m <= ctx.maxFullCpuMB), capped: wanted.filter((m) => m > ctx.maxFullCpuMB) };
}

export const median = (result: TuneResult, memoryMB: number): number | undefined =>
  result.configs.find((c) => c.memoryMB === memoryMB)?.durationMs?.p50;
