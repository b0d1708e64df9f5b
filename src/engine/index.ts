import path from 'node:path';
import { LambenchError } from '../errors.js';
import { builtInFunctionsDir } from '../paths.js';
import { findFunctionFolders } from './discover.js';
import { Engine, type EngineOptions } from './engine.js';

export {
  Engine,
  type EngineOptions,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
  payloadTooLarge,
} from './engine.js';
export { parseReportLine, reportLine, tailBase64 } from './logs.js';
export { FunctionRegistry, LATEST } from './registry.js';
export type * from './types.js';

export interface LocalEngineOptions extends EngineOptions {
  /** Register lambench's built-in workloads (default true). */
  builtIns?: boolean;
  /** Folders searched for the user's functions (default: ./functions if present). */
  functionRoots?: string[];
}

/** An engine with the built-in workloads and the user's project functions registered. */
export async function createLocalEngine(options: LocalEngineOptions = {}): Promise<Engine> {
  const engine = await Engine.create(options);
  try {
    const roots = [
      ...(options.builtIns === false ? [] : [builtInFunctionsDir]),
      ...(options.functionRoots ?? [path.resolve('functions')]),
    ];
    const seen = new Set<string>();
    for (const root of roots) {
      for (const dir of await findFunctionFolders(root)) {
        const resolved = path.resolve(dir);
        if (seen.has(resolved)) continue;
        seen.add(resolved);
        await engine.functions.registerFolder(resolved);
      }
    }
    return engine;
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/**
 * Resolves what a user typed as a function: a registered name, or a path to a folder with a function.json
 * (registered on the fly).
 */
export async function resolveFunctionArgument(engine: Engine, ref: string): Promise<string> {
  if (engine.functions.has(ref)) return ref;
  if (ref.includes('/') || ref.startsWith('.')) {
    const fn = await engine.functions.registerFolder(path.resolve(ref));
    return fn.name;
  }
  const known = engine.functions
    .list()
    .map((f) => f.name)
    .sort();
  throw new LambenchError(
    'FUNCTION_NOT_FOUND',
    `Unknown function "${ref}".`,
    known.length
      ? `Known functions: ${known.join(', ')}. Or pass a folder with a function.json.`
      : 'Pass a folder with a function.json.',
  );
}
