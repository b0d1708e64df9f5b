type Headers = Record<string, string>;

const header = (headers: Headers, name: string): string | undefined => headers[name];

const env = process.env;

/** The `context` object AWS's Node.js runtime passes to handlers. */
export function createContext(headers: Headers) {
  const requestId = header(headers, 'lambda-runtime-aws-request-id') ?? '';
  const deadline = Number(header(headers, 'lambda-runtime-deadline-ms') ?? Date.now() + 3000);
  const clientContext = header(headers, 'lambda-runtime-client-context');
  const identity = header(headers, 'lambda-runtime-cognito-identity');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: header(headers, 'lambda-runtime-invoked-function-arn') ?? '',
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    identity: identity ? JSON.parse(identity) : undefined,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

export type LambdaContext = ReturnType<typeof createContext>;
