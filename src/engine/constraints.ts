import { AwsError, invalidParameter } from '../errors.js';
import { isSupportedRuntime } from '../runtimes/index.js';

/**
 * AWS's documented constraints on the control-plane parameters (Lambda API reference), answered as AWS answers
 * them: the model's constraints with ValidationException ("N validation errors detected: …"), the service's own
 * rules (environment size, reserved keys, retired runtimes) with InvalidParameterValueException.
 */

export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
export const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
export const HANDLER_PATTERN = '[^\\s]+';
export const ENV_KEY_PATTERN = '[a-zA-Z]([a-zA-Z0-9_])+';
const ALIAS_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const VERSION_PATTERN = '(\\$LATEST|[0-9]+)';

/** AWS's Runtime enum (the SDK's model, December 2026): a name outside it is a ValidationException. */
export const AWS_RUNTIMES = [
  'nodejs',
  'nodejs4.3',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'nodejs26.x',
  'nodejs4.3-edge',
  'java8',
  'java8.al2',
  'java8.al2023',
  'java11',
  'java11.al2023',
  'java17',
  'java17.al2023',
  'java21',
  'java25',
  'python2.7',
  'python3.6',
  'python3.7',
  'python3.8',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'python3.15',
  'dotnetcore1.0',
  'dotnetcore2.0',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'dotnet6',
  'dotnet8',
  'dotnet10',
  'go1.x',
  'ruby2.5',
  'ruby2.7',
  'ruby3.2',
  'ruby3.3',
  'ruby3.4',
  'ruby4.0',
  'provided',
  'provided.al2',
  'provided.al2023',
];

/** Runtimes AWS no longer lets anyone create or update functions with, and what it recommends instead. */
const RETIRED: Record<string, string> = {
  nodejs: 'nodejs24.x',
  'nodejs4.3': 'nodejs24.x',
  'nodejs4.3-edge': 'nodejs24.x',
  'nodejs6.10': 'nodejs24.x',
  'nodejs8.10': 'nodejs24.x',
  'nodejs10.x': 'nodejs24.x',
  'nodejs12.x': 'nodejs24.x',
  'nodejs14.x': 'nodejs24.x',
  'nodejs16.x': 'nodejs24.x',
  'python2.7': 'python3.14',
  'python3.6': 'python3.14',
  'python3.7': 'python3.14',
  'python3.8': 'python3.14',
  'dotnetcore1.0': 'dotnet8',
  'dotnetcore2.0': 'dotnet8',
  'dotnetcore2.1': 'dotnet8',
  'dotnetcore3.1': 'dotnet8',
  dotnet6: 'dotnet8',
  'go1.x': 'provided.al2023',
  'ruby2.5': 'ruby3.4',
  'ruby2.7': 'ruby3.4',
  java8: 'java21',
};

/**
 * Variables Lambda sets itself and refuses in a function's configuration. TZ is documented among them, but Lambda
 * accepts it (functions set their time zone with it), so lambench does too.
 */
export const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Lambda's limit on a function's variables, measured over their JSON form. */
export const MAX_ENVIRONMENT_BYTES = 4096;

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);
const shown = (value: unknown) =>
  value === null || value === undefined
    ? 'null'
    : `'${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}'`;

/** Collects a request's constraint violations; AWS reports them all at once. */
export class Constraints {
  readonly #violations: string[] = [];

  #fail(at: string, value: unknown, constraint: string): void {
    this.#violations.push(`Value ${shown(value)} at '${at}' failed to satisfy constraint: ${constraint}`);
  }

  required(at: string, value: unknown): boolean {
    if (value !== undefined && value !== null) return true;
    this.#fail(at, null, 'Member must not be null');
    return false;
  }

  string(at: string, value: unknown, { min = 0, max = Infinity, pattern }: StringRule = {}): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') return this.#fail(at, value, 'Member must be a string');
    if (value.length < min) return this.#fail(at, value, `Member must have length greater than or equal to ${min}`);
    if (value.length > max) return this.#fail(at, value, `Member must have length less than or equal to ${max}`);
    if (pattern && !whole(pattern).test(value)) {
      this.#fail(at, value, `Member must satisfy regular expression pattern: ${pattern}`);
    }
  }

  integer(at: string, value: unknown, min: number, max?: number): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value))
      return this.#fail(at, value, 'Member must be an integer');
    if (value < min) return this.#fail(at, value, `Member must have value greater than or equal to ${min}`);
    if (max !== undefined && value > max) this.#fail(at, value, `Member must have value less than or equal to ${max}`);
  }

  oneOf(at: string, value: unknown, values: readonly string[]): void {
    if (value === undefined || value === null || (typeof value === 'string' && values.includes(value))) return;
    this.#fail(at, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }

  architectures(value: unknown): void {
    if (value === undefined || value === null) return;
    const rule = 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]';
    if (!Array.isArray(value)) return this.#fail('architectures', value, rule);
    if (value.length !== 1)
      return this.#fail('architectures', value, 'Member must have length less than or equal to 1');
    if (value[0] !== 'x86_64' && value[0] !== 'arm64') this.#fail('architectures', value, rule);
  }

  variableKeys(variables: Record<string, unknown>): void {
    const key = whole(ENV_KEY_PATTERN);
    if (Object.keys(variables).every((name) => key.test(name))) return;
    // The values are sensitive: AWS names the map, not its content.
    this.#violations.push(
      `Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${ENV_KEY_PATTERN}]`,
    );
  }

  /** Throws AWS's ValidationException listing every violation, if there is one. */
  check(): void {
    const n = this.#violations.length;
    if (n === 0) return;
    throw new AwsError(
      'ValidationException',
      400,
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.#violations.join('; ')}`,
    );
  }
}

interface StringRule {
  min?: number;
  max?: number;
  pattern?: string;
}

/** The service's rules on a runtime the model allows: retired ones are refused with AWS's message. */
export function checkRetiredRuntime(runtime: unknown): void {
  if (typeof runtime !== 'string' || isSupportedRuntime(runtime)) return;
  const instead = RETIRED[runtime];
  if (instead) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${instead}) while creating or updating functions.`,
    );
  }
}

/** Lambda's own checks on Environment.Variables (after the model's): NUL bytes, reserved keys, 4 KB in total. */
export function checkVariables(variables: Record<string, unknown>): void {
  const prefix = 'Lambda was unable to configure your environment variables because the environment variables';
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string')
      throw invalidParameter(`${prefix} you have provided contain a non-string value for ${name}.`);
    // AWS's answer to a NUL byte is not documented; no process can receive one (execve ends the string there).
    if (value.includes('\0') || name.includes('\0')) {
      throw invalidParameter(`${prefix} you have provided contain a NUL character in ${name}.`);
    }
  }
  const reserved = Object.keys(variables).filter((name) => RESERVED_VARIABLES.has(name));
  if (reserved.length > 0) {
    throw invalidParameter(
      `${prefix} you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(`${prefix} you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
}

export const rules = {
  functionName: { min: 1, max: 140, pattern: FUNCTION_NAME_PATTERN },
  role: { pattern: ROLE_PATTERN },
  handler: { max: 128, pattern: HANDLER_PATTERN },
  description: { max: 256 },
  aliasName: { min: 1, max: 128, pattern: ALIAS_PATTERN },
  version: { min: 1, max: 1024, pattern: VERSION_PATTERN },
  revisionId: {},
} satisfies Record<string, StringRule>;
