import { AwsError, LambenchError } from '../../errors.js';

/** SDK exceptions → AwsError with the same type, plus a hint for the usual suspects. */
export function translate(error: unknown, functionRef: string): Error {
  if (error instanceof LambenchError) return error;
  const e = error as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const message = e.message ?? '';
  const status = e.$metadata?.httpStatusCode ?? 500;
  if (e.name === 'CredentialsProviderError') {
    return new LambenchError(
      'AWS',
      `No AWS credentials found: ${message}`,
      'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`.',
    );
  }
  if (e.name === 'ResourceNotFoundException') {
    return new AwsError(
      e.name,
      404,
      `Function not found: ${functionRef}`,
      undefined,
      'Check the name, the region (AWS_REGION) and the account.',
    );
  }
  if (e.name === 'PreconditionFailedException') {
    return new AwsError(
      e.name,
      412,
      `${functionRef} was changed by someone else while lambench was configuring it (its RevisionId moved on).`,
      undefined,
      'Run again when nobody else is updating the function: lambench only publishes the configuration it set.',
    );
  }
  if (e.name && status < 500) return new AwsError(e.name, status, message || e.name);
  return error instanceof Error ? error : new Error(String(error));
}
