import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Why a runtime's executable cannot be started, in AWS's words (RAPID's fork/exec error, reported as
 * `Runtime.InvalidEntrypoint`, with "RequestId: … Error: " in front), or null when it can. Checked before the
 * spawn: the sandbox's wrapper is what is spawned, so a missing runtime would otherwise be a shell's exit 127.
 */
export function entrypointProblem(command: string): string | null {
  try {
    accessSync(command, constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // provided.*: AWS looks for /var/task/bootstrap, then /opt/bootstrap (layers), and names both.
    if (code === 'ENOENT' && path.basename(command) === 'bootstrap') {
      return `Couldn't find valid bootstrap(s): [${command} /opt/bootstrap]`;
    }
    return `fork/exec ${command}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(code)}`;
  }
}

/** A spawn that threw (e.g. a NUL byte in a variable, which execve refuses; Go's exec says EINVAL), in AWS's words. */
export function spawnProblem(command: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE')
    return `fork/exec ${command}: invalid argument`;
  return `fork/exec ${command}: ${(error as Error).message}`;
}
