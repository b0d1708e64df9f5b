import type { Engine } from '../engine/engine.js';
import { LambenchError } from '../errors.js';
import {
  checkTemplateFunction,
  parseParameterOverrides,
  type RegisteredTemplate,
  registerTemplate,
  type TemplateSource,
} from '../template/index.js';

/** `--template FILE` (`-t`, as sam) and `--parameter-overrides` (as sam takes it), for any command with functions. */
export const templateOptions = {
  template: { type: 'string', short: 't' },
  'parameter-overrides': { type: 'string', multiple: true },
} as const;

/** The template the flags name, or undefined; overrides without a template are a mistake worth saying. */
export function templateSource(values: {
  template?: string | undefined;
  'parameter-overrides'?: string[] | undefined;
}): TemplateSource | undefined {
  const overrides = values['parameter-overrides'];
  if (!values.template) {
    if (overrides?.length) {
      throw new LambenchError('INVALID_ARGUMENT', '--parameter-overrides needs --template <template.yaml>.');
    }
    return undefined;
  }
  return { file: values.template, parameterOverrides: overrides?.length ? parseParameterOverrides(overrides) : {} };
}

/** Registers the template's functions; with `functionName`, checks it is one of them (its LogicalId). */
export async function useTemplate(
  engine: Engine,
  source: TemplateSource | undefined,
  functionName?: string,
): Promise<RegisteredTemplate | undefined> {
  if (!source) return undefined;
  const registered = await registerTemplate(engine, source);
  if (functionName !== undefined) checkTemplateFunction(registered, functionName);
  return registered;
}

/** A template's functions run on the local engine; on AWS the deployed function is named by its ARN instead. */
export function refuseTemplateOnAws(kind: string | undefined, source: TemplateSource | undefined): void {
  if (!source || kind === undefined || kind === 'local') return;
  throw new LambenchError(
    'INVALID_ARGUMENT',
    "--template runs the template's functions on the local engine; on AWS name the deployed function (its ARN).",
    'Drop --template for --target aws, or drop --target aws.',
  );
}
