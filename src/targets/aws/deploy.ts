import { setTimeout as sleep } from 'node:timers/promises';
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
import { withBackoff } from './retry.js';
import { translate } from './target.js';

async function waitReady(client: LambdaClient, name: string): Promise<FunctionConfiguration> {
  for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
    const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (config.State === 'Failed' || config.LastUpdateStatus === 'Failed') {
      throw new LambenchError(
        'AWS',
        `${name} failed to become active: ${config.StateReason ?? config.LastUpdateStatusReason ?? ''}`,
      );
    }
    if (config.State === 'Active' && (config.LastUpdateStatus ?? 'Successful') === 'Successful') return config;
    await sleep(delay);
  }
}

export interface DeployOptions {
  role?: string;
  /** Deployed name (default: the manifest's). */
  name?: string;
}

/** Creates the function, or updates code and configuration when it exists; waits until it is Active. */
export async function deployFunction(
  client: LambdaClient,
  fn: FunctionVersion,
  zip: Uint8Array,
  options: DeployOptions,
): Promise<{ created: boolean; configuration: FunctionConfiguration }> {
  const name = options.name ?? fn.name;
  const configuration = {
    FunctionName: name,
    Runtime: fn.runtime as never,
    Handler: fn.handler,
    MemorySize: fn.memorySize,
    Timeout: fn.timeout,
    Environment: { Variables: fn.environment },
    Description: fn.description,
  };
  const exists = await client
    .send(new GetFunctionConfigurationCommand({ FunctionName: name }))
    .then(() => true)
    .catch((error: { name?: string }) => {
      if (error.name === 'ResourceNotFoundException') return false;
      throw translate(error, name);
    });
  if (!exists) {
    if (!options.role) {
      throw new LambenchError(
        'INVALID_ARGUMENT',
        `Deploying ${name} for the first time needs an execution role.`,
        'Pass --role arn:aws:iam::<account>:role/<a role Lambda can assume>.',
      );
    }
    await withBackoff(() =>
      client.send(
        new CreateFunctionCommand({
          ...configuration,
          Role: options.role,
          Architectures: [fn.architecture],
          Code: { ZipFile: zip },
          PackageType: 'Zip',
        }),
      ),
    ).catch((error: unknown) => {
      throw translate(error, name);
    });
    return { created: true, configuration: await waitReady(client, name) };
  }
  await withBackoff(() => client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip })));
  await waitReady(client, name);
  await withBackoff(() => client.send(new UpdateFunctionConfigurationCommand(configuration)));
  return { created: false, configuration: await waitReady(client, name) };
}

export async function destroyFunction(client: LambdaClient, name: string): Promise<void> {
  await withBackoff(() => client.send(new DeleteFunctionCommand({ FunctionName: name }))).catch((error: unknown) => {
    throw translate(error, name);
  });
}
