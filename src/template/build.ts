import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../errors.js';
import { hashSources } from '../runtimes/nodejs/bundle.js';
import type { EsbuildMetadata, TemplateFunction } from './functions.js';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Writes a folder once under its final name (staging + rename), so concurrent runs never see half of one. */
async function once(dir: string, fill: (staging: string) => Promise<void>): Promise<string> {
  if (existsSync(dir)) return dir;
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await fill(staging);
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(dir)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}

/** The module file a handler names ("src/app.handler" → src/app), to tell whether a folder already holds it. */
function hasHandlerModule(dir: string, handler: unknown): boolean {
  if (typeof handler !== 'string') return false;
  const module = handler.slice(0, handler.lastIndexOf('.'));
  return ['.js', '.mjs', '.cjs'].some((ext) => existsSync(path.join(dir, module + ext)));
}

/**
 * `sam build`'s esbuild step (aws-lambda-builders' NodejsNpmEsbuildBuilder): every entry point bundled into one
 * folder with SAM's defaults (cjs, es2020, minified, no source map) unless BuildProperties says otherwise.
 */
async function esbuildFunction(fn: TemplateFunction, codeDir: string, given: EsbuildMetadata, cacheDir: string) {
  // As aws-lambda-builders: an entry point without an extension is its .ts, else its .js.
  const entryPoints = given.entryPoints.map((entry) =>
    path.extname(entry)
      ? entry
      : (['.ts', '.js'].map((ext) => entry + ext).find((e) => existsSync(path.join(codeDir, e))) ?? entry),
  );
  const meta = { ...given, entryPoints };
  const missing = meta.entryPoints.filter((entry) => !existsSync(path.join(codeDir, entry)));
  if (meta.entryPoints.length === 0 || missing.length > 0) {
    // A template `sam build` wrote keeps the Metadata but points CodeUri at the bundle: run that as it is.
    if (hasHandlerModule(codeDir, fn.manifest.handler)) return codeDir;
    throw new LambenchError(
      'INVALID_TEMPLATE',
      `${fn.logicalId}: BuildProperties.EntryPoints ${missing.join(', ') || '(none)'} not found in ${codeDir}.`,
      'EntryPoints are relative to CodeUri, e.g. EntryPoints: [app.ts].',
    );
  }
  const key = await hashSources(codeDir, JSON.stringify(meta));
  return once(path.join(cacheDir, `${fn.logicalId}-esbuild-${key}`), async (out) => {
    const { build } = await import('esbuild');
    try {
      await build({
        absWorkingDir: codeDir,
        entryPoints: meta.entryPoints,
        outdir: out,
        bundle: true,
        platform: 'node',
        format: meta.format ?? 'cjs',
        target: meta.target ?? 'es2020',
        minify: meta.minify ?? true,
        sourcemap: meta.sourcemap ?? false,
        external: meta.external ?? [],
        logLevel: 'silent',
        ...(meta.outExtension ? { outExtension: meta.outExtension } : {}),
        ...(meta.banner ? { banner: { js: meta.banner } } : {}),
        ...(meta.mainFields ? { mainFields: meta.mainFields } : {}),
        ...(meta.loader ? { loader: meta.loader as Record<string, 'text'> } : {}),
        ...(meta.define ? { define: meta.define } : {}),
      });
    } catch (error) {
      const errors = (error as { errors?: Array<{ text: string }> }).errors;
      throw new LambenchError(
        'BUILD_FAILED',
        `esbuild could not build ${fn.logicalId}: ${errors ? errors.map((e) => e.text).join('; ') : String(error)}`,
        'Fix the error in the function source, or install the missing package next to it.',
      );
    }
  });
}

/**
 * A folder of links: the code's own entries first, then each layer's contents where the runtime finds them on AWS
 * (/opt/nodejs/node_modules on NODE_PATH, /opt/python on sys.path, both after the code), so the code's own copy of a
 * package wins as it does there. Links keep the layers live: edit a layer and the next start sees it.
 */
async function withLayers(fn: TemplateFunction, codeDir: string, cacheDir: string): Promise<string> {
  const runtime = String(fn.manifest.runtime ?? '');
  const links = new Map<string, string>();
  const add = (name: string, target: string) => {
    if (!links.has(name)) links.set(name, target);
  };
  const node = runtime.startsWith('nodejs');
  const ownModules = path.join(codeDir, 'node_modules');
  for (const entry of readdirSync(codeDir)) {
    if (!(node && entry === 'node_modules')) add(entry, path.join(codeDir, entry));
  }
  if (node && existsSync(ownModules)) {
    for (const pkg of readdirSync(ownModules)) add(`node_modules/${pkg}`, path.join(ownModules, pkg));
  }
  for (const layer of fn.layers) {
    const inner = node ? path.join(layer, 'nodejs', 'node_modules') : path.join(layer, 'python');
    const prefix = node ? 'node_modules/' : '';
    if (!existsSync(inner)) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${fn.logicalId}: layer ${layer} has no ${path.relative(layer, inner)} folder, where ${runtime} looks for a layer's code.`,
        node ? 'Put packages in <layer>/nodejs/node_modules/.' : 'Put modules in <layer>/python/.',
      );
    }
    for (const entry of readdirSync(inner)) add(prefix + entry, path.join(inner, entry));
  }
  const plan = [...links.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return once(path.join(cacheDir, `${fn.logicalId}-layers-${shortHash(JSON.stringify(plan))}`), async (out) => {
    for (const [name, target] of plan) {
      await mkdir(path.dirname(path.join(out, name)), { recursive: true });
      await symlink(target, path.join(out, name));
    }
  });
}

/** The folder a template function runs from: its code, built with esbuild per its Metadata, with its layers. */
export async function functionFolder(fn: TemplateFunction, cacheDir: string): Promise<string> {
  let dir = fn.codeDir;
  if (fn.inline) {
    const inline = fn.inline;
    dir = await once(path.join(cacheDir, `${fn.logicalId}-inline-${shortHash(inline.file + inline.text)}`), (out) =>
      writeFile(path.join(out, inline.file), inline.text),
    );
  }
  if (!dir) throw new LambenchError('INTERNAL', `${fn.logicalId}: no code location.`);
  if (fn.esbuild) dir = await esbuildFunction(fn, dir, fn.esbuild, cacheDir);
  if (fn.layers.length > 0) dir = await withLayers(fn, dir, cacheDir);
  return dir;
}
