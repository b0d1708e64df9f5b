import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../../paths.js';

const run = promisify(execFile);

/** AWS's Node.js runtime interface client; 3.x is the line that runs on Node 20 (4.x needs Node 22). */
export const RIC_VERSION = '3.3.0';
const BUILD_TOOLS = ['autoconf', 'automake', 'libtoolize', 'cmake', 'make', 'g++'];
export const RIC_HINT = `aws-lambda-ric builds its native client from source: apt-get install -y autoconf automake libtool cmake g++ make`;

/** Outside git (.lambench/ is ignored), shared by every test run: the build takes a minute or more. */
const installDir = path.join(packageRoot, '.lambench', 'cache', 'test-fixtures', `aws-lambda-ric-${RIC_VERSION}`);
const binPath = path.join(installDir, 'node_modules', 'aws-lambda-ric', 'bin', 'index.mjs');

let pending: Promise<{ bin: string } | { missing: string }> | undefined;

async function onPath(tool: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
}

/** The path of aws-lambda-ric's bin, npm-installing (and so building) it on first use; or why it cannot be. */
export function awsLambdaRic(): Promise<{ bin: string } | { missing: string }> {
  pending ??= (async () => {
    if (existsSync(binPath)) return { bin: binPath };
    const absent = [];
    for (const tool of BUILD_TOOLS) if (!(await onPath(tool))) absent.push(tool);
    if (absent.length > 0) return { missing: `${absent.join(', ')} not found. ${RIC_HINT}` };
    const staging = `${installDir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(staging, { recursive: true });
    try {
      await writeFile(path.join(staging, 'package.json'), '{"private":true}\n');
      await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--no-package-lock',
          '--foreground-scripts',
          `aws-lambda-ric@${RIC_VERSION}`,
        ],
        { cwd: staging, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 },
      );
      await rename(staging, installDir).catch(async (error: NodeJS.ErrnoException) => {
        if (!existsSync(binPath)) throw error;
      });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      return { missing: `npm install aws-lambda-ric@${RIC_VERSION} failed: ${stderr.slice(-600)} (${RIC_HINT})` };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return { bin: binPath };
  })();
  return pending;
}
