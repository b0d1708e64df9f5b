import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Interpreter {
  /** The real binary (sys.executable), never a pyenv shim. */
  path: string;
  /** 3.12.1 */
  version: string;
}

export interface RuntimeInterpreter extends Interpreter {
  runtime: string;
  /** Set when no interpreter of the runtime's minor was found: "python3.13 ran on Python 3.11.7 (…)". */
  deviation?: string;
}

export interface InterpreterSearch {
  /** Folders searched for python3.X, in order (default: PATH). */
  pathDirs?: string[];
  /** pyenv's root, whose versions/3.X.Y are searched first (default: $PYENV_ROOT or ~/.pyenv). */
  pyenvRoot?: string;
  /** The interpreter used when no matching one exists (the default python3, or LAMBENCH_PYTHON). */
  fallback: () => Promise<Interpreter>;
  /** LAMBENCH_PYTHON: one interpreter chosen by the user for every runtime. */
  override?: string;
}

/** python3.12 → "3.12" */
export function pythonMinorOf(runtime: string): string {
  return runtime.replace(/^python/, '');
}

const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');

/** What a candidate really is: a shim resolves to the binary it would run; a broken one is no candidate. */
export async function probeInterpreter(candidate: string): Promise<Interpreter | undefined> {
  try {
    const { stdout } = await run(
      candidate,
      ['-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])'],
      { timeout: 30_000 },
    );
    const [exe = '', version = ''] = stdout.trim().split('\n');
    return exe && version ? { path: exe, version } : undefined;
  } catch {
    return undefined;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** pyenv's installs of this minor, newest patch first (pyenv root/versions/3.12.1/bin/python3.12). */
async function pyenvCandidates(root: string, minor: string): Promise<string[]> {
  const names = await readdir(path.join(root, 'versions')).catch(() => [] as string[]);
  const patch = (name: string) => Number(name.slice(minor.length + 1));
  return names
    .filter((name) => new RegExp(`^${minor.replace('.', '\\.')}\\.\\d+$`).test(name))
    .sort((a, b) => patch(b) - patch(a))
    .map((name) => path.join(root, 'versions', name, 'bin', `python${minor}`));
}

/**
 * The interpreter for `runtime` (python3.12): pyenv's newest 3.12.x, else python3.12 on PATH, else the fallback
 * with a deviation saying so (AWS would run 3.12; lambench records that it could not).
 */
export async function findInterpreter(runtime: string, search: InterpreterSearch): Promise<RuntimeInterpreter> {
  const minor = pythonMinorOf(runtime);
  const deviationOf = (found: Interpreter, why: string) =>
    minorOf(found.version) === minor ? {} : { deviation: `${runtime} ran on Python ${found.version} (${why})` };
  if (search.override) {
    // The user's explicit choice, for every runtime: a broken one is an error, not a reason to pick another.
    const chosen = await probeInterpreter(search.override);
    if (!chosen) throw new Error(`LAMBENCH_PYTHON=${search.override} does not run`);
    return { runtime, ...chosen, ...deviationOf(chosen, 'LAMBENCH_PYTHON chose it') };
  }
  const pyenvRoot = search.pyenvRoot ?? process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const pathDirs = search.pathDirs ?? (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const onPath = pathDirs.map((dir) => path.join(dir, `python${minor}`));
  for (const candidate of [...(await pyenvCandidates(pyenvRoot, minor)), ...onPath]) {
    if (!existsSync(candidate) || !(await isExecutable(candidate))) continue;
    const found = await probeInterpreter(candidate);
    if (found && minorOf(found.version) === minor) return { runtime, ...found };
  }
  const fallback = await search.fallback();
  return {
    runtime,
    ...fallback,
    ...deviationOf(fallback, `no python${minor} on this host: install it, e.g. pyenv install ${minor}`),
  };
}
