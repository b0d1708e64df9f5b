import { LambenchError } from '../errors.js';

/** `--s3-endpoint` / `--dynamodb-endpoint`, shared by the commands that give functions S3 and DynamoDB. */
export const endpointOptions = {
  's3-endpoint': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
} as const;

/** `--network lambda-2026|none`: the network model functions' environments get (src/services/network). */
export const networkOption = { network: { type: 'string' } } as const;

/** Environment variables that stand in for the flags, so a shell or CI job can point every command at one place. */
export const ENDPOINT_ENV = { s3: 'LAMBENCH_S3_ENDPOINT', dynamodb: 'LAMBENCH_DYNAMODB_ENDPOINT' } as const;

export interface ExternalEndpoints {
  s3?: string;
  dynamodb?: string;
}

/**
 * The services to use instead of the embedded ones (moto, MinIO, DynamoDB Local, real AWS): a flag wins over its
 * environment variable; what is named by neither is started locally.
 */
export function externalEndpoints(
  values: { 's3-endpoint'?: string | undefined; 'dynamodb-endpoint'?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): ExternalEndpoints {
  const s3 = externalEndpoint('s3', values['s3-endpoint'], env);
  const dynamodb = externalEndpoint('dynamodb', values['dynamodb-endpoint'], env);
  return { ...(s3 ? { s3 } : {}), ...(dynamodb ? { dynamodb } : {}) };
}

/** One service's endpoint: the flag's value, else its environment variable, else undefined (embedded). */
export function externalEndpoint(
  service: keyof typeof ENDPOINT_ENV,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return checkUrl(flag || env[ENDPOINT_ENV[service]], `${service}-endpoint`, ENDPOINT_ENV[service]);
}

// Checked here so a typo fails before an engine starts, rather than as a connection error inside a function.
function checkUrl(value: string | undefined, flag: string, variable: string): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(value, flag, variable);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(value, flag, variable);
  // The SDKs append paths themselves; a trailing slash would make them ask for `//bucket/key`.
  return value.replace(/\/+$/, '');
}

const invalid = (value: string, flag: string, variable: string) =>
  new LambenchError(
    'INVALID_ARGUMENT',
    `--${flag} (or ${variable}) must be an http(s) URL, got "${value}".`,
    'For example --s3-endpoint http://127.0.0.1:9000',
  );
