import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const lambenchBin = fileURLToPath(new URL('../../bin/lambench.js', import.meta.url));

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm test builds dist/ first) as a user would, in `cwd`, with extra environment variables. */
export function runLambench(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [lambenchBin, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
