import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { invalidParameter, LambenchError } from '../errors.js';
import { isSupportedRuntime, SUPPORTED_RUNTIMES } from '../runtimes/index.js';
import { checkVariables, ENV_KEY_PATTERN } from './constraints.js';
import type { Architecture, FunctionManifest } from './types.js';

export const MANIFEST_FILE = 'function.json';
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;
export const MAX_TIMEOUT_S = 900;

const NAME_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;
/** AWS's: any 1-128 characters without whitespace ("core" too: the runtime, not CreateFunction, refuses it). */
const HANDLER_PATTERN = /^[^\s]{1,128}$/;
const ENV_KEY = new RegExp(`^(?:${ENV_KEY_PATTERN})$`);
export const MAX_DESCRIPTION_LENGTH = 256;

export function validateMemory(memoryMB: unknown, what = 'MemorySize'): number {
  if (
    typeof memoryMB !== 'number' ||
    !Number.isInteger(memoryMB) ||
    memoryMB < MIN_MEMORY_MB ||
    memoryMB > MAX_MEMORY_MB
  ) {
    throw invalidParameter(
      `${what} ${String(memoryMB)} is not valid: it must be an integer between ${MIN_MEMORY_MB} and ${MAX_MEMORY_MB} MB.`,
      'Pick a memory size such as 128, 512, 1024 or 1769 (one full vCPU).',
    );
  }
  return memoryMB;
}

export const MIN_TMP_MB = 512;
export const MAX_TMP_MB = 10_240;

/** EphemeralStorage.Size: the MB of /tmp, 512 to 10,240 as on AWS. */
export function validateEphemeralStorage(sizeMB: unknown, what = 'EphemeralStorage.Size'): number {
  if (typeof sizeMB !== 'number' || !Number.isInteger(sizeMB) || sizeMB < MIN_TMP_MB || sizeMB > MAX_TMP_MB) {
    throw invalidParameter(
      `${what} ${String(sizeMB)} is not valid: it must be an integer between ${MIN_TMP_MB} and ${MAX_TMP_MB} MB.`,
      'Leave it out for the default 512 MB of /tmp.',
    );
  }
  return sizeMB;
}

export function validateTimeout(seconds: unknown): number {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_S) {
    throw invalidParameter(`Timeout ${String(seconds)} is not valid: it must be an integer between 1 and 900 seconds.`);
  }
  return seconds;
}

/** AWS refuses an unsupported runtime at CreateFunction / UpdateFunctionConfiguration, not at the first invoke. */
export function validateRuntime(runtime: unknown): string {
  if (typeof runtime !== 'string' || !runtime) throw invalidParameter('runtime is required, e.g. "nodejs20.x".');
  if (!isSupportedRuntime(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is not supported for creating or updating functions.`,
      `Use ${SUPPORTED_RUNTIMES}.`,
    );
  }
  return runtime;
}

export function validateHandler(handler: unknown, runtime: string): string {
  if (runtime.startsWith('provided') && (handler === undefined || handler === '')) return 'bootstrap';
  if (typeof handler !== 'string' || !HANDLER_PATTERN.test(handler)) {
    throw invalidParameter(
      `Handler ${JSON.stringify(handler)} is not valid: it must be 1 to 128 characters without whitespace.`,
      'Name the file and export, e.g. "index.handler" (Node.js, Python) or "bootstrap" (provided.*).',
    );
  }
  return handler;
}

export function validateDescription(description: unknown): string {
  if (description === undefined) return '';
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidParameter(`description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  }
  return description;
}

export function validateFunctionName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw invalidParameter(
      `Function name ${JSON.stringify(name)} is not valid: use 1-64 letters, digits, hyphens or underscores.`,
    );
  }
  return name;
}

/** Variables as Lambda takes them: names of 2+ letters, digits and underscores, no reserved ones, 4 KB in all. */
export function validateEnvironment(env: unknown): Record<string, string> {
  if (env === undefined) return {};
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw invalidParameter('environment must be an object of string values, e.g. {"LOG_LEVEL": "debug"}.');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_KEY.test(key)) {
      throw invalidParameter(
        `Environment variable name ${JSON.stringify(key)} is not valid: it must match ${ENV_KEY_PATTERN} (a letter, then one or more letters, digits or underscores).`,
      );
    }
    out[key] = typeof value === 'string' ? value : String(value);
  }
  checkVariables(out);
  return out;
}

/** Checks a manifest object and fills AWS's defaults (128 MB, 3 s, x86_64). */
export function normalizeManifest(raw: unknown, source: string): FunctionManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LambenchError('INVALID_MANIFEST', `${source}: a manifest must be a JSON object.`);
  }
  const m = raw as Record<string, unknown>;
  const allowed = new Set([
    'name',
    'runtime',
    'handler',
    'memorySize',
    'timeout',
    'ephemeralStorage',
    'environment',
    'architecture',
    'description',
  ]);
  for (const key of Object.keys(m)) {
    if (!allowed.has(key)) {
      throw new LambenchError(
        'INVALID_MANIFEST',
        `${source}: unknown field "${key}".`,
        `Allowed fields: ${[...allowed].join(', ')}.`,
      );
    }
  }
  try {
    const runtime = validateRuntime(m.runtime);
    const architecture = (m.architecture ?? 'x86_64') as Architecture;
    if (architecture !== 'x86_64' && architecture !== 'arm64') {
      throw invalidParameter(`architecture must be "x86_64" or "arm64", not ${JSON.stringify(m.architecture)}.`);
    }
    return {
      name: validateFunctionName(m.name),
      runtime,
      handler: validateHandler(m.handler, runtime),
      memorySize: validateMemory(m.memorySize ?? 128, 'memorySize'),
      timeout: validateTimeout(m.timeout ?? 3),
      ephemeralStorage: validateEphemeralStorage(m.ephemeralStorage ?? MIN_TMP_MB, 'ephemeralStorage'),
      environment: validateEnvironment(m.environment),
      architecture,
      description: validateDescription(m.description),
    };
  } catch (error) {
    if (error instanceof LambenchError && error.code === 'AWS') {
      throw new LambenchError('INVALID_MANIFEST', `${source}: ${error.message}`, error.hint, { cause: error });
    }
    throw error;
  }
}

export async function readManifest(dir: string): Promise<FunctionManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LambenchError('INVALID_MANIFEST', `Cannot read ${file}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LambenchError(
      'INVALID_MANIFEST',
      `${file} is not valid JSON: ${(error as Error).message}`,
      'Fix the JSON syntax.',
    );
  }
  return normalizeManifest(raw, file);
}
