import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import { lambdaCall } from './retry.js';
import { translate } from './translate.js';
import { waitForChange } from './wait.js';

export interface DeployOptions {
  role?: string;
  /** Deployed name (default: the manifest's). */
  name?: string;
  /** Ctrl-C: stops waiting for the function to become ready (INTERRUPTED). */
  signal?: AbortSignal;
  /** How long each step may take to apply (default 5 minutes). */
  timeoutMs?: number;
}

/** Creates the function, or updates code and configuration when it exists; waits until it is Active. */
export async function deployFunction(
  client: LambdaClient,
  fn: FunctionVersion,
  zip: Uint8Array,
  options: DeployOptions,
): Promise<{ created: boolean; configuration: FunctionConfiguration }> {
  const name = options.name ?? fn.name;
  const wait = { timeoutMs: options.timeoutMs, signal: options.signal };
  const configuration = {
    FunctionName: name,
    Runtime: fn.runtime as never,
    Handler: fn.handler,
    MemorySize: fn.memorySize,
    Timeout: fn.timeout,
    Environment: { Variables: fn.environment },
    Description: fn.description,
  };
  const existing = await client
    .send(new GetFunctionConfigurationCommand({ FunctionName: name }))
    .catch((error: { name?: string }) => {
      if (error.name === 'ResourceNotFoundException') return undefined;
      throw translate(error, name);
    });
  if (!existing) {
    if (!options.role) {
      throw new LambenchError(
        'INVALID_ARGUMENT',
        `Deploying ${name} for the first time needs an execution role.`,
        'Pass --role arn:aws:iam::<account>:role/<a role Lambda can assume>.',
      );
    }
    const created = await lambdaCall(name, () =>
      client.send(
        new CreateFunctionCommand({
          ...configuration,
          Role: options.role,
          Architectures: [fn.architecture],
          Code: { ZipFile: zip },
          PackageType: 'Zip',
        }),
      ),
    );
    const ready = await waitForChange(client, name, { after: created, shows: () => true, active: true, ...wait });
    return { created: true, configuration: ready };
  }
  const code = await lambdaCall(name, () =>
    client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip })),
  );
  const withCode = await waitForChange(client, name, {
    before: existing.RevisionId,
    after: code,
    shows: (c) => c.CodeSha256 === code.CodeSha256,
    active: true,
    ...wait,
  });
  const updated = await lambdaCall(name, () => client.send(new UpdateFunctionConfigurationCommand(configuration)));
  const ready = await waitForChange(client, name, {
    before: withCode.RevisionId,
    after: updated,
    shows: (c) => c.MemorySize === fn.memorySize && c.Handler === fn.handler && c.Timeout === fn.timeout,
    active: true,
    ...wait,
  });
  return { created: false, configuration: ready };
}

export async function destroyFunction(client: LambdaClient, name: string): Promise<void> {
  await lambdaCall(name, () => client.send(new DeleteFunctionCommand({ FunctionName: name })));
}
