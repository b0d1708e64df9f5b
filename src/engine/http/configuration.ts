import { functionArn } from '../arn.js';
import type { Alias, FunctionVersion } from '../types.js';

/** A FunctionVersion in AWS's FunctionConfiguration shape. */
export function toConfiguration(fn: FunctionVersion, region: string, role: string | undefined) {
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(region, fn.name, fn.version === '$LATEST' ? undefined : fn.version),
    Runtime: fn.runtime,
    Role: role ?? fn.role ?? `arn:aws:iam::000000000000:role/lambench-local`,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.codeSha256,
    Version: fn.version,
    Environment: { Variables: fn.environment },
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [fn.architecture],
    EphemeralStorage: { Size: fn.ephemeralStorage },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

export function toAliasConfiguration(fn: string, alias: Alias, region: string) {
  return {
    AliasArn: functionArn(region, fn, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
  };
}
