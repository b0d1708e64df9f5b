import { randomBytes } from 'node:crypto';
import type { FunctionVersion } from './types.js';

/** Where functions reach the services, and (when they verify signatures) the credentials to sign with. */
export interface ServiceEndpoints {
  s3?: string;
  dynamodb?: string;
  lambda?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Dummy credentials: the embedded services accept any signature by default, and real AWS rejects these at once. */
export const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIALAMBENCHLOCAL000',
  AWS_SECRET_ACCESS_KEY: 'lambench-local-secret-access-key',
  AWS_SESSION_TOKEN: 'lambench-local-session-token',
};

function logStreamName(version: string): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * The variables a runtime sees on AWS. The host's own environment is not inherited (AWS's is not the
 * developer's shell), except PATH so functions can start subprocesses.
 */
export function awsEnvironment(
  fn: FunctionVersion,
  memoryMB: number,
  region: string,
  taskRoot: string,
  endpoints: ServiceEndpoints,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: fn.handler,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(fn.version),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...LOCAL_CREDENTIALS,
  };
  // AWS leaves AWS_EXECUTION_ENV undefined for OS-only runtimes (provided.*): there is no managed runtime to name.
  if (!fn.runtime.startsWith('provided')) env.AWS_EXECUTION_ENV = `AWS_Lambda_${fn.runtime}`;
  if (endpoints.s3) env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  if (endpoints.dynamodb) env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  if (endpoints.lambda) env.AWS_ENDPOINT_URL_LAMBDA = endpoints.lambda;
  if (endpoints.credentials) {
    // `serve --credentials`: the services check signatures, so functions sign with the key they accept.
    env.AWS_ACCESS_KEY_ID = endpoints.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = endpoints.credentials.secretAccessKey;
    delete env.AWS_SESSION_TOKEN;
  }
  return { ...env, ...fn.environment };
}
