import { existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import { stageTaskRoot } from '../task-root.js';
import type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from '../types.js';
import { bundle, hostAwsSdkDir } from './bundle.js';
import { describeNodeBinaries, resolvedNodeBinary, resolveNodeBinary } from './node-binaries.js';

const RUNTIMES = /^nodejs(18|20|22|24)\.x$/;
const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
const JS_EXTENSIONS = ['', '.js', '.mjs', '.cjs'];
const TS_EXTENSIONS = ['.ts', '.mts'];

/** Per cache dir: engines with different cache dirs (tests, benchmarks) must not share each other's files. */
const clientPaths = new Map<string, Promise<string>>();
/**
 * What launch() needs, resolved by prepare() (launch() is synchronous), per task root prepare() returned: the
 * runtime client's file and the runtime's module folder, both under the cache dir the function was prepared with.
 */
const prepared = new Map<string, { clientPath: string; runtimeModulesDir: string | undefined }>();

/**
 * The runtime client as one runnable JavaScript file: an esbuild bundle of client/bootstrap.ts (from sources,
 * under vitest) or of the compiled dist/runtimes/nodejs/client/bootstrap.js, in
 * `<cacheDir>/nodejs-client/<hash>/bootstrap.mjs`, keyed by the client's sources. One file, as AWS's own
 * /var/runtime/index.mjs is, starts ~3 ms sooner than the compiled modules loaded one by one. Built, the
 * compiled file itself is the fallback if bundling fails.
 */
export function runtimeClientPath(cacheDir: string): Promise<string> {
  const key = path.resolve(cacheDir);
  const known = clientPaths.get(key);
  if (known) return known;
  const pending = (async () => {
    const here = fileURLToPath(import.meta.url);
    const clientDir = path.join(path.dirname(here), 'client');
    const built = here.endsWith('.js');
    const entry = path.join(clientDir, built ? 'bootstrap.js' : 'bootstrap.ts');
    const outRoot = path.join(cacheDir, 'nodejs-client');
    try {
      const dir = await bundle({ entry, sourceDir: clientDir, outRoot, outName: 'bootstrap.mjs', awsSdk: false });
      return path.join(dir, 'bootstrap.mjs');
    } catch (error) {
      if (built) return entry;
      throw error;
    }
  })();
  clientPaths.set(key, pending);
  pending.catch(() => clientPaths.delete(key));
  return pending;
}

/**
 * The stand-in for AWS's /var/runtime/node_modules: a folder holding only `@aws-sdk` (linked to the host's
 * SDK), put on NODE_PATH so CommonJS functions can require the SDK as on AWS without seeing the host's other
 * packages.
 */
async function prepareRuntimeModules(cacheDir: string): Promise<string | undefined> {
  const sdkDir = hostAwsSdkDir();
  if (!sdkDir) return undefined;
  const modules = path.join(cacheDir, 'nodejs-runtime', 'node_modules');
  if (existsSync(path.join(modules, '@aws-sdk'))) return modules;
  await mkdir(modules, { recursive: true });
  const temporary = path.join(modules, `.aws-sdk-${process.pid}-${Date.now()}`);
  await symlink(sdkDir, temporary, 'dir');
  // rename() replaces atomically, so concurrent prepares cannot leave a half-made link.
  await rename(temporary, path.join(modules, '@aws-sdk')).catch(() => rm(temporary, { force: true }));
  return modules;
}

/** `[dir/]module.export` → the module's path without extension, inside `root`. */
function moduleStem(root: string, handler: string): { stem: string; relative: string } | undefined {
  const base = path.basename(handler);
  const dot = base.indexOf('.');
  if (dot <= 0 || handler.includes('..')) return undefined;
  const relative = path.join(path.dirname(handler), base.slice(0, dot));
  return { stem: path.join(root, relative), relative };
}

/** The task root of a JavaScript function: its code, as under /var/task, with the SDK as AWS provides it. */
function stageJavaScript(fn: FunctionVersion, cacheDir: string): Promise<string> {
  const sdkDir = hostAwsSdkDir();
  return stageTaskRoot(fn.name, fn.codeDir, cacheDir, {
    family: 'nodejs',
    // ES modules ignore NODE_PATH; AWS's runtime lets them import the SDK all the same.
    provided: sdkDir ? { '@aws-sdk': sdkDir } : {},
  });
}

/** Where the function's code runs from: a staged copy of its JavaScript, or the bundle of its TypeScript handler. */
async function taskRootOf(fn: FunctionVersion, cacheDir: string): Promise<string> {
  const found = moduleStem(fn.codeDir, fn.handler);
  if (!found || JS_EXTENSIONS.some((ext) => existsSync(found.stem + ext))) return stageJavaScript(fn, cacheDir);
  const entry = TS_EXTENSIONS.map((ext) => found.stem + ext).find((candidate) => existsSync(candidate));
  if (!entry) return stageJavaScript(fn, cacheDir);
  return bundle({
    entry,
    sourceDir: fn.codeDir,
    outRoot: path.join(cacheDir, 'nodejs'),
    depsRoot: path.join(cacheDir, 'node-deps'),
    outName: `${found.relative}.mjs`,
    awsSdk: true,
  });
}

export const nodejsRuntime: RuntimeAdapter = {
  family: 'nodejs',
  matches: (runtime) => RUNTIMES.test(runtime),
  async detect(): Promise<RuntimeStatus> {
    const binaries = await describeNodeBinaries(NODE_RUNTIMES);
    return {
      family: 'nodejs',
      available: true,
      version: `node ${process.versions.node} (lambench's own); each nodejs<major>.x runs on Node.js <major>`,
      path: process.execPath,
      runtimes: binaries,
    };
  },
  /**
   * JavaScript functions run as they are, from a copy staged where nothing above it decides how they load
   * (../task-root.ts), with the AWS SDK provided as AWS's runtime provides it. A TypeScript handler
   * (`.ts`/`.mts`) is bundled as CDK's NodejsFunction does (ESM, node20, @aws-sdk/* external) into
   * `<cacheDir>/nodejs/<hash>/<module>.mjs`.
   * A handler whose file does not exist is left for the runtime client to report (Runtime.ImportModuleError).
   */
  async prepare(fn: FunctionVersion, cacheDir: string): Promise<string> {
    const [clientPath] = await Promise.all([runtimeClientPath(cacheDir), resolveNodeBinary(fn.runtime)]);
    const runtimeModulesDir = await prepareRuntimeModules(cacheDir);
    const taskRoot = await taskRootOf(fn, cacheDir);
    prepared.set(taskRoot, { clientPath, runtimeModulesDir });
    return taskRoot;
  },
  /**
   * As AWS's nodejs bootstrap: --expose-gc, 80 KiB HTTP headers, and V8's heap sized from the memory setting
   * (new space = memory/10, split in two semi-spaces; old space = the rest), so V8 collects garbage before the
   * memory limit is hit instead of growing to its host-sized default.
   */
  launch(fn: FunctionVersion, taskRoot: string): RuntimeLaunch {
    const { clientPath, runtimeModulesDir } = prepared.get(taskRoot) ?? {};
    if (!clientPath) {
      throw new LambenchError('INTERNAL', 'nodejsRuntime.launch() was called before prepare().', undefined);
    }
    const newSpace = Math.floor(fn.memorySize / 10);
    const args = [
      '--expose-gc',
      '--max-http-header-size=81920',
      `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
      `--max-old-space-size=${fn.memorySize - newSpace}`,
      clientPath,
    ];
    const nodePath = [runtimeModulesDir, taskRoot].filter((dir): dir is string => Boolean(dir)).join(':');
    const node = resolvedNodeBinary(fn.runtime);
    return { command: node.path, args, env: { NODE_PATH: nodePath }, runtimeVersion: node.version };
  },
};
