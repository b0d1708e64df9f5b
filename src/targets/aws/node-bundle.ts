import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FunctionVersion } from '../../engine/types.js';
import { bundle } from '../../runtimes/nodejs/bundle.js';

/** As AWS's nodejs runtimes look for the handler's module: JavaScript first (what they run), then TypeScript. */
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts'];

/**
 * The folder to zip for a Node function: one esbuild bundle of its handler with every dependency inlined (as CDK's
 * NodejsFunction), for JavaScript and TypeScript alike, so the zip carries what the handler imports and nothing
 * else (no node_modules tree to exceed the limits). @aws-sdk/* stays external: AWS's nodejs runtimes provide it.
 * A handler whose module does not exist is zipped as it is, for AWS to report (Runtime.ImportModuleError).
 */
export async function bundleNodeHandler(fn: FunctionVersion, cacheDir: string): Promise<string> {
  const [moduleName = '', exportPath = 'handler'] = splitHandler(path.basename(fn.handler));
  const stem = path.join(fn.codeDir, path.dirname(fn.handler), moduleName);
  const source = MODULE_EXTENSIONS.map((ext) => stem + ext).find((file) => existsSync(file));
  if (!source) return fn.codeDir;
  const exported = exportPath.split('.')[0] ?? 'handler';
  return bundle({
    entry: await entryFor(source, exported, path.join(cacheDir, 'aws-entries', fn.name)),
    sourceDir: fn.codeDir,
    outRoot: path.join(cacheDir, 'aws-bundles', fn.name),
    depsRoot: path.join(cacheDir, 'node-deps'),
    outName: `${path.join(path.dirname(fn.handler), moduleName)}.mjs`,
    awsSdk: true,
  });
}

function splitHandler(base: string): [string, string] {
  const dot = base.indexOf('.');
  return dot <= 0 ? [base, 'handler'] : [base.slice(0, dot), base.slice(dot + 1)];
}

/**
 * An ESM entry re-exporting the handler by name. The bundle is ESM, and esbuild turns a CommonJS entry
 * (`exports.handler = …`) into a default export only, which AWS's runtime would not find; importing it here
 * keeps the name for CommonJS and ES modules alike.
 */
async function entryFor(source: string, exported: string, dir: string): Promise<string> {
  const text = [
    `import * as handlerModule from ${JSON.stringify(source)};`,
    `const exported = handlerModule[${JSON.stringify(exported)}];`,
    `export { exported as ${JSON.stringify(exported)} };`,
    '',
  ].join('\n');
  const file = path.join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  if ((await readFile(file, 'utf8').catch(() => '')) !== text) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, text);
  }
  return file;
}
