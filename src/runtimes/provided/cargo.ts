import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { LambenchError } from '../../errors.js';

const run = promisify(execFile);
export const CARGO_HINT = 'Install Rust with cargo (rustup, or apt-get install cargo) to build the Rust workloads.';

export async function cargoVersion(): Promise<string | null> {
  try {
    return (await run('cargo', ['--version'])).stdout.trim();
  } catch {
    return null;
  }
}

/** The nearest folder at or above `dir` whose Cargo.toml declares a [workspace] (else `dir` itself). */
async function workspaceRoot(dir: string): Promise<string> {
  for (let current = dir; ; current = path.dirname(current)) {
    const manifest = path.join(current, 'Cargo.toml');
    if (existsSync(manifest) && /^\[workspace\]/m.test(await readFile(manifest, 'utf8'))) return current;
    if (current === path.dirname(current)) return dir;
  }
}

async function hashTree(hash: ReturnType<typeof createHash>, dir: string): Promise<void> {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name === 'target') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await hashTree(hash, full);
    else hash.update(entry.name).update(await readFile(full));
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Builds the package in `codeDir` with cargo (release) into one shared target dir and returns a folder holding the
 * binary as `bootstrap`. Keyed by the workspace manifest, Cargo.lock and the package's sources: an unchanged
 * package never starts cargo again. Builds run one at a time (cargo would serialise on its lock anyway).
 */
export async function buildBootstrap(name: string, codeDir: string, cacheDir: string): Promise<string> {
  const manifest = await readFile(path.join(codeDir, 'Cargo.toml'), 'utf8');
  const pkg = /^\s*name\s*=\s*"([^"]+)"/m.exec(manifest)?.[1];
  if (!pkg) throw new LambenchError('BUILD_FAILED', `${codeDir}/Cargo.toml has no package name.`);
  const root = await workspaceRoot(codeDir);
  const hash = createHash('sha256');
  for (const file of ['Cargo.toml', 'Cargo.lock']) {
    if (existsSync(path.join(root, file))) hash.update(await readFile(path.join(root, file)));
  }
  await hashTree(hash, codeDir);
  const out = path.join(cacheDir, 'provided', `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(path.join(out, 'bootstrap'))) return out;
  const build = queue.then(async () => {
    if (existsSync(path.join(out, 'bootstrap'))) return;
    if (!(await cargoVersion())) {
      throw new LambenchError('RUNTIME_UNAVAILABLE', `${name} is a Rust workload and cargo was not found.`, CARGO_HINT);
    }
    const targetDir = path.join(cacheDir, 'cargo-target');
    const log = path.join(cacheDir, 'provided', `${name}.build.log`);
    await mkdir(path.dirname(log), { recursive: true });
    try {
      const { stderr } = await run('cargo', ['build', '--release', '--locked', '-p', pkg], {
        cwd: root,
        env: { ...process.env, CARGO_TARGET_DIR: targetDir },
        maxBuffer: 64 * 1024 * 1024,
      });
      await writeFile(log, stderr);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      await writeFile(log, stderr);
      throw new LambenchError(
        'BUILD_FAILED',
        `cargo could not build ${pkg}:\n${stderr.trim().split('\n').slice(-15).join('\n')}`,
        `Full log: ${log}`,
      );
    }
    const staging = `${out}.tmp-${process.pid}`;
    await mkdir(staging, { recursive: true });
    await copyFile(path.join(targetDir, 'release', pkg), path.join(staging, 'bootstrap'));
    await rm(out, { recursive: true, force: true });
    await rename(staging, out);
  });
  queue = build.catch(() => {});
  await build;
  return out;
}
