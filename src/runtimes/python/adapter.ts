import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from '../types.js';

const run = promisify(execFile);
/** bootstrap.py ships in src/ (tsc does not copy it); from src/runtimes/python or dist/runtimes/python alike. */
export const BOOTSTRAP = fileURLToPath(new URL('../../../src/runtimes/python/bootstrap.py', import.meta.url));
const INSTALL_HINT =
  'Install Python 3.9+ (apt-get install python3 python3-pip), or set LAMBENCH_PYTHON to an interpreter.';

let interpreter: Promise<{ path: string; version: string }> | undefined;

/**
 * The real interpreter, never a shim: pyenv's `python3` adds ~80 ms to every start, which would be charged to
 * every cold start. `sys.executable` names the binary the shim runs.
 */
export function resolvePython(): Promise<{ path: string; version: string }> {
  interpreter ??= (async () => {
    const candidate = process.env.LAMBENCH_PYTHON ?? 'python3';
    const { stdout } = await run(candidate, [
      '-c',
      'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])',
    ]);
    const [exe = '', version = ''] = stdout.trim().split('\n');
    return { path: exe, version };
  })();
  interpreter.catch(() => {
    interpreter = undefined;
  });
  return interpreter;
}

/** Dependencies from requirements.txt, pip-installed once per distinct file into the cache, as a zip would carry them. */
async function installRequirements(fn: FunctionVersion, cacheDir: string, python: string): Promise<string | undefined> {
  const requirements = path.join(fn.codeDir, 'requirements.txt');
  if (!existsSync(requirements)) return undefined;
  const text = await readFile(requirements, 'utf8');
  const key = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const target = path.join(cacheDir, 'python', key);
  if (existsSync(path.join(target, '.lambench-complete'))) return target;
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    await run(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        '--target',
        staging,
        '-r',
        requirements,
      ],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    await writeFile(path.join(staging, '.lambench-complete'), text);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(target, '.lambench-complete'))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return target;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new LambenchError(
      'BUILD_FAILED',
      `${fn.name}: pip could not install ${requirements}: ${stderr.trim().split('\n').slice(-5).join('\n')}`,
      'Check the package names and that PyPI is reachable.',
    );
  }
}

/** What AWS's Python runtimes carry in /var/runtime besides their client: boto3 and what it imports. */
const RUNTIME_MODULES = ['boto3', 'botocore', 's3transfer', 'jmespath', 'dateutil', 'urllib3', 'six'];
const FIND_MODULES = `import importlib.util, json, sys
found = {}
for name in sys.argv[1:]:
    spec = importlib.util.find_spec(name)
    found[name] = None if spec is None else (spec.submodule_search_locations or [spec.origin])[0]
print(json.dumps(found))`;

/**
 * The stand-in for /var/runtime's packages: a folder of links to the host interpreter's boto3 and its
 * dependencies (or, where the host has no boto3, a pip install of it), put on PYTHONPATH after the function's
 * own code, while bootstrap.py drops the host's site-packages. Without either, functions go without boto3.
 */
async function prepareRuntimePackages(python: string, version: string, cacheDir: string): Promise<string | undefined> {
  const dir = path.join(
    cacheDir,
    'python-runtime',
    createHash('sha256').update(`${python}\0${version}`).digest('hex').slice(0, 16),
  );
  if (existsSync(path.join(dir, '.lambench-complete'))) return dir;
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await mkdir(staging, { recursive: true });
    const found = JSON.parse((await run(python, ['-c', FIND_MODULES, ...RUNTIME_MODULES])).stdout) as Record<
      string,
      string | null
    >;
    if (found.boto3) {
      for (const [name, location] of Object.entries(found)) {
        if (location) await symlink(location, path.join(staging, name + (location.endsWith('.py') ? '.py' : '')));
      }
    } else {
      await run(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', staging, 'boto3'],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    }
    await writeFile(path.join(staging, '.lambench-complete'), JSON.stringify(found));
    await mkdir(path.dirname(dir), { recursive: true });
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(dir, '.lambench-complete'))) throw error;
    });
    return dir;
  } catch {
    return undefined;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Once per interpreter and cache in a process: where boto3 cannot be had (offline, no host copy), no pip retries. */
const runtimePackagesByKey = new Map<string, Promise<string | undefined>>();

function runtimePackagesFor(python: string, version: string, cacheDir: string): Promise<string | undefined> {
  const key = `${python}\0${version}\0${path.resolve(cacheDir)}`;
  let pending = runtimePackagesByKey.get(key);
  if (!pending) {
    pending = prepareRuntimePackages(python, version, cacheDir);
    runtimePackagesByKey.set(key, pending);
  }
  return pending;
}

const dependencies = new Map<string, string | undefined>();
let pythonPath = '';
let runtimePackages: string | undefined;

export const pythonRuntime: RuntimeAdapter = {
  family: 'python',
  // AWS's Python runtimes; an unknown minor (python3.99) is refused when the function is defined, as on AWS.
  matches: (runtime) => /^python3\.(9|1[0-4])$/.test(runtime),
  async detect(): Promise<RuntimeStatus> {
    try {
      const { path: exe, version } = await resolvePython();
      return {
        family: 'python',
        available: true,
        version: `python ${version} (runs every python3.x runtime)`,
        path: exe,
      };
    } catch {
      return { family: 'python', available: false, missing: INSTALL_HINT };
    }
  },
  async prepare(fn: FunctionVersion, cacheDir: string): Promise<string> {
    let exe: string;
    try {
      exe = (await resolvePython()).path;
    } catch {
      throw new LambenchError(
        'RUNTIME_UNAVAILABLE',
        `${fn.name} needs Python (${fn.runtime}), which was not found.`,
        INSTALL_HINT,
      );
    }
    pythonPath = exe;
    runtimePackages = await runtimePackagesFor(exe, (await resolvePython()).version, cacheDir);
    dependencies.set(fn.codeDir, await installRequirements(fn, cacheDir, exe));
    return fn.codeDir;
  },
  launch(fn: FunctionVersion, taskRoot: string): RuntimeLaunch {
    if (!pythonPath) throw new Error('pythonRuntime.prepare() must run before launch()');
    const deps = dependencies.get(fn.codeDir);
    return {
      command: pythonPath,
      // -u: unbuffered, so print() output reaches the log of the invocation that printed it.
      args: ['-u', BOOTSTRAP],
      // As AWS's PYTHONPATH ends in /var/runtime: the function's own packages win over the runtime's boto3.
      env: { PYTHONPATH: [taskRoot, deps, runtimePackages].filter(Boolean).join(':') },
    };
  },
};
