import { readFile } from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { LambenchError } from '../errors.js';
import type { RegisteredTemplate, TemplateSource } from '../template/index.js';

// The template code (a YAML parser, esbuild) loads only when a template is named: every command imports this file,
// and a command's start-up is paid on every call (twenty times over in the emulated VM's checks).
const templates = () => import('../template/index.js');

/** `--template FILE` (`-t`, as sam) and `--parameter-overrides` (as sam takes it), for any command with functions. */
export const templateOptions = {
  template: { type: 'string', short: 't' },
  'parameter-overrides': { type: 'string', multiple: true },
  'env-vars': { type: 'string' },
} as const;

/** The template the flags name, or undefined; overrides without a template are a mistake worth saying. */
export async function templateSource(values: {
  template?: string | undefined;
  'parameter-overrides'?: string[] | undefined;
  'env-vars'?: string | undefined;
}): Promise<TemplateSource | undefined> {
  const overrides = values['parameter-overrides'];
  if (!values.template) {
    if (overrides?.length || values['env-vars']) {
      throw new LambenchError(
        'INVALID_ARGUMENT',
        '--parameter-overrides and --env-vars need --template <template.yaml>.',
      );
    }
    return undefined;
  }
  return {
    file: values.template,
    parameterOverrides: overrides?.length ? (await templates()).parseParameterOverrides(overrides) : {},
    ...(values['env-vars'] ? { envVars: await readEnvVars(values['env-vars']) } : {}),
  };
}

/** sam local's --env-vars JSON: an object of objects (Parameters, or a LogicalId) of variable values. */
async function readEnvVars(file: string): Promise<Record<string, Record<string, unknown>>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new LambenchError('INVALID_ARGUMENT', `--env-vars ${file}: ${(error as Error).message}`);
  }
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed) || !Object.values(parsed as object).every(isObject)) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--env-vars ${file} must map "Parameters" or a LogicalId to variables, e.g. {"MyFunction": {"TABLE": "t"}}.`,
    );
  }
  return parsed as Record<string, Record<string, unknown>>;
}

/** Registers the template's functions; with `functionName`, checks it is one of them (its LogicalId). */
export async function useTemplate(
  engine: Engine,
  source: TemplateSource | undefined,
  functionName?: string,
): Promise<RegisteredTemplate | undefined> {
  if (!source) return undefined;
  const { checkTemplateFunction, registerTemplate } = await templates();
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

/** `openTarget(kind, ref, { …, ...(await templateTarget(values)) })`: the one line a command needs for --template. */
export async function templateTarget(
  values: Parameters<typeof templateSource>[0],
): Promise<{ template?: TemplateSource }> {
  const template = await templateSource(values);
  return template ? { template } : {};
}
