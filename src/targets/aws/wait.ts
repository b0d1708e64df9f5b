import { setTimeout as sleep } from 'node:timers/promises';
import { type FunctionConfiguration, GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { LambenchError } from '../../errors.js';
import { lambdaCall } from './retry.js';

/** Long enough for a VPC function's network interfaces (minutes), short enough that a stuck update is reported. */
export const DEFAULT_UPDATE_TIMEOUT_MS = 5 * 60_000;

export interface ChangeWait {
  /** The RevisionId before the change: a read still showing it predates the change (reads are eventually consistent). */
  before?: string | undefined;
  /** What the change returned (CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration). */
  after: FunctionConfiguration;
  /**
   * Whether a read shows the change. AWS gives the function yet another RevisionId when an update completes
   * (aws/aws-sdk#377), so a read whose RevisionId is neither `before` nor the change's counts if it shows the change.
   */
  shows: (config: FunctionConfiguration) => boolean;
  /** A new function must also become Active. */
  active?: boolean;
  timeoutMs?: number | undefined;
  /** Ctrl-C: stops waiting with INTERRUPTED. */
  signal?: AbortSignal | undefined;
}

/**
 * Polls until the function shows this change with LastUpdateStatus Successful (AWS applies changes asynchronously,
 * and publishing before then publishes the old configuration); fails on Failed, on the deadline, or when aborted.
 */
export async function waitForChange(
  client: LambdaClient,
  name: string,
  wait: ChangeWait,
): Promise<FunctionConfiguration> {
  const timeoutMs = wait.timeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
    if (wait.signal?.aborted) throw interrupted(name);
    const config = await lambdaCall(name, () =>
      client.send(new GetFunctionConfigurationCommand({ FunctionName: name }), { abortSignal: wait.signal }),
    ).catch((error: unknown) => {
      throw wait.signal?.aborted ? interrupted(name) : error;
    });
    const ours = isOurs(config, wait);
    if (ours && (config.LastUpdateStatus === 'Failed' || config.State === 'Failed')) {
      throw new LambenchError(
        'AWS',
        `${name}: AWS could not apply the change: ${statusOf(config)}.`,
        'Fix the cause named above (e.g. the role, the VPC or a limit) and run again.',
      );
    }
    if (ours && applied(config, wait.active === true)) return config;
    if (Date.now() + delay > deadline) throw timedOut(name, config, wait, timeoutMs);
    await sleep(delay, undefined, wait.signal ? { signal: wait.signal } : {}).catch(() => {
      throw interrupted(name);
    });
  }
}

function isOurs(config: FunctionConfiguration, wait: ChangeWait): boolean {
  if (config.RevisionId === wait.after.RevisionId) return true;
  return (wait.before === undefined || config.RevisionId !== wait.before) && wait.shows(config);
}

function applied(config: FunctionConfiguration, active: boolean): boolean {
  // Functions created before AWS reported LastUpdateStatus have none: nothing is in progress for them.
  if ((config.LastUpdateStatus ?? 'Successful') !== 'Successful') return false;
  return active ? config.State === 'Active' : config.State !== 'Pending';
}

function statusOf(config: FunctionConfiguration): string {
  const reason = config.LastUpdateStatusReason ?? config.StateReason;
  const code = config.LastUpdateStatusReasonCode ?? config.StateReasonCode;
  return [
    `LastUpdateStatus ${config.LastUpdateStatus ?? 'none'}`,
    `State ${config.State ?? 'none'}`,
    ...(reason ? [`reason: ${code ? `${code}: ` : ''}${reason}`] : []),
  ].join(', ');
}

function timedOut(name: string, config: FunctionConfiguration, wait: ChangeWait, timeoutMs: number): LambenchError {
  const revision = isOurs(config, wait)
    ? ''
    : `; RevisionId ${config.RevisionId ?? 'none'} is not the change's (${wait.after.RevisionId ?? 'none'}) and does not show it: is someone else changing the function?`;
  return new LambenchError(
    'AWS',
    `${name}: the change was not applied within ${Math.round(timeoutMs / 1000)} s (${statusOf(config)}${revision}).`,
    'Look at the function in the Lambda console; run again once its last update has completed.',
  );
}

function interrupted(name: string): LambenchError {
  return new LambenchError('INTERRUPTED', `Interrupted while waiting for ${name} to apply a change.`);
}
