import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../../paths.js';

const run = promisify(execFile);

/** AWS's Python runtime interface client, as on PyPI. */
export const AWSLAMBDARIC_VERSION = '4.2.2';

/** Outside git (.lambench/ is ignored), shared by every test run. */
const installDir = path.join(
  packageRoot,
  '.lambench',
  'cache',
  'test-fixtures',
  `awslambdaric-${AWSLAMBDARIC_VERSION}`,
);

let pending: Promise<{ site: string } | { missing: string }> | undefined;

/** A folder to put on PYTHONPATH that holds awslambdaric, pip-installed on first use; or why it cannot be. */
export function awsLambdaRicPython(python: string): Promise<{ site: string } | { missing: string }> {
  pending ??= (async () => {
    if (existsSync(path.join(installDir, 'awslambdaric'))) return { site: installDir };
    const staging = `${installDir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await run(
        python,
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '--target',
          staging,
          `awslambdaric==${AWSLAMBDARIC_VERSION}`,
        ],
        { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 },
      );
      await rename(staging, installDir).catch((error: NodeJS.ErrnoException) => {
        if (!existsSync(path.join(installDir, 'awslambdaric'))) throw error;
      });
      return { site: installDir };
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      return {
        missing: `pip install awslambdaric==${AWSLAMBDARIC_VERSION} failed (it may build a C extension: apt-get install -y autoconf automake libtool cmake g++ make): ${stderr.slice(-600)}`,
      };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  })();
  return pending;
}
