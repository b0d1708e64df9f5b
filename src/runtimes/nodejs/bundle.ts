import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Plugin } from 'esbuild';
import { LambenchError } from '../../errors.js';

const run = promisify(execFile);

/** Bump when the build options change, so old bundles are not reused. */
const BUILD_VERSION = 'esbuild-esm-node20-v2';
const SOURCE_FILE = /\.(m|c)?[jt]sx?$|\.json$/;

/** Hash of every source file under `dir` (node_modules and dot-folders excluded), names included. */
export async function hashSources(dir: string, extra = ''): Promise<string> {
  const hash = createHash('sha256').update(BUILD_VERSION).update(extra);
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (SOURCE_FILE.test(entry.name)) {
        hash.update(`\0${child}\0`).update(await readFile(path.join(dir, child)));
      }
    }
  }
  await walk('');
  return hash.digest('hex').slice(0, 20);
}

/**
 * The folder holding the AWS SDK v3 packages lambench itself depends on: the nearest node_modules/@aws-sdk
 * above this file. It plays the part of the SDK AWS preinstalls in the nodejs18.x+ runtimes.
 */
export function hostAwsSdkDir(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '@aws-sdk');
    if (existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * As CDK's NodejsFunction for node18+: `@aws-sdk/*` stays external, because the runtime provides it. Here the
 * host's SDK provides it, through a node_modules/@aws-sdk link in the bundle folder (ESM ignores NODE_PATH, but
 * resolves bare imports through parent node_modules folders). A package the host does not have is bundled
 * instead, so the function still runs.
 */
function awsSdkExternal(sdkDir: string | undefined): Plugin {
  return {
    name: 'aws-sdk-external',
    setup(build) {
      build.onResolve({ filter: /^@aws-sdk\/[^/]+/ }, (args) => {
        const packageName = args.path.split('/').slice(0, 2).join('/');
        const provided = sdkDir && existsSync(path.join(sdkDir, packageName.slice('@aws-sdk/'.length), 'package.json'));
        return provided ? { path: args.path, external: true } : undefined;
      });
    },
  };
}

export interface BundleRequest {
  entry: string;
  /** Folder whose sources key the cache (the function's code folder). */
  sourceDir: string;
  /** Bundles go to `<outRoot>/<hash>/`. */
  outRoot: string;
  /** Path of the output file inside the bundle folder, e.g. `index.mjs`. */
  outName: string;
  /** Link the host's AWS SDK into the bundle folder and keep @aws-sdk/* external. */
  awsSdk: boolean;
  /** Where a function's own npm dependencies are installed (see nativeExternals). */
  depsRoot?: string;
}

/**
 * A suffix for the cache key from the sources outside `sourceDir` that the last build of this key read
 * (e.g. `../shared/parse.ts`), listed in `listFile`: editing them then rebuilds too.
 */
async function outsideSourcesKey(listFile: string): Promise<string> {
  let files: string[];
  try {
    files = JSON.parse(await readFile(listFile, 'utf8'));
  } catch {
    return '';
  }
  if (files.length === 0) return '';
  const hash = createHash('sha256');
  for (const file of files) hash.update(`\0${file}\0`).update(await readFile(file).catch(() => 'missing'));
  return `-${hash.digest('hex').slice(0, 12)}`;
}

/**
 * Packages a function cannot have bundled (native addons such as nodejs-polars), from its own package.json:
 * `{ "dependencies": {…}, "lambench": { "external": ["nodejs-polars"] } }`. The dependencies are npm-installed once
 * per package.json into `<depsRoot>/<hash>/` (as a deployed zip would carry its node_modules) and linked into the
 * bundle folder; the externals stay out of the bundle.
 */
async function nativeExternals(
  sourceDir: string,
  depsRoot: string | undefined,
): Promise<Array<{ name: string; dir: string }>> {
  let text: string;
  try {
    text = await readFile(path.join(sourceDir, 'package.json'), 'utf8');
  } catch {
    return [];
  }
  const pkg = JSON.parse(text) as { dependencies?: Record<string, string>; lambench?: { external?: string[] } };
  const names = pkg.lambench?.external ?? [];
  if (names.length === 0) return [];
  if (!depsRoot) throw new LambenchError('BUILD_FAILED', `${sourceDir}: native dependencies need a cache folder.`);
  const installDir = path.join(depsRoot, createHash('sha256').update(text).digest('hex').slice(0, 16));
  if (!existsSync(path.join(installDir, '.lambench-complete'))) {
    const staging = `${installDir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(staging, { recursive: true });
    await writeFile(
      path.join(staging, 'package.json'),
      JSON.stringify({ private: true, dependencies: pkg.dependencies ?? {} }),
    );
    try {
      await run('npm', ['install', '--omit=dev', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: staging,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw new LambenchError(
        'BUILD_FAILED',
        `npm could not install the dependencies of ${sourceDir}: ${String((error as { stderr?: string }).stderr ?? error).slice(-800)}`,
        'Check the package names in its package.json and that the npm registry is reachable.',
      );
    }
    await writeFile(path.join(staging, '.lambench-complete'), text);
    await rename(staging, installDir).catch(async () => rm(staging, { recursive: true, force: true }));
  }
  return names.map((name) => {
    const dir = path.join(installDir, 'node_modules', name);
    if (!existsSync(dir)) {
      throw new LambenchError(
        'BUILD_FAILED',
        `${sourceDir}: "${name}" is external but not in its package.json dependencies.`,
      );
    }
    return { name, dir };
  });
}

/** Bundles with esbuild (ESM, node20, no source map) into a content-keyed cache; returns the bundle folder. */
export async function bundle(request: BundleRequest): Promise<string> {
  const natives = await nativeExternals(request.sourceDir, request.depsRoot);
  const sdkDir = request.awsSdk ? hostAwsSdkDir() : undefined;
  const key = await hashSources(request.sourceDir, `${request.entry}\0${request.outName}\0${sdkDir ?? ''}`);
  const listFile = path.join(request.outRoot, `${key}.outside-sources.json`);
  const cached = path.join(request.outRoot, key + (await outsideSourcesKey(listFile)));
  if (existsSync(path.join(cached, request.outName))) return cached;
  const targetDir = path.join(request.outRoot, key);
  const { build } = await import('esbuild');
  const staging = `${targetDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: request.sourceDir,
      metafile: true,
      entryPoints: [request.entry],
      outfile: path.join(staging, request.outName),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: false,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      plugins: request.awsSdk ? [awsSdkExternal(sdkDir)] : [],
      external: natives.map((n) => n.name),
      // CommonJS dependencies may call require() for built-ins; an ESM bundle has none (CDK's recommended banner).
      banner: {
        js: "import { createRequire as __lambenchCreateRequire } from 'node:module'; const require = __lambenchCreateRequire(import.meta.url);",
      },
    });
    if (sdkDir) {
      await mkdir(path.join(staging, 'node_modules'), { recursive: true });
      await symlink(sdkDir, path.join(staging, 'node_modules', '@aws-sdk'), 'dir');
    }
    for (const native of natives) {
      const link = path.join(staging, 'node_modules', native.name);
      await mkdir(path.dirname(link), { recursive: true });
      await symlink(native.dir, link, 'dir');
    }
    const outside = Object.keys(result.metafile.inputs)
      .map((input) => path.resolve(request.sourceDir, input))
      .filter(
        (file) =>
          !file.startsWith(request.sourceDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`),
      )
      .sort();
    await writeFile(`${listFile}.${process.pid}`, JSON.stringify(outside));
    await rename(`${listFile}.${process.pid}`, listFile);
    const finalDir = targetDir + (await outsideSourcesKey(listFile));
    await rename(staging, finalDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process built the same bundle first: keep theirs.
      if (!existsSync(path.join(finalDir, request.outName))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return finalDir;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> })
      .errors;
    const message = errors
      ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ')
      : String(error);
    throw new LambenchError(
      'BUILD_FAILED',
      `esbuild could not bundle ${request.entry}: ${message}`,
      'Fix the error above in the function source, or install the missing package in the function folder.',
    );
  }
}
