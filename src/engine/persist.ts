import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Alias, FunctionVersion } from './types.js';

/**
 * What the control plane keeps of a function created through the API, one JSON file per function beside its code
 * (`<data dir>/lambda/functions/<name>/lambench-state.json`), so it survives a restart of `serve` as on AWS.
 * Code folders are stored relative to the functions folder, so a moved data dir still loads.
 */
export interface StoredFunction {
  latest: FunctionVersion;
  versions: FunctionVersion[];
  aliases: Alias[];
  nextVersion: number;
  reservedConcurrency: number | null;
}

export const STATE_FILE = 'lambench-state.json';
const FORMAT = 1;
/** `<name>.tmp-<pid>-<hex>` (a state being written), `<sha>.tmp-<pid>-<hex>` (a zip being unpacked), `.trash-…`. */
const TRANSIENT = /(?:^\.trash-.*-|\.tmp-)(\d+)(?:-[0-9a-f]+)?$/;

const relativeTo = (dir: string, version: FunctionVersion) => ({
  ...version,
  codeDir: path.relative(dir, version.codeDir),
});
const resolvedIn = (dir: string, version: FunctionVersion) => ({
  ...version,
  codeDir: path.resolve(dir, version.codeDir),
});

/** Written to a temporary file, then renamed over the old one: a reader (or a crash) sees the old or the new. */
export function saveFunction(functionsDir: string, fn: StoredFunction): void {
  const file = path.join(functionsDir, fn.latest.name, STATE_FILE);
  const body = {
    format: FORMAT,
    ...fn,
    latest: relativeTo(functionsDir, fn.latest),
    versions: fn.versions.map((v) => relativeTo(functionsDir, v)),
  };
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temporary, `${JSON.stringify(body, null, 1)}\n`);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * A deleted function's folder is renamed out of the way at once (a function of the same name may be created right
 * after) and removed in the background; environments still running from it keep their open files.
 */
export function removeFunction(functionsDir: string, name: string): void {
  const dir = path.join(functionsDir, name);
  if (!existsSync(dir)) return;
  const trash = path.join(functionsDir, `.trash-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  renameSync(dir, trash);
  rm(trash, { recursive: true, force: true }).catch(() => {});
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Staging folders, half-written states and trash of processes that died; those of live processes are left alone. */
export async function removeStale(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(TRANSIENT.exec(name)?.[1]);
    if (pid && !alive(pid)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

function check(raw: unknown, name: string): StoredFunction {
  const stored = raw as StoredFunction & { format?: number };
  if (stored?.format !== FORMAT) throw new Error(`format ${String(stored?.format)} is not ${FORMAT}`);
  if (stored.latest?.name !== name) throw new Error(`it names ${JSON.stringify(stored.latest?.name)}, not ${name}`);
  if (!Array.isArray(stored.versions) || !Array.isArray(stored.aliases) || !Number.isInteger(stored.nextVersion)) {
    throw new Error('versions, aliases or nextVersion are missing');
  }
  return stored;
}

/** Every stored function under `functionsDir`; a file that cannot be read is reported, and the others still load. */
export async function loadFunctions(
  functionsDir: string,
): Promise<{ functions: StoredFunction[]; problems: string[] }> {
  await removeStale(functionsDir);
  const functions: StoredFunction[] = [];
  const problems: string[] = [];
  const names = await readdir(functionsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of names.filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))) {
    const dir = path.join(functionsDir, entry.name);
    await removeStale(dir);
    const file = path.join(dir, STATE_FILE);
    if (!existsSync(file)) continue;
    try {
      const stored = check(JSON.parse(await readFile(file, 'utf8')), entry.name);
      const fn = {
        ...stored,
        latest: resolvedIn(functionsDir, stored.latest),
        versions: stored.versions.map((v) => resolvedIn(functionsDir, v)),
      };
      const missing = [fn.latest, ...fn.versions].find((v) => !existsSync(v.codeDir));
      if (missing) throw new Error(`the code of version ${missing.version} (${missing.codeDir}) is missing`);
      functions.push(fn);
    } catch (error) {
      problems.push(`${file} could not be read (${(error as Error).message}); function ${entry.name} was not loaded.`);
    }
  }
  return { functions, problems };
}
