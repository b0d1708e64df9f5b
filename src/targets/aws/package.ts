import { existsSync } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import { findRuntime } from '../../runtimes/index.js';
import { buildBootstrap } from '../../runtimes/provided/cargo.js';
import { bundleNodeHandler } from './node-bundle.js';
import { isForeignBinaryDir, lambdaNodeArch, linkedDependencies } from './node-natives.js';
import { installLambdaRequirements } from './python-deps.js';

/** Lambda's limits for a directly uploaded zip. */
export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
/** Left out of a function's code folder (build output, metadata); installed dependencies only lose bytecode caches. */
const SKIPPED_IN_CODE = new Set(['.git', '__pycache__', 'target', 'function.json', '.build']);
const SKIPPED_IN_DEPENDENCIES = new Set(['__pycache__']);

type Files = Record<string, [Uint8Array, { mode: number }]>;

/** Which files to leave out: names skipped anywhere, and folders to leave out by their path in the zip. */
interface Filter {
  skip: Set<string>;
  leaveOutDir?: (name: string) => boolean;
}

async function collect(dir: string, filter: Filter, prefix = '', files: Files = {}): Promise<Files> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (filter.skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if ((entry.isSymbolicLink() || entry.isDirectory()) && filter.leaveOutDir?.(name)) continue;
    // Linked native dependencies travel in the zip; the linked AWS SDK does not (AWS's runtimes provide it).
    // A linked package is a dependency: the code folder's skip list (target/, function.json) does not apply in it.
    if (entry.isSymbolicLink() && entry.name !== '@aws-sdk') {
      await collect(await realpath(full), { ...filter, skip: SKIPPED_IN_DEPENDENCIES }, name, files);
    } else if (entry.isDirectory()) await collect(full, filter, name, files);
    else if (entry.isFile() && !(name in files)) {
      files[name] = [await readFile(full), { mode: (await stat(full)).mode & 0o777 }];
    }
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
  // Python: the code folder as it is; its dependencies are added beside it (see packageFunction).
  return fn.codeDir;
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

const TOO_LARGE_HINT =
  'Trim dependencies, move the large ones into a Lambda layer, or use a container image (lambench deploy creates neither, nor uploads through S3).';

/** The three largest top-level entries (a package under node_modules counts as one), so the error says what to move. */
function largest(files: Files): string {
  const sizes = new Map<string, number>();
  for (const [name, [data]] of Object.entries(files)) {
    const parts = name.split('/');
    const depth = parts[0] === 'node_modules' ? (parts[1]?.startsWith('@') ? 3 : 2) : 1;
    const top = parts.slice(0, Math.min(depth, parts.length)).join('/');
    sizes.set(top, (sizes.get(top) ?? 0) + data.length);
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${(bytes / 2 ** 20).toFixed(1)} MB`)
    .join(', ');
}

/** A deployable zip for a function, checked against Lambda's size limits before anything is uploaded. */
export async function packageFunction(fn: FunctionVersion, cacheDir: string): Promise<Uint8Array> {
  const root = await packageRoot(fn, cacheDir);
  const family = findRuntime(fn.runtime).family;
  // Prebuilt binaries of native packages for other platforms stay out (onnxruntime-node ships five, ~288 MB).
  const arch = lambdaNodeArch(fn.architecture);
  const leaveOutDir = (name: string) => isForeignBinaryDir(name, arch);
  const files = await collect(root, { skip: SKIPPED_IN_CODE, leaveOutDir });
  if (family === 'nodejs') {
    for (const dependency of await linkedDependencies(root, fn.architecture)) {
      await collect(dependency.dir, { skip: SKIPPED_IN_DEPENDENCIES, leaveOutDir }, dependency.name, files);
    }
  }
  // Python dependencies go at the zip root next to the handler (Lambda puts /var/task on sys.path), built for
  // Lambda's platform; the function's own files, collected first, win over a dependency of the same name.
  if (family === 'python') {
    const dependencies = await installLambdaRequirements(fn, cacheDir);
    if (dependencies) await collect(dependencies, { skip: SKIPPED_IN_DEPENDENCIES }, '', files);
  }
  const unzipped = Object.values(files).reduce((sum, [data]) => sum + data.length, 0);
  if (unzipped > MAX_UNZIPPED_BYTES) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${fn.name} is ${(unzipped / 2 ** 20).toFixed(1)} MB unzipped; Lambda allows 250 MB (largest: ${largest(files)}).`,
      TOO_LARGE_HINT,
    );
  }
  const zip = zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, [data, { mode }]]) => [
        name,
        [data, { attrs: (mode | 0o100000) << 16, os: 3 }],
      ]),
    ),
    { level: 6 },
  );
  if (zip.length > MAX_ZIPPED_BYTES) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${fn.name} zips to ${(zip.length / 2 ** 20).toFixed(1)} MB; direct upload allows 50 MB (largest unzipped: ${largest(files)}).`,
      TOO_LARGE_HINT,
    );
  }
  return zip;
}
