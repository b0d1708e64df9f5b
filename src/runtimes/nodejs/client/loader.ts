import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeError } from './errors.js';

export type Handler = (
  event: unknown,
  context: object,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

export interface HandlerInfo {
  handler: Handler;
  /** AWS: an `async function` must settle its promise; a plain function may answer through the callback. */
  isAsync: boolean;
}

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
/** require() that resolves relative to this file, as AWS's loader does for its final fallback. */
const runtimeRequire = createRequire(import.meta.url);

/**
 * Loads `_HANDLER` (`[dir/]module.export[.nested]`) from LAMBDA_TASK_ROOT in the order AWS's Node.js runtime
 * uses: the extensionless file (require), `.js` by require unless the nearest package.json says
 * "type": "module", then `.js` (ESM) / `.mjs` (import) / `.cjs` (require), finally Node's own resolution.
 * Errors are classified as AWS does: SyntaxError → Runtime.UserCodeSyntaxError, CommonJS MODULE_NOT_FOUND →
 * Runtime.ImportModuleError, anything else (including ESM's ERR_MODULE_NOT_FOUND) propagates as thrown.
 */
export async function loadHandler(taskRoot: string, fullHandler: string): Promise<HandlerInfo> {
  if (fullHandler.includes('..')) {
    throw runtimeError.malformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleAndHandler = path.basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.indexOf(moduleAndHandler));
  const match = FUNCTION_EXPR.exec(moduleAndHandler);
  if (!match) throw runtimeError.malformedHandlerName('Bad handler');
  const [, moduleName = '', handlerPath = ''] = match;
  let userApp: unknown;
  try {
    userApp = await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw runtimeError.userCodeSyntax(error);
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND')
      throw runtimeError.importModule(error);
    throw error;
  }
  const handler = handlerPath
    .split('.')
    .reduce<unknown>((nested, key) => (nested ? (nested as Record<string, unknown>)[key] : nested), userApp);
  if (!handler) throw runtimeError.handlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw runtimeError.handlerNotFound(`${fullHandler} is not a function`);
  return { handler: handler as Handler, isAsync: handler.constructor?.name === 'AsyncFunction' };
}

async function loadModule(taskRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const stem = path.resolve(taskRoot, moduleRoot, moduleName);
  const require = createRequire(path.join(taskRoot, 'noop.js'));
  if (existsSync(stem)) return require(stem);
  const esmJs = existsSync(`${stem}.js`) && nearestPackageIsModule(path.dirname(stem));
  if (!esmJs && existsSync(`${stem}.js`)) return require(`${stem}.js`);
  if (esmJs) return import(pathToFileURL(`${stem}.js`).href);
  if (existsSync(`${stem}.mjs`)) return import(pathToFileURL(`${stem}.mjs`).href);
  if (existsSync(`${stem}.cjs`)) return require(`${stem}.cjs`);
  // Throws MODULE_NOT_FOUND with a "Require stack" naming the runtime, as AWS's message names /var/runtime.
  return runtimeRequire(runtimeRequire.resolve(moduleName, { paths: [taskRoot, moduleRoot] }));
}

/** The nearest package.json decides; a node_modules folder or the root ends the search (as AWS's loader). */
function nearestPackageIsModule(folder: string): boolean {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}node_modules`)) return false;
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8'))?.type === 'module';
      } catch (error) {
        console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, error);
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}
