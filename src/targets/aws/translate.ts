import { AwsError, LambenchError } from '../../errors.js';

export const REGION_HINT =
  'Set AWS_REGION (or `region` in your AWS profile), pass --region, or name the function by its ARN (e.g. us-east-1).';

/**
 * SDK and network errors → lambench errors: AWS's own exceptions keep their type (AwsError), and the SDK's raw
 * messages about the region or DNS, which would otherwise surface as stack traces, become bad-input errors (exit 2).
 */
export function translate(error: unknown, functionRef: string): Error {
  if (error instanceof LambenchError) return error;
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    hostname?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const message = e.message ?? '';
  const region = regionProblem(message);
  if (region) return region;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return unresolved(e.hostname ?? '', e.code);
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
      'Check the name, the region (AWS_REGION or --region) and the account.',
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

/** The SDK's "Region is missing" / "Region not accepted" (AWS_REGION set but empty counts as missing). */
function regionProblem(message: string): LambenchError | undefined {
  const rejected = /^Region not accepted: region="([^"]*)"/.exec(message);
  if (message === 'Region is missing' || rejected?.[1] === '') {
    return new LambenchError('INVALID_ARGUMENT', 'No AWS region is configured.', REGION_HINT);
  }
  if (rejected)
    return new LambenchError('INVALID_ARGUMENT', `"${rejected[1]}" is not an AWS region name.`, REGION_HINT);
  return undefined;
}

/** A host that does not resolve: for lambda.<region>.amazonaws.com that means the region does not exist. */
function unresolved(hostname: string, code: string): LambenchError {
  const region = /^lambda(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(hostname)?.[1];
  if (code === 'EAI_AGAIN') {
    return new LambenchError(
      'AWS',
      `${hostname} could not be resolved right now (DNS did not answer).`,
      'Check the network connection and try again.',
    );
  }
  if (region) {
    return new LambenchError(
      'INVALID_ARGUMENT',
      `Region ${region} is not reachable: ${hostname} does not resolve, so ${region} is not a Lambda region (or DNS fails).`,
      REGION_HINT,
    );
  }
  return new LambenchError(
    'INVALID_ARGUMENT',
    `The Lambda endpoint host ${hostname} does not resolve.`,
    'Check AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL (or endpoint_url in your AWS profile).',
  );
}
