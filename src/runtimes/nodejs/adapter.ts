import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionVersion } from '../../engine/types.js';
import type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from '../types.js';
import { bundleEntry } from './bundle.js';

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const TS_EXTENSIONS = ['.ts', '.mts'];
let clientPath: string | undefined;

/**
 * The runtime client as runnable JavaScript: the compiled file next to this one in dist/, or, when running from
 * sources (tests), an esbuild bundle of the TypeScript client.
 */
export async function runtimeClientPath(cacheDir: string): Promise<string> {
  if (clientPath) return clientPath;
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) {
    clientPath = path.join(path.dirname(here), 'client', 'bootstrap.js');
  } else {
    const entry = path.join(path.dirname(here), 'client', 'bootstrap.ts');
    clientPath = path.join(
      await bundleEntry(entry, path.join(cacheDir, 'nodejs-client'), 'bootstrap.mjs'),
      'bootstrap.mjs',
    );
  }
  return clientPath;
}

function handlerModule(fn: FunctionVersion): string {
  const base = path.basename(fn.handler);
  return path.join(fn.codeDir, path.dirname(fn.handler), base.split('.')[0] ?? base);
}

export const nodejsRuntime: RuntimeAdapter = {
  family: 'nodejs',
  matches: (runtime) => /^nodejs\d+\.x$/.test(runtime),
  async detect(): Promise<RuntimeStatus> {
    return {
      family: 'nodejs',
      available: true,
      version: `node ${process.versions.node} (runs every nodejs*.x runtime)`,
      path: process.execPath,
    };
  },
  async prepare(fn: FunctionVersion, cacheDir: string): Promise<string> {
    await runtimeClientPath(cacheDir);
    const stem = handlerModule(fn);
    if (JS_EXTENSIONS.some((ext) => existsSync(stem + ext))) return fn.codeDir;
    const entry = TS_EXTENSIONS.map((ext) => stem + ext).find((candidate) => existsSync(candidate));
    // No file at all: let the runtime client report Runtime.ImportModuleError at init, as AWS would.
    if (!entry) return fn.codeDir;
    const outName = `${path.join(path.dirname(fn.handler), path.basename(stem))}.mjs`;
    return bundleEntry(entry, path.join(cacheDir, 'nodejs', fn.name), outName);
  },
  launch(fn: FunctionVersion): RuntimeLaunch {
    if (!clientPath) throw new Error('nodejsRuntime.prepare() must run before launch()');
    // As AWS's bootstrap does, keep V8's heap inside the function's memory so GC runs before the cgroup kills.
    const heapMB = Math.max(64, Math.floor(fn.memorySize * 0.9));
    return { command: process.execPath, args: [`--max-old-space-size=${heapMB}`, clientPath], env: {} };
  },
};
