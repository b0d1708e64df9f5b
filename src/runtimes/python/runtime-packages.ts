import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What AWS's Python runtimes carry in /var/runtime besides the standard library. */
const RUNTIME_PACKAGES = ['boto3'];

export interface RuntimePackages {
  /** A folder to put on PYTHONPATH after the function's own code (as /var/runtime comes after /var/task). */
  dir?: string;
  /** Set when they could not be provided: the function runs, but `import boto3` fails where AWS's would not. */
  deviation?: string;
}

const found = new Map<string, Promise<RuntimePackages>>();

async function importable(python: string): Promise<boolean> {
  return run(python, ['-c', `import ${RUNTIME_PACKAGES.join(', ')}`], { timeout: 60_000 }).then(
    () => true,
    () => false,
  );
}

async function install(python: { path: string; version: string }, cacheDir: string): Promise<RuntimePackages> {
  if (await importable(python.path)) return {};
  const minor = python.version.split('.').slice(0, 2).join('.');
  const target = path.join(cacheDir, 'python-runtime', minor);
  const marker = path.join(target, '.lambench-complete');
  if (existsSync(marker)) return { dir: target };
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    await run(
      python.path,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', staging].concat(
        RUNTIME_PACKAGES,
      ),
      { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 },
    );
    await writeFile(path.join(staging, '.lambench-complete'), RUNTIME_PACKAGES.join('\n'));
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another process installed them first; its folder was renamed whole.
      if (!existsSync(marker)) throw error;
    });
    return { dir: target };
  } catch (error) {
    const stderr = ((error as { stderr?: string }).stderr ?? String(error)).trim().split('\n').slice(-2).join(' ');
    return {
      deviation: `boto3, which AWS's Python runtimes include, is not installed for Python ${python.version} and pip could not install it (${stderr})`,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * AWS's Python runtimes include boto3. Where the interpreter lambench picked lacks it (a pyenv 3.12 without
 * packages), it is pip-installed once per Python minor into `<cacheDir>/python-runtime/<minor>`.
 */
export function runtimePackages(python: { path: string; version: string }, cacheDir: string): Promise<RuntimePackages> {
  const key = `${python.path}\u0000${cacheDir}`;
  let packages = found.get(key);
  if (!packages) {
    packages = install(python, cacheDir);
    found.set(key, packages);
  }
  return packages;
}
