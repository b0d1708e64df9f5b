import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { LambenchError } from '../errors.js';
import type { LambenchConfig } from './define.js';

/** Looked for in this order in the working directory. */
export const CONFIG_FILES = [
  'lambench.config.ts',
  'lambench.config.mts',
  'lambench.config.mjs',
  'lambench.config.js',
  'lambench.config.json',
];

export interface LoadedConfig {
  /** Absolute path of the file it came from. */
  file: string;
  config: LambenchConfig;
}

export const configError = (file: string, message: string, hint?: string) =>
  new LambenchError('INVALID_CONFIG', `${file}: ${message}`, hint);

/** The config file in `dir`, or undefined when there is none. */
export function findConfigFile(dir: string): string | undefined {
  for (const name of CONFIG_FILES) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * `import { defineConfig } from 'lambench'` (or 'lambench/config') in a TypeScript config is served by the running
 * lambench's own define.ts: an identity function, so loading a config does not load the whole package.
 */
const ownDefineConfig: Plugin = {
  name: 'lambench-define-config',
  setup(build) {
    const own = fileURLToPath(new URL('./define.js', import.meta.url));
    build.onResolve({ filter: /^lambench(\/config)?$/ }, () => ({ path: own, external: true }));
  },
};

/**
 * TypeScript is bundled with esbuild (packages left external, so `import { defineConfig } from 'lambench'` resolves
 * from the project's node_modules) into a module beside the file, imported, and removed.
 */
async function importTypeScript(file: string): Promise<unknown> {
  const { build } = await import('esbuild');
  let code: string;
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      plugins: [ownDefineConfig],
    });
    code = result.outputFiles[0]?.text ?? '';
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string }> }).errors;
    throw configError(file, `cannot be compiled: ${errors ? errors.map((e) => e.text).join('; ') : String(error)}`);
  }
  const temporary = path.join(path.dirname(file), `.lambench.config.${process.pid}.${Date.now()}.mjs`);
  await writeFile(temporary, code);
  try {
    return await import(pathToFileURL(temporary).href);
  } finally {
    await rm(temporary, { force: true });
  }
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let value: unknown;
  try {
    if (absolute.endsWith('.json')) value = JSON.parse(await readFile(absolute, 'utf8'));
    else if (/\.m?ts$/.test(absolute)) value = ((await importTypeScript(absolute)) as { default?: unknown }).default;
    else value = ((await import(pathToFileURL(absolute).href)) as { default?: unknown }).default;
  } catch (error) {
    if (error instanceof LambenchError) throw error;
    throw configError(absolute, `cannot be read: ${(error as Error).message}`);
  }
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(
      absolute,
      'must export an object (export default defineConfig({ … }); a .json file holds the object).',
    );
  }
  return { file: absolute, config: value as LambenchConfig };
}

/** `--config FILE` when given, else the first of CONFIG_FILES in `dir`, else undefined. */
export async function loadProjectConfig(dir: string, explicit?: string): Promise<LoadedConfig | undefined> {
  if (explicit) {
    if (!existsSync(explicit)) throw new LambenchError('INVALID_ARGUMENT', `--config ${explicit}: no such file.`);
    return loadConfigFile(explicit);
  }
  const found = findConfigFile(dir);
  return found ? loadConfigFile(found) : undefined;
}
