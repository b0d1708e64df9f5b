import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import { resolvePython } from '../../runtimes/python/adapter.js';

const run = promisify(execFile);
/** Bump when the pip options change, so installs made with the old ones are not reused. */
const INSTALL_VERSION = 'pip-lambda-v1';

/** The wheel platform pip installs for: Lambda's, not the host's (an arm64 function needs aarch64 wheels on x86_64). */
export function lambdaWheelPlatform(architecture: FunctionVersion['architecture']): string {
  return architecture === 'arm64' ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64';
}

/** `python3.12` → `3.12`: the interpreter AWS runs, which decides the cp3XX wheels, whatever the host's Python is. */
export function lambdaPythonVersion(runtime: string): string {
  const match = /^python(3\.\d+)$/.exec(runtime);
  if (!match?.[1]) throw new LambenchError('INVALID_ARGUMENT', `${runtime} is not a Python runtime.`);
  return match[1];
}

/**
 * The function's requirements.txt installed for Lambda's platform into `<cacheDir>/aws-python/<key>/packages`,
 * keyed by requirements + runtime + architecture; its contents belong at the zip root next to the handler, as in
 * any Lambda zip. The engine's own install (runtimes/python) is for the host and cannot be reused: its wheels are
 * built for the host's platform and Python. Everything the file names is kept, boto3 included: AWS's runtime has
 * boto3, but a pinned version is a choice the function made. Returns undefined without a requirements.txt.
 */
export async function installLambdaRequirements(fn: FunctionVersion, cacheDir: string): Promise<string | undefined> {
  const requirements = path.join(fn.codeDir, 'requirements.txt');
  if (!existsSync(requirements)) return undefined;
  const text = await readFile(requirements, 'utf8');
  const platform = lambdaWheelPlatform(fn.architecture);
  const pythonVersion = lambdaPythonVersion(fn.runtime);
  const key = createHash('sha256')
    .update(`${INSTALL_VERSION}\0${platform}\0${pythonVersion}\0${text}`)
    .digest('hex')
    .slice(0, 16);
  const installDir = path.join(cacheDir, 'aws-python', key);
  // The marker sits beside the packages, not among them, so it never reaches the zip.
  if (existsSync(path.join(installDir, 'complete'))) return path.join(installDir, 'packages');
  const python = await interpreter(fn);
  const staging = `${installDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    // --only-binary is required with --platform: pip cannot build an sdist for another platform.
    await run(
      python,
      [
        ...['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input'],
        ...['--target', path.join(staging, 'packages'), '--platform', platform, '--implementation', 'cp'],
        ...['--python-version', pythonVersion, '--only-binary=:all:', '-r', requirements],
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    await writeFile(path.join(staging, 'complete'), text);
    await mkdir(path.dirname(installDir), { recursive: true });
    await rename(staging, installDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process installed the same key first: keep theirs.
      if (!existsSync(path.join(installDir, 'complete'))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return path.join(installDir, 'packages');
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof LambenchError) throw error;
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new LambenchError(
      'BUILD_FAILED',
      `${fn.name}: pip could not install ${requirements} for Lambda (${platform}, Python ${pythonVersion}): ${stderr.trim().split('\n').slice(-5).join('\n')}`,
      'Every requirement needs a wheel for that platform (no sdist can be built for it); check the names and that PyPI is reachable.',
    );
  }
}

/** The real interpreter (never a pyenv shim) runs pip; its own version does not matter, --python-version decides. */
async function interpreter(fn: FunctionVersion): Promise<string> {
  try {
    return (await resolvePython()).path;
  } catch {
    throw new LambenchError(
      'RUNTIME_UNAVAILABLE',
      `${fn.name} needs Python with pip to install its requirements.txt, and none was found.`,
      'Install Python 3.9+ (apt-get install python3 python3-pip), or set LAMBENCH_PYTHON to an interpreter.',
    );
  }
}
