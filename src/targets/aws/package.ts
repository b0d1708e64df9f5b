import { existsSync } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import { findRuntime } from '../../runtimes/index.js';
import { buildBootstrap } from '../../runtimes/provided/cargo.js';
import { bundleNodeHandler } from './node-bundle.js';

/** Lambda's limits for a directly uploaded zip. */
export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
const SKIPPED = new Set(['.git', '__pycache__', 'target', 'function.json', '.build']);

async function collect(dir: string, prefix = '', files: Record<string, [Uint8Array, { mode: number }]> = {}) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    // Linked native dependencies travel in the zip; the linked AWS SDK does not (AWS's runtimes provide it).
    if (entry.isSymbolicLink() && entry.name !== '@aws-sdk') await collect(await realpath(full), name, files);
    else if (entry.isDirectory()) await collect(full, name, files);
    else if (entry.isFile()) files[name] = [await readFile(full), { mode: (await stat(full)).mode & 0o777 }];
  }
  return files;
}

/** The folder whose contents become the zip: a bundle for Node handlers, the built binary for Rust, else the code. */
async function packageRoot(fn: FunctionVersion, cacheDir: string): Promise<string> {
  const family = findRuntime(fn.runtime).family;
  if (family === 'nodejs') return bundleNodeHandler(fn, cacheDir);
  if (family === 'provided') {
    // For the function's architecture, not the host's: an arm64 function must not carry an x86_64 bootstrap.
    if (!existsSync(path.join(fn.codeDir, 'bootstrap')) && existsSync(path.join(fn.codeDir, 'Cargo.toml'))) {
      return buildBootstrap(fn.name, fn.codeDir, cacheDir, { architecture: fn.architecture });
    }
    const root = await findRuntime(fn.runtime).prepare(fn, cacheDir);
    await checkExecutableArchitecture(fn, path.join(root, 'bootstrap'));
    return root;
  }
  // Python folders (dependencies included by prepare) are what the engine runs.
  return findRuntime(fn.runtime).prepare(fn, cacheDir);
}

/** ELF e_machine values of the two Lambda architectures. */
const ELF_MACHINES: Record<number, FunctionVersion['architecture']> = { 62: 'x86_64', 183: 'arm64' };

/** Refuses a prebuilt ELF bootstrap for the other architecture (scripts and unknown formats pass). */
async function checkExecutableArchitecture(fn: FunctionVersion, file: string): Promise<void> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(20);
  const { bytesRead } = await handle.read(head, 0, 20, 0).finally(() => handle.close());
  if (bytesRead < 20 || head.readUInt32BE(0) !== 0x7f454c46) return;
  const built = ELF_MACHINES[head.readUInt16LE(18)];
  if (built && built !== fn.architecture) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${fn.name}: bootstrap is an ${built} executable, but the function's architecture is ${fn.architecture}.`,
      `Build bootstrap for ${fn.architecture}, or set "architecture": "${built}" in its function.json.`,
    );
  }
}

/** A deployable zip for a function, checked against Lambda's size limits before anything is uploaded. */
export async function packageFunction(fn: FunctionVersion, cacheDir: string): Promise<Uint8Array> {
  const root = await packageRoot(fn, cacheDir);
  const files = await collect(root);
  const unzipped = Object.values(files).reduce((sum, [data]) => sum + data.length, 0);
  if (unzipped > MAX_UNZIPPED_BYTES) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${fn.name} is ${(unzipped / 2 ** 20).toFixed(1)} MB unzipped; Lambda allows 250 MB.`,
      'Trim dependencies, or use a container image (not supported by lambench deploy).',
    );
  }
  const zip = zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, [data, { mode }]]) => [name, [data, { attrs: (mode | 0o100000) << 16 }]]),
    ),
    { level: 6 },
  );
  if (zip.length > MAX_ZIPPED_BYTES) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${fn.name} zips to ${(zip.length / 2 ** 20).toFixed(1)} MB; direct upload allows 50 MB.`,
      'Trim dependencies (upload through S3 is not supported by lambench deploy).',
    );
  }
  return zip;
}
