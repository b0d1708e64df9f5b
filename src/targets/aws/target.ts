import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
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
import { LambenchError } from '../../errors.js';
import { awsVisibleCpus } from '../../sandbox/index.js';
import { errorMessageOf } from '../local/target.js';
import type { ConfiguredFunction, Target, TargetEnvironment, TargetFunction, TargetInvokeResult } from '../types.js';
import { causeOf, type Leftover, leftoversError } from './leftovers.js';
import { reportFromLogResult } from './log-result.js';
import { confirmRegion } from './region.js';
import { lambdaCall, withBackoff } from './retry.js';
import { translate } from './translate.js';
import { waitForChange } from './wait.js';

/** PowerTuning's trick for a forced cold start: any configuration change makes new environments. */
const COLD_START_VARIABLE = 'LAMBENCH_FORCE_COLD_START';
const ALIAS_PREFIX = 'lambench-';

interface Original {
  memoryMB: number;
  variables: Record<string, string>;
}

export interface AwsTargetOptions {
  /** Ctrl-C: stops waiting for a configuration change (INTERRUPTED); cleanup() still runs to the end. */
  signal?: AbortSignal;
  /** How long one configuration change may take to apply (default 5 minutes). */
  updateTimeoutMs?: number;
}

/**
 * AWS Lambda through the SDK v3 only (no stack to deploy). Each memory size becomes a published version behind a
 * `lambench-<MB>` alias; everything created is removed and the original configuration restored by cleanup().
 * Endpoint, region and credentials follow the SDK's own chain (AWS_ENDPOINT_URL_LAMBDA, AWS_REGION, profiles).
 */
export class AwsTarget implements Target {
  readonly kind = 'aws' as const;
  readonly client: LambdaClient;
  readonly #options: AwsTargetOptions;
  readonly #originals = new Map<string, Original>();
  readonly #aliases = new Map<string, Set<string>>();
  readonly #versions = new Map<string, Set<string>>();
  /** Functions whose $LATEST configuration lambench changed: only these are restored (restoring also changes it). */
  readonly #changed = new Set<string>();
  /** The last RevisionId seen of each function's $LATEST: a read still showing it predates the next change. */
  readonly #revisions = new Map<string, string | undefined>();
  /** Configuration changes of one function must not interleave (parallel cold starts would race). */
  #configLock: Promise<unknown> = Promise.resolve();

  constructor(config: LambdaClientConfig = {}, options: AwsTargetOptions = {}) {
    this.client = new LambdaClient(config);
    this.#options = options;
  }

  async describe(functionRef: string): Promise<TargetFunction> {
    const { name } = parseFunctionRef(functionRef);
    const config = await lambdaCall(functionRef, () =>
      this.client.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
    );
    if (!this.#originals.has(name)) {
      this.#originals.set(name, {
        memoryMB: config.MemorySize ?? 128,
        variables: { ...config.Environment?.Variables },
      });
      this.#revisions.set(name, config.RevisionId);
    }
    return {
      name,
      memoryMB: config.MemorySize ?? 128,
      runtime: config.Runtime ?? 'provided',
      architecture: config.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
      ...(config.FunctionArn ? { arn: config.FunctionArn } : {}),
    };
  }

  /** Sets memory and variables of $LATEST and waits until AWS shows exactly that change as Successful. */
  async #update(
    name: string,
    memoryMB: number,
    variables: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<FunctionConfiguration> {
    const after = await lambdaCall(name, () =>
      this.client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: name,
          MemorySize: memoryMB,
          Environment: { Variables: variables },
        }),
      ),
    );
    const config = await waitForChange(this.client, name, {
      before: this.#revisions.get(name),
      after,
      shows: (c) => c.MemorySize === memoryMB && sameVariables(c.Environment?.Variables ?? {}, variables),
      timeoutMs: this.#options.updateTimeoutMs,
      signal,
    });
    this.#revisions.set(name, config.RevisionId);
    return config;
  }

  /** Runs configuration changes one after another (a failed one does not block the next). */
  #serialized<T>(change: () => Promise<T>): Promise<T> {
    const next = this.#configLock.then(change);
    this.#configLock = next.catch(() => {});
    return next;
  }

  /** Points `lambench-<MB>` at a fresh version published with this memory size (and, for cold starts, a new nonce). */
  async #publishBehindAlias(name: string, memoryMB: number, variables: Record<string, string>): Promise<string> {
    this.#changed.add(name);
    const updated = await this.#update(name, memoryMB, variables, this.#options.signal);
    // With the RevisionId AWS refuses to publish if anyone changed the function after the change was seen applied.
    const description = `lambench ${memoryMB} MB, removed after tuning`;
    const published = await lambdaCall(name, () =>
      this.client.send(
        new PublishVersionCommand({ FunctionName: name, RevisionId: updated.RevisionId, Description: description }),
      ),
    );
    const version = published.Version ?? '$LATEST';
    // When nothing changed since the last version, Lambda returns that one instead: it is not ours to delete.
    if (published.Description === description) track(this.#versions, name, version);
    const alias = `${ALIAS_PREFIX}${memoryMB}`;
    const aliases = this.#aliases.get(name);
    if (aliases?.has(alias)) {
      await lambdaCall(name, () =>
        this.client.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
      );
    } else {
      await withBackoff(() =>
        this.client.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
      ).catch(async (error: unknown) => {
        if ((error as { name?: string }).name !== 'ResourceConflictException') throw translate(error, name);
        await lambdaCall(name, () =>
          this.client.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
        );
      });
      track(this.#aliases, name, alias);
    }
    return alias;
  }

  async configure(functionRef: string, memoryMB: number): Promise<ConfiguredFunction> {
    const { name } = parseFunctionRef(functionRef);
    if (!this.#originals.has(name)) await this.describe(name);
    const variables = this.#originals.get(name)?.variables ?? {};
    const qualifier = await this.#serialized(() => this.#publishBehindAlias(name, memoryMB, variables));
    return { functionName: name, memoryMB, qualifier };
  }

  async invoke(fn: ConfiguredFunction, payload: string, options: { cold: boolean }): Promise<TargetInvokeResult> {
    let qualifier = fn.qualifier;
    if (options.cold) {
      const variables = {
        ...this.#originals.get(fn.functionName)?.variables,
        [COLD_START_VARIABLE]: randomBytes(6).toString('hex'),
      };
      qualifier = await this.#serialized(() => this.#publishBehindAlias(fn.functionName, fn.memoryMB, variables));
    }
    const started = performance.now();
    const response = await lambdaCall(fn.functionName, () =>
      this.client.send(
        new InvokeCommand({
          FunctionName: fn.functionName,
          Qualifier: qualifier,
          Payload: Buffer.from(payload),
          LogType: 'Tail',
        }),
      ),
    );
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
    const variables = this.#originals.get(name)?.variables ?? {};
    await this.#serialized(() => this.#update(name, memoryMB, variables, this.#options.signal));
    // The applied memory with the original variables is what the user asked to keep.
    this.#changed.delete(name);
  }

  async publishAlias(functionRef: string, alias: string): Promise<string> {
    const { name } = parseFunctionRef(functionRef);
    // The user's alias on the user's version: neither is lambench's to remove at cleanup.
    const published = await lambdaCall(name, () => this.client.send(new PublishVersionCommand({ FunctionName: name })));
    const version = published.Version ?? '$LATEST';
    await withBackoff(() =>
      this.client.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
    ).catch(async (error: unknown) => {
      if ((error as { name?: string }).name !== 'ResourceConflictException') throw translate(error, name);
      await lambdaCall(name, () =>
        this.client.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
      );
    });
    return version;
  }

  async environment(): Promise<TargetEnvironment> {
    return { target: 'aws', region: await confirmRegion(this.client) };
  }

  visibleCpus(memoryMB: number): number {
    return awsVisibleCpus(memoryMB);
  }

  maxFullCpuMemoryMB(): number {
    return 10_240;
  }

  /**
   * Deletes the aliases and versions lambench created and restores what it changed. What fails stays tracked (a
   * second call retries it) and is reported in one error listing each item with the command that removes it.
   */
  async cleanup(): Promise<void> {
    const left: Leftover[] = [];
    for (const [name, aliases] of this.#aliases) {
      for (const alias of aliases) {
        const failure = await this.#remove(name, () =>
          this.client.send(new DeleteAliasCommand({ FunctionName: name, Name: alias })),
        );
        if (failure) left.push({ kind: 'alias', functionName: name, alias, cause: failure });
        else aliases.delete(alias);
      }
    }
    for (const [name, versions] of this.#versions) {
      for (const version of versions) {
        const failure =
          version === '$LATEST'
            ? undefined
            : await this.#remove(name, () =>
                this.client.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: version })),
              );
        if (failure) left.push({ kind: 'version', functionName: name, version, cause: failure });
        else versions.delete(version);
      }
    }
    for (const name of this.#changed) {
      const original = this.#originals.get(name);
      if (!original) continue;
      // Not abortable: after Ctrl-C the original configuration must still come back.
      const failure = await this.#update(name, original.memoryMB, original.variables, undefined).then(
        () => undefined,
        (error: unknown) => (isNotFound(error) ? undefined : causeOf(error)),
      );
      if (failure) {
        left.push({
          kind: 'configuration',
          functionName: name,
          memoryMB: original.memoryMB,
          hadVariables: Object.keys(original.variables).length > 0,
          variable: COLD_START_VARIABLE,
          cause: failure,
        });
      } else this.#changed.delete(name);
    }
    if (left.length > 0) {
      throw leftoversError(left, await this.client.config.region().catch(() => '<region>'));
    }
  }

  /** Deletes one thing; undefined when it is gone (already gone counts), else why not. */
  async #remove(name: string, send: () => Promise<unknown>): Promise<string | undefined> {
    return lambdaCall(name, send).then(
      () => undefined,
      (error: unknown) => (isNotFound(error) ? undefined : causeOf(error)),
    );
  }
}

const isNotFound = (error: unknown) => (error as { awsType?: string }).awsType === 'ResourceNotFoundException';

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

function sameVariables(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Kept for importers of the old location. */
export { translate } from './translate.js';
