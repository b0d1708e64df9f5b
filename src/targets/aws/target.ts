import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  type LambdaClientConfig,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { parseFunctionRef } from '../../engine/arn.js';
import { AwsError, LambenchError } from '../../errors.js';
import { errorMessageOf } from '../local/target.js';
import type { ConfiguredFunction, Target, TargetEnvironment, TargetFunction, TargetInvokeResult } from '../types.js';
import { reportFromLogResult } from './log-result.js';
import { withBackoff } from './retry.js';

/** PowerTuning's trick for a forced cold start: any configuration change makes new environments. */
const COLD_START_VARIABLE = 'LAMBENCH_FORCE_COLD_START';
const ALIAS_PREFIX = 'lambench-';

interface Original {
  memoryMB: number;
  variables: Record<string, string>;
}

/**
 * AWS Lambda through the SDK v3 only (no stack to deploy). Each memory size becomes a published version behind a
 * `lambench-<MB>` alias; everything created is removed and the original configuration restored by cleanup().
 * Endpoint, region and credentials follow the SDK's own chain (AWS_ENDPOINT_URL_LAMBDA, AWS_REGION, profiles).
 */
export class AwsTarget implements Target {
  readonly kind = 'aws' as const;
  readonly client: LambdaClient;
  readonly #originals = new Map<string, Original>();
  readonly #aliases = new Map<string, Set<string>>();
  readonly #versions = new Map<string, Set<string>>();
  /** Functions whose $LATEST configuration lambench changed: only these are restored (restoring also changes it). */
  readonly #changed = new Set<string>();
  /** Configuration changes of one function must not interleave (parallel cold starts would race). */
  #configLock: Promise<unknown> = Promise.resolve();

  constructor(config: LambdaClientConfig = {}) {
    this.client = new LambdaClient(config);
  }

  async #configuration(name: string): Promise<FunctionConfiguration> {
    return withBackoff(() => this.client.send(new GetFunctionConfigurationCommand({ FunctionName: name })));
  }

  async describe(functionRef: string): Promise<TargetFunction> {
    const { name } = parseFunctionRef(functionRef);
    const config = await this.#configuration(name).catch((error: unknown) => {
      throw translate(error, functionRef);
    });
    if (!this.#originals.has(name)) {
      this.#originals.set(name, {
        memoryMB: config.MemorySize ?? 128,
        variables: { ...config.Environment?.Variables },
      });
    }
    return {
      name,
      memoryMB: config.MemorySize ?? 128,
      runtime: config.Runtime ?? 'provided',
      architecture: config.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
      ...(config.FunctionArn ? { arn: config.FunctionArn } : {}),
    };
  }

  /** Waits until LastUpdateStatus is Successful (AWS applies configuration asynchronously). */
  async #waitUpdated(name: string): Promise<FunctionConfiguration> {
    for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
      const config = await this.#configuration(name);
      if (config.LastUpdateStatus === 'Failed') {
        throw new LambenchError(
          'AWS',
          `Update of ${name} failed: ${config.LastUpdateStatusReason ?? 'no reason given'}`,
        );
      }
      if ((config.LastUpdateStatus ?? 'Successful') === 'Successful' && config.State !== 'Pending') return config;
      await sleep(delay);
    }
  }

  async #update(name: string, memoryMB: number, variables: Record<string, string>): Promise<void> {
    await withBackoff(() =>
      this.client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: name,
          MemorySize: memoryMB,
          Environment: { Variables: variables },
        }),
      ),
    ).catch((error: unknown) => {
      throw translate(error, name);
    });
    await this.#waitUpdated(name);
  }

  /** Points `lambench-<MB>` at a fresh version published with this memory size (and, for cold starts, a new nonce). */
  async #publishBehindAlias(name: string, memoryMB: number, variables: Record<string, string>): Promise<string> {
    this.#changed.add(name);
    await this.#update(name, memoryMB, variables);
    const published = await withBackoff(() => this.client.send(new PublishVersionCommand({ FunctionName: name })));
    const version = published.Version ?? '$LATEST';
    track(this.#versions, name, version);
    const alias = `${ALIAS_PREFIX}${memoryMB}`;
    const aliases = this.#aliases.get(name);
    if (aliases?.has(alias)) {
      await withBackoff(() =>
        this.client.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
      );
    } else {
      await withBackoff(() =>
        this.client.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
      ).catch(async (error: unknown) => {
        if ((error as { name?: string }).name !== 'ResourceConflictException') throw error;
        await this.client.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version }));
      });
      track(this.#aliases, name, alias);
    }
    return alias;
  }

  async configure(functionRef: string, memoryMB: number): Promise<ConfiguredFunction> {
    const { name } = parseFunctionRef(functionRef);
    if (!this.#originals.has(name)) await this.describe(name);
    const variables = this.#originals.get(name)?.variables ?? {};
    const qualifier = await this.#publishBehindAlias(name, memoryMB, variables);
    return { functionName: name, memoryMB, qualifier };
  }

  async invoke(fn: ConfiguredFunction, payload: string, options: { cold: boolean }): Promise<TargetInvokeResult> {
    let qualifier = fn.qualifier;
    if (options.cold) {
      const variables = {
        ...this.#originals.get(fn.functionName)?.variables,
        [COLD_START_VARIABLE]: randomBytes(6).toString('hex'),
      };
      const next = this.#configLock.then(() => this.#publishBehindAlias(fn.functionName, fn.memoryMB, variables));
      this.#configLock = next.catch(() => {});
      qualifier = await next;
    }
    const started = performance.now();
    const response = await withBackoff(() =>
      this.client.send(
        new InvokeCommand({
          FunctionName: fn.functionName,
          Qualifier: qualifier,
          Payload: Buffer.from(payload),
          LogType: 'Tail',
        }),
      ),
    ).catch((error: unknown) => {
      throw translate(error, fn.functionName);
    });
    const clientMs = performance.now() - started;
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    const report = reportFromLogResult(response.LogResult);
    if (!report) {
      throw new LambenchError(
        'AWS',
        `No REPORT line in the log tail of ${fn.functionName}; cannot measure it.`,
        'The function may print more than 4 KB after its last line; reduce its logging.',
      );
    }
    const errorType = response.FunctionError ? errorTypeOf(text) : null;
    return {
      requestId: response.$metadata.requestId ?? '',
      payload: text,
      functionError: response.FunctionError ?? null,
      errorType,
      ...(errorType ? { errorMessage: errorMessageOf(text) } : {}),
      report,
      cold: report.initDurationMs !== null,
      clientMs,
      cpuCapped: false,
    };
  }

  async applyMemory(functionRef: string, memoryMB: number): Promise<void> {
    const { name } = parseFunctionRef(functionRef);
    if (!this.#originals.has(name)) await this.describe(name);
    // Until the update has succeeded its outcome is unknown, so cleanup restores the original.
    this.#changed.add(name);
    await this.#update(name, memoryMB, this.#originals.get(name)?.variables ?? {});
    // The applied memory with the original variables is what the user asked to keep.
    this.#changed.delete(name);
  }

  async environment(): Promise<TargetEnvironment> {
    return { target: 'aws', region: (await this.client.config.region()) ?? 'unknown' };
  }

  maxFullCpuMemoryMB(): number {
    return 10_240;
  }

  async cleanup(): Promise<void> {
    for (const [name, aliases] of this.#aliases) {
      for (const alias of aliases) {
        await withBackoff(() => this.client.send(new DeleteAliasCommand({ FunctionName: name, Name: alias }))).catch(
          () => {},
        );
      }
    }
    this.#aliases.clear();
    for (const [name, versions] of this.#versions) {
      for (const version of versions) {
        if (version === '$LATEST') continue;
        await withBackoff(() =>
          this.client.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: version })),
        ).catch(() => {});
      }
    }
    this.#versions.clear();
    for (const name of this.#changed) {
      const original = this.#originals.get(name);
      if (!original) continue;
      const current = await this.#configuration(name).catch(() => null);
      if (current) await this.#update(name, original.memoryMB, original.variables).catch(() => {});
      this.#changed.delete(name);
    }
  }
}

function track(map: Map<string, Set<string>>, name: string, value: string): void {
  const set = map.get(name) ?? new Set<string>();
  set.add(value);
  map.set(name, set);
}

function errorTypeOf(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' ? parsed.errorType : 'Unhandled';
  } catch {
    return 'Unhandled';
  }
}

/** SDK exceptions → AwsError with the same type, plus a hint for the usual suspects. */
export function translate(error: unknown, functionRef: string): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 500;
  if (e.name === 'CredentialsProviderError') {
    return new LambenchError(
      'AWS',
      `No AWS credentials found: ${e.message ?? ''}`,
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
  if (e.name && status < 500) return new AwsError(e.name, status, e.message ?? e.name);
  return error instanceof Error ? error : new Error(String(error));
}
