import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InitError } from './errors.js';

export type Handler = (
  event: unknown,
  context: object,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * `_HANDLER` = `[dir/]module.export[.nested]`, resolved in LAMBDA_TASK_ROOT as AWS's Node.js runtime does:
 * module.js, module.mjs, then module.cjs; ESM and CommonJS both load through import().
 */
export async function loadHandler(taskRoot: string, handlerString: string): Promise<Handler> {
  const base = path.basename(handlerString);
  const dir = path.dirname(handlerString);
  const [moduleName, ...exportPath] = base.split('.');
  if (!moduleName || exportPath.length === 0 || exportPath.some((p) => !p)) {
    throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  }
  const stem = path.resolve(taskRoot, dir, moduleName);
  const file = EXTENSIONS.map((ext) => stem + ext).find((candidate) => existsSync(candidate));
  if (!file) {
    throw new InitError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${path.join(dir, moduleName)}'\nRequire stack:\n- ${taskRoot}`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) throw new InitError('Runtime.UserCodeSyntaxError', String(error), error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new InitError('Runtime.ImportModuleError', `Error: ${(error as Error).message}`, error);
    }
    throw error;
  }
  const handler = lookup(mod, exportPath) ?? lookup(mod.default, exportPath);
  if (typeof handler !== 'function') {
    throw new InitError(
      'Runtime.HandlerNotFound',
      `${path.join(dir, moduleName)}.${exportPath.join('.')} is undefined or not exported`,
    );
  }
  return handler as Handler;
}

function lookup(root: unknown, exportPath: string[]): unknown {
  let value = root;
  for (const key of exportPath) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
