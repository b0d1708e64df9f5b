/**
 * Every error lambench raises on purpose lives here, with a stable `code` that scripts and tests can rely on.
 * Errors that AWS also has carry AWS's error type and HTTP status, so the Invoke API and the CLI report
 * exactly what a user would see from Lambda itself.
 */

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_MANIFEST'
  | 'INVALID_TEMPLATE'
  | 'INVALID_CONFIG'
  | 'PROCESSOR_FAILED'
  | 'FUNCTION_NOT_FOUND'
  | 'RUNTIME_UNAVAILABLE'
  | 'BUILD_FAILED'
  | 'SANDBOX_UNAVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'ENGINE_CLOSED'
  | 'AWS'
  | 'INTERRUPTED'
  /** lambench predict: a probe size failed, so there is nothing to fit a curve to. */
  | 'PROBE_FAILED'
  | 'INTERNAL';

export class LambenchError extends Error {
  override readonly name: string = 'LambenchError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** How to fix it, in one sentence. Printed under the message by the CLI. */
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An error with an AWS error type (`x-amzn-ErrorType`) and the HTTP status AWS answers with. */
export class AwsError extends LambenchError {
  override readonly name: string = 'AwsError';
  constructor(
    readonly awsType: string,
    readonly statusCode: number,
    message: string,
    /** AWS adds a `Reason` to some errors, e.g. TooManyRequestsException's `ReservedFunctionConcurrentInvocationLimitExceeded`. */
    readonly reason?: string,
    hint?: string,
  ) {
    super('AWS', message, hint);
  }

  /** The JSON body AWS sends with this error. */
  toBody(): Record<string, string> {
    const body: Record<string, string> = { Type: 'User', message: this.message };
    if (this.reason) body.Reason = this.reason;
    return body;
  }
}

export const invalidParameter = (message: string, hint?: string) =>
  new AwsError('InvalidParameterValueException', 400, message, undefined, hint);

export const functionNotFound = (arnOrName: string) =>
  new AwsError(
    'ResourceNotFoundException',
    404,
    `Function not found: ${arnOrName}`,
    undefined,
    'Run `lambench functions` to list registered functions, or check the name and qualifier.',
  );

/**
 * Invoke's synchronous limit as AWS's front end answers it: 413 RequestEntityTooLargeException, "Request must be
 * smaller than 6291456 bytes" — a payload of exactly the limit is refused too.
 */
export const requestTooLarge = (bytes: number, limit: number, operation = 'InvokeFunction') =>
  new AwsError(
    'RequestEntityTooLargeException',
    413,
    `Request must be smaller than ${limit} bytes for the ${operation} operation`,
    undefined,
    `The request is ${bytes} bytes; send a reference (e.g. an S3 key) instead of the data.`,
  );

/** Event invocations: AWS's wording, where the limit itself is allowed. */
export const eventTooLarge = (bytes: number, limit: number) =>
  new AwsError(
    'RequestEntityTooLargeException',
    413,
    `${bytes} byte payload is too large for the Event invocation type (limit ${limit} bytes)`,
    undefined,
    'Send a reference (e.g. an S3 key) instead of the data.',
  );

/** A FunctionName that cannot be a name or an ARN (AWS validates it against this pattern before anything else). */
export const invalidFunctionName = (value: string) =>
  new AwsError(
    'ValidationException',
    400,
    `1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
  );

export const invalidQualifier = (value: string) =>
  new AwsError(
    'ValidationException',
    400,
    `1 validation error detected: Value '${value}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`,
  );

export const tooManyRequests = (reason: string, message = 'Rate Exceeded.') =>
  new AwsError('TooManyRequestsException', 429, message, reason);

export const invalidRequestContent = (message: string) => new AwsError('InvalidRequestContentException', 400, message);

export function isLambenchError(error: unknown): error is LambenchError {
  return error instanceof LambenchError;
}

/**
 * AWS's answer to an upload it cannot unpack. lambench adds what was wrong (never a host path) after AWS's text,
 * so scripts matching AWS's message still match.
 */
export const couldNotUnzip = (detail: string) =>
  new AwsError(
    'InvalidParameterValueException',
    400,
    `Could not unzip uploaded file. Please check your file, then try to upload again. (${detail})`,
  );

/** Lambda's limit on a function's unzipped code (250 MB), with AWS's message. */
export const unzippedTooLarge = (limit: number) =>
  new AwsError('InvalidParameterValueException', 400, `Unzipped size must be smaller than ${limit} bytes`);
