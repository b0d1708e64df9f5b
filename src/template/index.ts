import path from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../engine/arn.js';
import type { Engine } from '../engine/engine.js';
import { normalizeManifest } from '../engine/manifest.js';
import { LambenchError } from '../errors.js';
import { functionFolder } from './build.js';
import { readTemplate, type TemplateFunction, type TemplateOptions } from './functions.js';

export { parseParameterOverrides } from './parameters.js';
export { readTemplate, type TemplateFunction, type TemplateOptions };

export interface TemplateSource extends TemplateOptions {
  file: string;
}

export interface RegisteredTemplate {
  file: string;
  /** The LogicalIds registered, in the template's order (the names `sam local start-lambda` serves them under). */
  functions: string[];
}

/**
 * Registers every function of a SAM / CloudFormation template on the engine under its LogicalId: code built with
 * esbuild where its Metadata says so, local layers linked in, ReservedConcurrentExecutions applied. Checked as a
 * function.json is (runtime, handler, memory, timeout, variables), each error naming the resource.
 */
export async function registerTemplate(
  engine: Engine,
  source: TemplateSource,
  cacheDir = path.resolve('.lambench', 'cache', 'template'),
): Promise<RegisteredTemplate> {
  // The engine's region and account, so a !GetAtt X.Arn in a variable names the function the engine serves.
  const template = await readTemplate(source.file, { region: engine.region, accountId: LOCAL_ACCOUNT_ID, ...source });
  const names: string[] = [];
  for (const fn of template.functions) {
    const label = `${source.file}: Resources.${fn.logicalId}`;
    const manifest = normalizeManifest(fn.manifest, label);
    const dir = await functionFolder(fn, cacheDir);
    await engine.functions.registerCode(manifest, dir, fn.codeDir ?? dir);
    if (fn.reservedConcurrency !== undefined) {
      try {
        engine.functions.putReservedConcurrency(fn.logicalId, fn.reservedConcurrency);
      } catch (error) {
        throw new LambenchError(
          'INVALID_TEMPLATE',
          `${label}: ReservedConcurrentExecutions ${fn.reservedConcurrency}: ${(error as Error).message}`,
        );
      }
    }
    names.push(fn.logicalId);
  }
  return { file: template.file, functions: names };
}

/** Throws unless `name` is one of the template's functions, listing them (a typo'd LogicalId is the usual mistake). */
export function checkTemplateFunction(registered: RegisteredTemplate, name: string): void {
  if (registered.functions.includes(name)) return;
  throw new LambenchError(
    'FUNCTION_NOT_FOUND',
    `${registered.file} has no function "${name}".`,
    `Its functions (LogicalIds): ${registered.functions.join(', ')}.`,
  );
}
