import type { ChartSeries, ChartSpec } from '../report/chart-spec.js';
import type { TargetInvokeResult, TargetKind } from '../targets/types.js';
import type { TuneResult } from '../tuner/types.js';
import type { FidelityScore } from './fidelity.js';

export type Verdict = 'reproduced' | 'not reproduced' | 'not run';

/** One claim of the original write-up, its published figures, ours, and the verdict with the reason. */
export interface ClaimCheck {
  claim: string;
  published: string;
  measured: string;
  verdict: Verdict;
  why: string;
}

/**
 * What an experiment may use. It never sees the engine or the AWS client, so every experiment runs on the local
 * engine and on AWS Lambda alike (`lambench run --target aws`).
 */
export interface ExperimentContext {
  target: TargetKind;
  /** The bucket the experiment's data goes to (local: the embedded S3's; AWS: the user's `--bucket`). */
  bucket: string;
  /** Where to upload data: the embedded S3's endpoint, or undefined for the SDK's default chain (AWS). */
  s3Endpoint: string | undefined;
  quick: boolean;
  /** `--only`: the functions (or tuner labels) to run; undefined = all the experiment has. */
  only?: string[];
  hostCpus: number;
  /** Largest memory size the host gives its full CPU share (cores × 1769 MB). */
  maxFullCpuMB: number;
  /** Runs the tuner on one function and keeps its result (and raw records) in the experiment's folder. */
  tune(label: string, functionName: string, options: TuneRequest): Promise<TuneResult>;
  /** Whether a built-in function can run here (its runtime or toolchain is present). */
  has(functionName: string): boolean;
  /** Makes a function ready that the experiment's functions call themselves (fan-out's target); tune/invoke do it too. */
  prepare(functionName: string): Promise<void>;
  /** One invocation outside the tuner, at `memoryMB` (default: the function's own), optionally a forced cold start. */
  invoke(
    functionName: string,
    payload: unknown,
    options?: { memoryMB?: number; cold?: boolean },
  ): Promise<TargetInvokeResult>;
  /** Makes the next invocations of a function start cold; false where the target cannot (AWS, outside the tuner). */
  retireEnvironments(functionName: string): Promise<boolean>;
  log(message: string): void;
}

export interface TuneRequest {
  memorySizes: number[];
  payload: unknown;
  invocations: number;
  coldOnly?: boolean;
  warmup?: number;
}

/** A figure table for the report (e.g. ours beside the published one), rendered in HTML and Markdown. */
export interface OutcomeTable {
  title: string;
  header: string[];
  rows: string[][];
}

export interface ExperimentOutcome {
  results: TuneResult[];
  claims: ClaimCheck[];
  notes: string[];
  tables?: OutcomeTable[];
  /** Curves added to a result's PowerTuning chart, by the result's label (`function`): e.g. the published curve. */
  chartSeries?: Record<string, ChartSeries[]>;
  /** Charts of the experiment's own, drawn after the shared ones. */
  charts?: ChartSpec[];
  /** Our curves against the published AWS ones (written to fidelity.json beside the report). */
  fidelity?: FidelityScore[];
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

/**
 * Whether `--only` lets an experiment run this function or tuner label: a name matches itself and its labels
 * ("api-calls-python" selects "api-calls-python serial"); `*` matches anything ("*-as-published").
 */
export function selected(ctx: Pick<ExperimentContext, 'only'>, name: string): boolean {
  if (!ctx.only) return true;
  return ctx.only.some((pattern) => {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    return new RegExp(`^${escaped}( .*)?$`).test(name);
  });
}
