import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import type { Target } from '../../targets/types.js';
import type { TunePlan } from '../plan.js';
import type { InvocationRecord, TuneResult } from '../types.js';
import { type ExecutionInput, executionPlan, type PowerTuningSettings, readExecutionInput } from './input.js';
import { type PowerTuningOutput, powerTuningOutput } from './output.js';
import { ProcessorTarget } from './processors.js';
import { fetchS3Payload, type S3PayloadOptions } from './s3-payload.js';

export { allPowerValues, checkExecutionInput, type ExecutionInput, executionPlan, payloadsOf } from './input.js';
export { type PowerTuningOutput, powerTuningOutput, stepFunctionsCost, trimmedMean } from './output.js';
export { ProcessorTarget } from './processors.js';

export const POWERTUNING_OUTPUT_FILE = 'powertuning.json';

/** An execution input made ready to run: its plan (flags typed on the command line override it) and what follows. */
export interface Execution {
  input: ExecutionInput;
  functionRef: string;
  plan: Partial<TunePlan>;
  settings: PowerTuningSettings;
  /** The target to tune through: with the input's pre/post-processors around each invocation. */
  wrap(target: Target): Target;
  /** A processor's failure, which PowerTuning would have stopped on; reported after the results are written. */
  failure(): LambenchError | undefined;
}

/** Reads `tune --input FILE` (payloadS3 fetched now, so a missing object fails before anything runs). */
export async function loadExecution(
  file: string,
  options: { target: 'local' | 'aws'; s3?: Omit<S3PayloadOptions, 'target'>; onWarning?: (message: string) => void },
): Promise<Execution> {
  const { input, unknown } = await readExecutionInput(file);
  if (unknown.length) options.onWarning?.(`${file}: ${unknown.join(', ')} not PowerTuning input fields; ignored.`);
  const payload = input.payloadS3
    ? await fetchS3Payload(input.payloadS3, { target: options.target, ...options.s3 })
    : input.payload;
  const { functionRef, plan, settings } = executionPlan(input, payload, options.target);
  // Applied after the run with PowerTuning's own pick (its output's power), not lambench's.
  const planned = { ...plan, autoApply: false };
  let wrapped: ProcessorTarget | undefined;
  return {
    input,
    functionRef,
    plan: planned,
    settings,
    wrap: (target) => {
      if (!settings.preProcessorARN && !settings.postProcessorARN) return target;
      wrapped = new ProcessorTarget(target, settings);
      return wrapped;
    },
    failure: () => wrapped?.failure,
  };
}

/** PowerTuning's reading of a run that did not come from an execution input (`--output-format powertuning`). */
export function defaultSettings(plan: Pick<TunePlan, 'invocations' | 'coldOnly'>): PowerTuningSettings {
  return {
    discardTopBottom: plan.coldOnly ? 0 : 0.2,
    onlyColdStarts: plan.coldOnly,
    num: plan.invocations,
    includeOutputResults: true,
    dryRun: false,
  };
}

/**
 * Writes `powertuning.json` (the state machine's output for these measurements) next to result.json, and does
 * what the input's autoOptimize / autoOptimizeAlias ask with that output's power value. Returns the output.
 */
export async function finishPowerTuning(
  target: Target,
  outDir: string,
  result: TuneResult,
  records: readonly InvocationRecord[],
  plan: Pick<TunePlan, 'memorySizes' | 'strategy' | 'balancedWeight' | 'functionName'>,
  settings: PowerTuningSettings,
  autoOptimize: boolean,
): Promise<PowerTuningOutput | null> {
  const output = powerTuningOutput(records, {
    memorySizes: plan.memorySizes,
    strategy: plan.strategy,
    balancedWeight: plan.balancedWeight,
    architecture: result.environment.architecture,
    region: result.environment.pricingRegion ?? result.environment.region,
    settings,
  });
  await writeFile(path.join(outDir, POWERTUNING_OUTPUT_FILE), `${JSON.stringify(output, null, 2)}\n`);
  if (output && autoOptimize && !settings.dryRun) {
    await target.applyMemory(plan.functionName, output.power);
    if (settings.autoOptimizeAlias) {
      if (!target.publishAlias) {
        throw new LambenchError('INVALID_ARGUMENT', `The ${target.kind} target cannot publish an alias.`);
      }
      await target.publishAlias(plan.functionName, settings.autoOptimizeAlias);
    }
  }
  return output;
}
