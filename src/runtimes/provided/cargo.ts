import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Architecture } from '../../engine/types.js';
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

/** Rust's name for each Lambda architecture, and the Debian/Ubuntu cross linker for it. */
const TARGETS: Record<Architecture, { triple: string; linker: string }> = {
  x86_64: { triple: 'x86_64-unknown-linux-gnu', linker: 'x86_64-linux-gnu-gcc' },
  arm64: { triple: 'aarch64-unknown-linux-gnu', linker: 'aarch64-linux-gnu-gcc' },
};

export function hostArchitecture(): Architecture | undefined {
  return process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : undefined;
}

export interface BuildOptions {
  /** The architecture the binary must run on (a deployed function's); default: this host's. */
  architecture?: Architecture;
}

const onPath = (file: string) =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, file)));

/** Whether a cargo config (the workspace's or CARGO_HOME's) sets up this target, e.g. its linker. */
async function cargoConfigured(root: string, triple: string): Promise<boolean> {
  const cargoHome = process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo');
  for (const file of [
    path.join(root, '.cargo', 'config.toml'),
    path.join(root, '.cargo', 'config'),
    path.join(cargoHome, 'config.toml'),
    path.join(cargoHome, 'config'),
  ]) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.includes(`[target.${triple}]`)) return true;
  }
  return false;
}

/**
 * What cargo needs to build for another architecture: the target's standard library (rustup) and a linker for it.
 * Missing pieces are refused with what to install; nothing is downloaded. Returns the variables to build with.
 */
async function crossEnvironment(
  name: string,
  architecture: Architecture,
  root: string,
): Promise<Record<string, string>> {
  const { triple, linker } = TARGETS[architecture];
  const host = hostArchitecture() ?? process.arch;
  const installed = await run('rustup', ['target', 'list', '--installed']).then(
    ({ stdout }) => stdout.split('\n').map((line) => line.trim()),
    () => [] as string[],
  );
  const install = `rustup target add ${triple}`;
  const linkerPackage = `gcc-${linker.replace(/-gcc$/, '').replace(/_/g, '-')}`;
  if (!installed.includes(triple)) {
    throw new LambenchError(
      'RUNTIME_UNAVAILABLE',
      `${name} is an ${architecture} function, this host is ${host}, and the Rust target ${triple} is not installed.`,
      `Run \`${install}\` (Rust from rustup) and install a linker for it (e.g. apt-get install ${linkerPackage}), or set "architecture": "${host}" in its function.json.`,
    );
  }
  const variable = `CARGO_TARGET_${triple.toUpperCase().replace(/-/g, '_')}_LINKER`;
  if (process.env[variable] || (await cargoConfigured(root, triple))) return {};
  if (onPath(linker)) return { [variable]: linker };
  throw new LambenchError(
    'RUNTIME_UNAVAILABLE',
    `${name} is an ${architecture} function, this host is ${host}, and no linker for ${triple} was found (${linker}).`,
    `Install one (e.g. apt-get install ${linkerPackage}), or set ${variable} to a linker for ${triple}.`,
  );
}

/**
 * Builds the package in `codeDir` with cargo (release) into one shared target dir and returns a folder holding the
 * binary as `bootstrap`. Keyed by the workspace manifest, Cargo.lock and the package's sources: an unchanged
 * package never starts cargo again. Builds run one at a time (cargo would serialise on its lock anyway).
 */
export async function buildBootstrap(
  name: string,
  codeDir: string,
  cacheDir: string,
  options: BuildOptions = {},
): Promise<string> {
  const manifest = await readFile(path.join(codeDir, 'Cargo.toml'), 'utf8');
  const pkg = /^\s*name\s*=\s*"([^"]+)"/m.exec(manifest)?.[1];
  if (!pkg) throw new LambenchError('BUILD_FAILED', `${codeDir}/Cargo.toml has no package name.`);
  const root = await workspaceRoot(codeDir);
  const hash = createHash('sha256');
  for (const file of ['Cargo.toml', 'Cargo.lock']) {
    if (existsSync(path.join(root, file))) hash.update(await readFile(path.join(root, file)));
  }
  await hashTree(hash, codeDir);
  // Only a foreign architecture needs --target: host builds keep their paths (and the local engine runs them).
  const cross = options.architecture && options.architecture !== hostArchitecture() ? options.architecture : undefined;
  const triple = cross ? TARGETS[cross].triple : undefined;
  if (triple) hash.update(triple);
  const out = path.join(cacheDir, 'provided', `${name}${cross ? `-${cross}` : ''}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(path.join(out, 'bootstrap'))) return out;
  const build = queue.then(async () => {
    if (existsSync(path.join(out, 'bootstrap'))) return;
    if (!(await cargoVersion())) {
      throw new LambenchError('RUNTIME_UNAVAILABLE', `${name} is a Rust workload and cargo was not found.`, CARGO_HINT);
    }
    const crossEnv = cross ? await crossEnvironment(name, cross, root) : {};
    const targetDir = path.join(cacheDir, 'cargo-target');
    const log = path.join(cacheDir, 'provided', `${name}.build.log`);
    await mkdir(path.dirname(log), { recursive: true });
    try {
      const targetArgs = triple ? ['--target', triple] : [];
      const { stderr } = await run('cargo', ['build', '--release', '--locked', '-p', pkg, ...targetArgs], {
        cwd: root,
        env: { ...process.env, ...crossEnv, CARGO_TARGET_DIR: targetDir },
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
    await copyFile(path.join(targetDir, ...(triple ? [triple] : []), 'release', pkg), path.join(staging, 'bootstrap'));
    await rm(out, { recursive: true, force: true });
    await rename(staging, out);
  });
  queue = build.catch(() => {});
  await build;
  return out;
}
