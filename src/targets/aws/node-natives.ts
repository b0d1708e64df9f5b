import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Architecture } from '../../engine/types.js';

/** Node's `process.arch` on Lambda for each architecture; Lambda's `process.platform` is always linux (glibc). */
export function lambdaNodeArch(architecture: Architecture): 'x64' | 'arm64' {
  return architecture === 'arm64' ? 'arm64' : 'x64';
}

const PLATFORMS = new Set(['darwin', 'win32', 'linux', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix']);
/** Folder-name spellings of CPU architectures, as Node names them. */
const ARCHES: Record<string, string> = {
  x64: 'x64',
  amd64: 'x64',
  x86_64: 'x64',
  arm64: 'arm64',
  aarch64: 'arm64',
  ia32: 'ia32',
  x86: 'ia32',
  arm: 'arm',
  armv7: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/**
 * True for a folder of prebuilt binaries for another platform than Lambda's: a folder below a package's `bin/` or
 * `prebuilds/` whose name, or a part of it between dashes, names another OS (`darwin`, `win32`), another CPU
 * (`linux/arm64` for an x86_64 function) or musl (Lambda is glibc). onnxruntime-node ships
 * bin/napi-v6/<platform>/<arch>/ for all of them (~288 MB), prebuildify packages prebuilds/<platform>-<arch>/.
 * Only folders count, never file names, and only inside node_modules, so a function's own code is never touched.
 */
export function isForeignBinaryDir(dir: string, arch: 'x64' | 'arm64'): boolean {
  const segments = dir.split('/');
  const modules = segments.lastIndexOf('node_modules');
  if (modules < 0) return false;
  const start = segments.findIndex((s, i) => i > modules && (s === 'bin' || s === 'prebuilds'));
  if (start < 0) return false;
  for (const token of segments.slice(start + 1).flatMap((s) => s.split('-'))) {
    if (PLATFORMS.has(token) && token !== 'linux') return true;
    const cpu = ARCHES[token];
    if (cpu && cpu !== arch) return true;
    if (token === 'musl') return true;
  }
  return false;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** npm's rule for `os` / `cpu` lists: `!x` excludes x; any positive entry means only those. */
function allows(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((entry) => !entry.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

/** Whether a package declares it runs on Lambda (linux, glibc, the function's CPU). */
export function runsOnLambda(pkg: PackageJson, arch: 'x64' | 'arm64'): boolean {
  return allows(pkg.os, 'linux') && allows(pkg.cpu, arch) && allows(pkg.libc, 'glibc');
}

const readPackage = async (dir: string): Promise<PackageJson> =>
  JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => '{}')) as PackageJson;

/** The linked packages in `<bundleDir>/node_modules` (scoped ones too), the AWS SDK aside: AWS's runtime has it. */
async function linkedRoots(bundleDir: string): Promise<string[]> {
  const modules = path.join(bundleDir, 'node_modules');
  if (!existsSync(modules)) return [];
  const roots: string[] = [];
  for (const entry of await readdir(modules, { withFileTypes: true })) {
    if (entry.name === '@aws-sdk') continue;
    const full = path.join(modules, entry.name);
    if (entry.name.startsWith('@') && entry.isDirectory()) {
      for (const scoped of await readdir(full, { withFileTypes: true })) {
        if (scoped.isSymbolicLink()) roots.push(await realpath(path.join(full, scoped.name)));
      }
    } else if (entry.isSymbolicLink()) roots.push(await realpath(full));
  }
  return roots;
}

/**
 * What the linked native packages of a bundle need at run time and the zip would otherwise miss: their dependencies
 * and installed optional dependencies, which npm hoisted beside them in the install folder (onnxruntime-node needs
 * onnxruntime-common; nodejs-polars loads its binary from nodejs-polars-linux-x64-gnu). Resolved as Node does,
 * upwards from each package but never above its install folder's node_modules; returned as zip paths
 * (`node_modules/<name>`) with their folders. Packages that declare another os/cpu/libc are left out.
 */
export async function linkedDependencies(
  bundleDir: string,
  architecture: Architecture,
): Promise<Array<{ name: string; dir: string }>> {
  const arch = lambdaNodeArch(architecture);
  const roots = await linkedRoots(bundleDir);
  // A package inside one of these folders is already in the zip with it.
  const carried = [...roots];
  const seen = new Set(roots);
  const found: Array<{ name: string; dir: string }> = [];
  const queue = roots.map((dir) => ({ dir, top: dir.slice(0, dir.lastIndexOf(`${path.sep}node_modules${path.sep}`)) }));
  for (let item = queue.shift(); item; item = queue.shift()) {
    const pkg = await readPackage(item.dir);
    for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const located = locate(item.dir, item.top, dependency);
      if (!located) continue; // an optional dependency npm skipped for this host
      const real = await realpath(located);
      if (seen.has(real)) continue;
      seen.add(real);
      if (!runsOnLambda(await readPackage(real), arch)) continue;
      queue.push({ dir: real, top: item.top });
      if (carried.some((dir) => real.startsWith(dir + path.sep))) continue;
      carried.push(real);
      found.push({ name: path.relative(item.top, located).split(path.sep).join('/'), dir: real });
    }
  }
  return found;
}

/** Node's lookup of `name` from `dir`: each node_modules upwards, stopping at `top` (the install folder). */
function locate(dir: string, top: string, name: string): string | undefined {
  for (let at = dir; at.startsWith(top); at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (at === top) return undefined;
  }
  return undefined;
}
