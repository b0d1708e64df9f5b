import { readFile } from 'node:fs/promises';
import { parseFunctionRef } from '../../engine/arn.js';
import { LambenchError } from '../../errors.js';
import { type PayloadSpec, STRATEGIES, type Strategy, type TunePlan } from '../plan.js';

/**
 * AWS Lambda Power Tuning's state machine input, as its README-EXECUTE.md documents it. lambench reads it as is:
 * a file someone has been passing to StartExecution for years runs unchanged.
 */
export interface ExecutionInput {
  lambdaARN: string;
  num: number;
  powerValues?: number[] | string;
  payload?: unknown;
  payloadS3?: string;
  parallelInvocation?: boolean;
  strategy?: Strategy;
  balancedWeight?: number;
  autoOptimize?: boolean;
  autoOptimizeAlias?: string;
  dryRun?: boolean;
  preProcessorARN?: string;
  postProcessorARN?: string;
  discardTopBottom?: number;
  sleepBetweenRunsMs?: number;
  disablePayloadLogs?: boolean;
  includeOutputResults?: boolean;
  onlyColdStarts?: boolean;
  allowedExceptions?: string[];
}

const KNOWN = new Set<string>([
  'lambdaARN',
  'num',
  'powerValues',
  'payload',
  'payloadS3',
  'parallelInvocation',
  'strategy',
  'balancedWeight',
  'autoOptimize',
  'autoOptimizeAlias',
  'dryRun',
  'preProcessorARN',
  'postProcessorARN',
  'discardTopBottom',
  'sleepBetweenRunsMs',
  'disablePayloadLogs',
  'includeOutputResults',
  'onlyColdStarts',
  'allowedExceptions',
]);

/** PowerTuning's deploy-time default (its template's PowerValues parameter), used when the input gives none. */
export const POWERTUNING_DEFAULT_POWER_VALUES = [128, 256, 512, 1024, 1536, 3008];

/** `"powerValues": "ALL"`: PowerTuning's utils.allPowerValues(), 128 to 3008 MB in steps of 64. */
export const allPowerValues = (): number[] => Array.from({ length: (3008 - 128) / 64 + 1 }, (_, i) => 128 + i * 64);

const bad = (file: string, message: string, hint?: string) =>
  new LambenchError(
    'INVALID_ARGUMENT',
    `${file}: ${message}`,
    hint ?? 'See PowerTuning\'s README-EXECUTE.md ("State machine input").',
  );

/** Reads and checks an execution input; unknown fields are returned so the caller can warn (PowerTuning ignores them). */
export async function readExecutionInput(file: string): Promise<{ input: ExecutionInput; unknown: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `Cannot read the execution input ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw bad(file, `not valid JSON: ${(error as Error).message}`);
  }
  return { input: checkExecutionInput(raw, file), unknown: Object.keys(raw as object).filter((k) => !KNOWN.has(k)) };
}

export function checkExecutionInput(raw: unknown, file = 'execution input'): ExecutionInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(file, 'must be a JSON object.');
  const input = raw as Record<string, unknown>;
  // PowerTuning's initializer: "Missing or empty lambdaARN", "Missing num or num below 5".
  if (typeof input.lambdaARN !== 'string' || input.lambdaARN === '') throw bad(file, 'Missing or empty lambdaARN.');
  const num = Number.parseInt(String(input.num), 10);
  if (!Number.isFinite(num) || num < 5) throw bad(file, `Missing num or num below 5 (got ${String(input.num)}).`);
  if (input.strategy !== undefined && !(STRATEGIES as readonly unknown[]).includes(input.strategy)) {
    throw bad(file, `strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(input.strategy)}.`);
  }
  for (const key of ['balancedWeight', 'discardTopBottom'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'number') throw bad(file, `${key} must be a number.`);
  }
  for (const key of ['lambdaARN', 'payloadS3', 'autoOptimizeAlias', 'preProcessorARN', 'postProcessorARN'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'string') throw bad(file, `${key} must be a string.`);
  }
  if (input.payloadS3 !== undefined && !/^s3:\/\/[^/]+\/.+/.test(String(input.payloadS3))) {
    throw bad(file, `Invalid S3 path "${String(input.payloadS3)}", not in the format s3://BUCKET/KEY.`);
  }
  if (
    input.allowedExceptions !== undefined &&
    !(Array.isArray(input.allowedExceptions) && input.allowedExceptions.every((e) => typeof e === 'string'))
  ) {
    throw bad(file, 'allowedExceptions must be a list of error types, e.g. ["TimeoutError"].');
  }
  return { ...(input as unknown as ExecutionInput), num };
}

/** The sizes to run: a list, "ALL", or (absent or empty) PowerTuning's default. */
export function powerValuesOf(input: ExecutionInput): number[] {
  const values = input.powerValues;
  if (values === 'ALL') return allPowerValues();
  if (values === undefined || values === '' || (Array.isArray(values) && values.length === 0)) {
    return [...POWERTUNING_DEFAULT_POWER_VALUES];
  }
  const list = Array.isArray(values) ? values : String(values).split(',');
  return list.map((v) => {
    const n = Number.parseInt(String(v).trim(), 10);
    if (!Number.isInteger(n)) {
      throw new LambenchError('INVALID_ARGUMENT', `powerValues: "${String(v)}" is not a memory size.`);
    }
    return n;
  });
}

/** PowerTuning's utils.convertPayload: a JSON-encoded string is sent as is, anything else JSON-encoded. */
export const convertPayload = (payload: unknown): string => {
  if (typeof payload === 'string') {
    try {
      JSON.parse(payload);
      return payload;
    } catch {
      return JSON.stringify(payload);
    }
  }
  return JSON.stringify(payload ?? null);
};

const isWeighted = (payload: unknown): payload is Array<{ payload: unknown; weight: number }> =>
  Array.isArray(payload) &&
  payload.length > 0 &&
  payload.every((p) => typeof p === 'object' && p !== null && p.weight && p.payload);

/**
 * The payloads with PowerTuning's counts (utils.generatePayloads): floor(weight × num / total) each, the last one
 * taking what is left; a payload whose share rounds to 0 is PowerTuning's "Invalid payload weight". Given as
 * weights equal to the counts, lambench's schedule sends exactly as many of each.
 */
export function payloadsOf(payload: unknown, num: number): PayloadSpec[] {
  if (!isWeighted(payload)) return [{ name: 'payload', payload: convertPayload(payload), weight: 1 }];
  if (num < payload.length) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `You have ${payload.length} payloads and only "num"=${num}. Please increase "num".`,
    );
  }
  const total = payload.reduce((sum, p) => sum + Number(p.weight), 0);
  let done = 0;
  return payload.map((p, i) => {
    let count = Math.floor((Number(p.weight) * num) / total);
    if (count < 1) throw new LambenchError('INVALID_ARGUMENT', 'Invalid payload weight (num is too small).');
    if (i === payload.length - 1) count = num - done;
    done += count;
    return { name: `payload-${i + 1}`, payload: convertPayload(p.payload), weight: count };
  });
}

/** How PowerTuning summarises each size: the trimmed share and the cold-start rule. */
export interface PowerTuningSettings {
  discardTopBottom: number;
  onlyColdStarts: boolean;
  num: number;
  includeOutputResults: boolean;
  dryRun: boolean;
  autoOptimizeAlias?: string;
  preProcessorARN?: string;
  postProcessorARN?: string;
}

/**
 * The tune plan an execution input asks for (fields lambench's flags also set; flags typed on the command line win
 * over it), plus what only the PowerTuning output uses. `payload` is the input's payload or payloadS3's object.
 */
export function executionPlan(
  input: ExecutionInput,
  payload: unknown,
  target: 'local' | 'aws',
): { functionRef: string; plan: Partial<TunePlan>; settings: PowerTuningSettings } {
  const num = input.dryRun ? 1 : input.num;
  const onlyColdStarts = input.onlyColdStarts === true;
  // PowerTuning clamps these rather than refusing them.
  const discardTopBottom = onlyColdStarts ? 0 : Math.min(Math.max(input.discardTopBottom ?? 0.2, 0), 0.4);
  const balancedWeight = Math.min(Math.max(input.balancedWeight ?? 0.5, 0), 1);
  const sleep = Number.parseInt(String(input.sleepBetweenRunsMs ?? 0), 10);
  const plan: Partial<TunePlan> = {
    memorySizes: powerValuesOf(input),
    invocations: num,
    parallel: input.parallelInvocation === true,
    payloads: payloadsOf(payload, num),
    strategy: input.strategy ?? 'cost',
    balancedWeight,
    coldOnly: onlyColdStarts,
    // PowerTuning has no warm-up: its trimmed mean discards the slowest (cold) runs instead.
    warmup: 0,
    sleepBetweenMs: Number.isFinite(sleep) && sleep > 0 ? sleep : 0,
    allowedErrorTypes: input.allowedExceptions ?? [],
    autoApply: input.autoOptimize === true && !input.dryRun,
  };
  // Locally the function is the one named by the ARN's name; on AWS the ARN itself (its region picks the client's).
  const functionRef = target === 'local' ? parseFunctionRef(input.lambdaARN).name : input.lambdaARN;
  return {
    functionRef,
    plan,
    settings: {
      discardTopBottom,
      onlyColdStarts,
      num,
      includeOutputResults: input.includeOutputResults === true,
      dryRun: input.dryRun === true,
      ...(input.autoOptimize && input.autoOptimizeAlias ? { autoOptimizeAlias: input.autoOptimizeAlias } : {}),
      ...(input.preProcessorARN ? { preProcessorARN: input.preProcessorARN } : {}),
      ...(input.postProcessorARN ? { postProcessorARN: input.postProcessorARN } : {}),
    },
  };
}
