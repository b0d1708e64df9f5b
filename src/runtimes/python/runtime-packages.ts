import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What AWS's Python runtimes carry in /var/runtime besides their client: boto3 and what it imports. */
const RUNTIME_MODULES = ['boto3', 'botocore', 's3transfer', 'jmespath', 'dateutil', 'urllib3', 'six'];
const FIND_MODULES = `import importlib.util, json, sys
found = {}
for name in sys.argv[1:]:
    spec = importlib.util.find_spec(name)
    found[name] = None if spec is None else (spec.submodule_search_locations or [spec.origin])[0]
print(json.dumps(found))`;

export interface RuntimePackages {
  /** A folder to put on PYTHONPATH after the function's own code (as /var/runtime comes after /var/task). */
  dir?: string;
  /** Set when they could not be provided: the function runs, but `import boto3` fails where AWS's would not. */
  deviation?: string;
}

const found = new Map<string, Promise<RuntimePackages>>();

/**
 * The stand-in for /var/runtime's packages, per interpreter: a folder of links to that interpreter's boto3 and its
 * dependencies, or, where it has no boto3 (a pyenv 3.12 without packages), a pip install of boto3 — because
 * bootstrap.py drops the host's site-packages, as nothing but the function's code and the runtime's packages exist
 * on AWS.
 */
async function install(python: { path: string; version: string }, cacheDir: string): Promise<RuntimePackages> {
  const key = createHash('sha256').update(`${python.path}\0${python.version}`).digest('hex').slice(0, 16);
  const target = path.join(cacheDir, 'python-runtime', key);
  const marker = path.join(target, '.lambench-complete');
  if (existsSync(marker)) return { dir: target };
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    await mkdir(staging, { recursive: true });
    const { stdout } = await run(python.path, ['-c', FIND_MODULES, ...RUNTIME_MODULES], { timeout: 60_000 });
    const modules = JSON.parse(stdout) as Record<string, string | null>;
    if (modules.boto3) {
      for (const [name, location] of Object.entries(modules)) {
        if (location) await symlink(location, path.join(staging, name + (location.endsWith('.py') ? '.py' : '')));
      }
    } else {
      await run(
        python.path,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', staging, 'boto3'],
        { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 },
      );
    }
    await writeFile(marker.replace(target, staging), JSON.stringify(modules));
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another process provided them first; its folder was renamed whole.
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

export function runtimePackages(python: { path: string; version: string }, cacheDir: string): Promise<RuntimePackages> {
  const key = `${python.path}\u0000${cacheDir}`;
  let packages = found.get(key);
  if (!packages) {
    packages = install(python, cacheDir);
    found.set(key, packages);
  }
  return packages;
}
