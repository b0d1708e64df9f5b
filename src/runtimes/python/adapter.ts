import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from '../types.js';
import { findInterpreter, type RuntimeInterpreter } from './interpreters.js';
import { type RuntimePackages, runtimePackages } from './runtime-packages.js';

const run = promisify(execFile);
/** bootstrap.py ships in src/ (tsc does not copy it); from src/runtimes/python or dist/runtimes/python alike. */
export const BOOTSTRAP = fileURLToPath(new URL('../../../src/runtimes/python/bootstrap.py', import.meta.url));
const INSTALL_HINT =
  'Install Python 3.9+ (apt-get install python3 python3-pip), or set LAMBENCH_PYTHON to an interpreter.';

let interpreter: Promise<{ path: string; version: string }> | undefined;
/** AWS's Python runtimes; an unknown minor (python3.99) is refused when the function is defined, as on AWS. */
const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];

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
async function installRequirements(
  fn: FunctionVersion,
  cacheDir: string,
  python: Interpreter,
): Promise<string | undefined> {
  const requirements = path.join(fn.codeDir, 'requirements.txt');
  // Uploaded zips carry their dependencies, as on AWS: pip would run the build hooks of what they name, on the host.
  if (fn.uploaded || !existsSync(requirements)) return undefined;
  const text = await readFile(requirements, 'utf8');
  // Per Python minor too: wheels with compiled code (pandas, polars) are built for one.
  const minor = python.version.split('.').slice(0, 2).join('.');
  const key = createHash('sha256').update(text).update(`\u0000${minor}`).digest('hex').slice(0, 16);
  const target = path.join(cacheDir, 'python', key);
  if (existsSync(path.join(target, '.lambench-complete'))) return target;
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    await run(
      python.path,
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

type Interpreter = { path: string; version: string };
const dependencies = new Map<string, string | undefined>();
/** Per runtime identifier, found by prepare() for the synchronous launch(). */
const interpreters = new Map<string, RuntimeInterpreter & { packages: RuntimePackages }>();
const pending = new Map<string, Promise<RuntimeInterpreter>>();

/** The interpreter for python3.X: a matching one on the host, else the default python3 (the result says so). */
export function interpreterFor(runtime: string): Promise<RuntimeInterpreter> {
  let found = pending.get(runtime);
  if (!found) {
    const override = process.env.LAMBENCH_PYTHON;
    found = findInterpreter(runtime, { fallback: resolvePython, ...(override ? { override } : {}) });
    pending.set(runtime, found);
    found.catch(() => pending.delete(runtime));
  }
  return found;
}

export const pythonRuntime: RuntimeAdapter = {
  family: 'python',
  matches: (runtime) => PYTHON_RUNTIMES.includes(runtime),
  async detect(): Promise<RuntimeStatus> {
    try {
      const { path: exe, version } = await resolvePython();
      const found = await Promise.all(PYTHON_RUNTIMES.map((runtime) => interpreterFor(runtime)));
      return {
        family: 'python',
        available: true,
        version: `python ${version} (the default; each python3.x runs on a matching interpreter where one is installed)`,
        path: exe,
        runtimes: found.map(({ runtime, path: where, version: runs, deviation }) => ({
          runtime,
          path: where,
          version: runs,
          source: deviation ? 'default python3' : 'host',
          ...(deviation ? { deviation: deviation.replace(' ran on ', ' runs on ') } : {}),
        })),
      };
    } catch {
      return { family: 'python', available: false, missing: INSTALL_HINT };
    }
  },
  async prepare(fn: FunctionVersion, cacheDir: string): Promise<string> {
    let interpreter: RuntimeInterpreter;
    try {
      interpreter = await interpreterFor(fn.runtime);
    } catch {
      throw new LambenchError(
        'RUNTIME_UNAVAILABLE',
        `${fn.name} needs Python (${fn.runtime}), which was not found.`,
        INSTALL_HINT,
      );
    }
    interpreters.set(fn.runtime, { ...interpreter, packages: await runtimePackages(interpreter, cacheDir) });
    dependencies.set(`${fn.codeDir}\u0000${fn.runtime}`, await installRequirements(fn, cacheDir, interpreter));
    return fn.codeDir;
  },
  launch(fn: FunctionVersion, taskRoot: string): RuntimeLaunch {
    const interpreter = interpreters.get(fn.runtime);
    if (!interpreter) throw new Error('pythonRuntime.prepare() must run before launch()');
    const deps = dependencies.get(`${fn.codeDir}\u0000${fn.runtime}`);
    return {
      command: interpreter.path,
      // -u: unbuffered, so print() output reaches the log of the invocation that printed it.
      args: ['-u', BOOTSTRAP],
      env: { PYTHONPATH: [taskRoot, deps, interpreter.packages.dir].filter(Boolean).join(':') },
      runtimeVersion: interpreter.version,
      deviations: [interpreter.deviation, interpreter.packages.deviation].filter((line): line is string =>
        Boolean(line),
      ),
    };
  },
};
