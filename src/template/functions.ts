import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../errors.js';
import { type ResolveContext, type Resource, resolveValue, unresolvable } from './intrinsics.js';
import { parameterValues } from './parameters.js';
import { parseTemplateText } from './yaml.js';

export const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'];
const LAYER_TYPES = ['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion'];

/** SAM's `Metadata: BuildMethod: esbuild` block (BuildProperties as `sam build` passes them to esbuild). */
export interface EsbuildMetadata {
  entryPoints: string[];
  format?: 'esm' | 'cjs';
  target?: string;
  minify?: boolean;
  sourcemap?: boolean;
  external?: string[];
  outExtension?: Record<string, string>;
  banner?: string;
  mainFields?: string[];
  loader?: Record<string, string>;
  define?: Record<string, string>;
}

/** One function of a template, resolved as far as a local engine can. */
export interface TemplateFunction {
  logicalId: string;
  /** function.json's fields, checked later by the same rules (normalizeManifest). */
  manifest: Record<string, unknown>;
  /** The code folder (CodeUri / Code), absolute; absent for inline code. */
  codeDir?: string;
  /** InlineCode / Code.ZipFile, with the file name the handler asks for. */
  inline?: { file: string; text: string };
  esbuild?: EsbuildMetadata;
  /** Local layer folders, in the template's order. */
  layers: string[];
  reservedConcurrency?: number;
}

export interface TemplateOptions {
  /** --parameter-overrides, already parsed. */
  parameterOverrides?: Record<string, string>;
  region?: string;
  accountId?: string;
  /**
   * sam local's `--env-vars` file: `{ "Parameters": {…} }` for every function, `{ "<LogicalId>": {…} }` for one (it
   * wins); as sam, only variables the template declares for the function are replaced.
   */
  envVars?: Record<string, Record<string, unknown>>;
}

export interface ReadTemplate {
  file: string;
  functions: TemplateFunction[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** SAM's Globals rule: maps merge (the resource's keys win), lists append (globals first), anything else is replaced. */
export function mergeGlobals(globals: unknown, own: unknown): unknown {
  if (globals === undefined) return own;
  if (own === undefined) return globals;
  if (isObject(globals) && isObject(own)) {
    const out: Record<string, unknown> = { ...globals };
    for (const [key, value] of Object.entries(own)) out[key] = mergeGlobals(globals[key], value);
    return out;
  }
  if (Array.isArray(globals) && Array.isArray(own)) return [...globals, ...own];
  return own;
}

const number = (ctx: ResolveContext, value: unknown, where: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw unresolvable(ctx, where, JSON.stringify(value), 'it is not a number');
  return n;
};

function codeLocation(
  ctx: ResolveContext,
  dir: string,
  id: string,
  type: string,
  props: Record<string, unknown>,
): Pick<TemplateFunction, 'codeDir' | 'inline'> {
  const where = `Resources.${id}.Properties`;
  const runtime = String(props.Runtime ?? '');
  const inlineFile = () => {
    const handler = String(props.Handler ?? 'index.handler');
    const module = handler.slice(0, handler.lastIndexOf('.')) || 'index';
    return `${module}${runtime.startsWith('python') ? '.py' : '.js'}`;
  };
  const serverless = type === 'AWS::Serverless::Function';
  const inline = serverless ? props.InlineCode : isObject(props.Code) ? props.Code.ZipFile : undefined;
  if (typeof inline === 'string') return { inline: { file: inlineFile(), text: inline } };
  const code = serverless ? (props.CodeUri ?? '.') : props.Code;
  if (typeof code !== 'string' || code.startsWith('s3://')) {
    throw unresolvable(
      ctx,
      `${where}.${serverless ? 'CodeUri' : 'Code'}`,
      'code on S3',
      'lambench runs code from local folders (use the template before `sam package`, or the one `sam build` writes)',
    );
  }
  const codeDir = path.resolve(dir, code);
  if (!existsSync(codeDir) || !statSync(codeDir).isDirectory()) {
    throw new LambenchError(
      'INVALID_TEMPLATE',
      `${ctx.file}: ${where}: the code folder ${codeDir} does not exist${code.endsWith('.zip') ? ' (zip files are not unpacked here)' : ''}.`,
      'CodeUri / Code is relative to the template file; point it at the folder holding the handler.',
    );
  }
  return { codeDir };
}

function esbuildMetadata(ctx: ResolveContext, id: string, metadata: unknown): EsbuildMetadata | undefined {
  if (!isObject(metadata) || metadata.BuildMethod !== 'esbuild') return undefined;
  const props = (resolveValue(ctx, metadata.BuildProperties ?? {}, `Resources.${id}.Metadata.BuildProperties`) ??
    {}) as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? undefined : [String(v)]);
  // OutExtension is a list of ".js=.mjs" pairs, as esbuild's --out-extension flag takes them.
  const outExtension = strings(props.OutExtension)?.reduce<Record<string, string>>((acc, pair) => {
    const [from, to] = pair.split('=');
    if (from && to) acc[from] = to;
    return acc;
  }, {});
  const bool = (v: unknown) => (v === undefined ? undefined : v === true || v === 'true');
  const format = props.Format === undefined ? undefined : String(props.Format);
  if (format !== undefined && format !== 'esm' && format !== 'cjs') {
    throw new LambenchError('INVALID_TEMPLATE', `${ctx.file}: ${id}: BuildProperties.Format must be esm or cjs.`);
  }
  const pairs = (v: unknown) =>
    strings(v)?.reduce<Record<string, string>>((acc, pair) => {
      const eq = pair.indexOf('=');
      if (eq > 0) acc[pair.slice(0, eq)] = pair.slice(eq + 1);
      return acc;
    }, {});
  const entryPoints = strings(props.EntryPoints) ?? [];
  const optional = {
    format: format as EsbuildMetadata['format'],
    target: props.Target === undefined ? undefined : String(props.Target),
    minify: bool(props.Minify),
    sourcemap: bool(props.Sourcemap),
    external: strings(props.External),
    outExtension,
    banner: props.Banner === undefined ? undefined : String(props.Banner).replace(/^js=/, ''),
    mainFields: strings(props.MainFields)?.flatMap((f) => f.split(',')),
    loader: pairs(props.Loader),
    define: pairs(props.Define),
  };
  return {
    entryPoints,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  } as EsbuildMetadata;
}

function layerFolders(ctx: ResolveContext, dir: string, id: string, layers: unknown): string[] {
  if (layers === undefined) return [];
  const where = `Resources.${id}.Properties.Layers`;
  if (!Array.isArray(layers)) throw unresolvable(ctx, where, 'Layers', 'it is not a list');
  return layers.map((layer, i) => {
    // Layers are written as !Ref MyLayer; a resolved LogicalId of a layer resource in this template is local.
    const raw = isObject(layer) && typeof layer.Ref === 'string' ? layer.Ref : resolveValue(ctx, layer, where);
    const resource = typeof raw === 'string' ? ctx.resources[raw] : undefined;
    if (!resource || !LAYER_TYPES.includes(resource.Type ?? '')) {
      throw unresolvable(
        ctx,
        `${where}[${i}]`,
        `layer ${String(raw)}`,
        'a published layer (an ARN) lives on AWS; lambench mounts layers defined in this template from local folders',
      );
    }
    const props = (resolveValue(ctx, resource.Properties ?? {}, `Resources.${raw}.Properties`) ?? {}) as Record<
      string,
      unknown
    >;
    const content = resource.Type === 'AWS::Serverless::LayerVersion' ? props.ContentUri : props.Content;
    if (typeof content !== 'string' || content.startsWith('s3://')) {
      throw unresolvable(ctx, `Resources.${raw}.Properties`, 'layer content on S3', 'lambench needs a local folder');
    }
    const folder = path.resolve(dir, content);
    if (!existsSync(folder)) {
      throw new LambenchError('INVALID_TEMPLATE', `${ctx.file}: layer ${raw}: the folder ${folder} does not exist.`);
    }
    return folder;
  });
}

function withEnvVars(
  declared: Record<string, unknown>,
  id: string,
  envVars: TemplateOptions['envVars'],
): Record<string, unknown> {
  if (!envVars) return declared;
  const given = { ...(envVars.Parameters ?? {}), ...(envVars[id] ?? {}) };
  const out = { ...declared };
  for (const [name, value] of Object.entries(given)) if (name in out) out[name] = value;
  return out;
}

/**
 * The functions of a SAM or CloudFormation template: AWS::Serverless::Function (with Globals.Function) and
 * AWS::Lambda::Function resources, intrinsics resolved with the parameters' defaults or the overrides given.
 */
export async function readTemplate(file: string, options: TemplateOptions = {}): Promise<ReadTemplate> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `Cannot read the template ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      'Pass --template path/to/template.yaml (sam build writes .aws-sam/build/template.yaml).',
    );
  }
  const template = parseTemplateText(text, file);
  const resources = (isObject(template.Resources) ? template.Resources : {}) as Record<string, Resource>;
  const ctx: ResolveContext = {
    file,
    parameters: parameterValues(
      file,
      isObject(template.Parameters) ? template.Parameters : {},
      options.parameterOverrides ?? {},
    ),
    conditions: isObject(template.Conditions) ? template.Conditions : {},
    resources,
    mappings: (isObject(template.Mappings) ? template.Mappings : {}) as ResolveContext['mappings'],
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    // sam local's AWS::StackName ("local"), so names built from it agree with what it runs.
    stackName: 'local',
  };
  const dir = path.dirname(absolute);
  const globals = isObject(template.Globals) && isObject(template.Globals.Function) ? template.Globals.Function : {};
  const functions: TemplateFunction[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !FUNCTION_TYPES.includes(String(resource.Type))) continue;
    if (typeof resource.Condition === 'string' && !resolveValue(ctx, { Condition: resource.Condition }, id)) continue;
    const serverless = resource.Type === 'AWS::Serverless::Function';
    const own = (resource.Properties ?? {}) as Record<string, unknown>;
    const merged = (serverless ? mergeGlobals(globals, own) : own) as Record<string, unknown>;
    // Layers and code are read raw (a layer's !Ref must name the resource, not be resolved to its name).
    const { Layers: rawLayers, ...rest } = merged;
    const where = `Resources.${id}.Properties`;
    const props = resolveValue(ctx, rest, where) as Record<string, unknown>;
    if (props.PackageType === 'Image') {
      throw unresolvable(ctx, where, `${id} (PackageType: Image)`, 'lambench runs zip functions, not container images');
    }
    const architectures = props.Architectures;
    const declared = isObject(props.Environment) ? props.Environment.Variables : undefined;
    const env = isObject(declared) ? withEnvVars(declared, id, options.envVars) : declared;
    const manifest: Record<string, unknown> = {
      name: id,
      runtime: props.Runtime,
      handler: props.Handler,
      memorySize: number(ctx, props.MemorySize, `${where}.MemorySize`) ?? 128,
      timeout: number(ctx, props.Timeout, `${where}.Timeout`) ?? 3,
      ...(isObject(props.EphemeralStorage)
        ? { ephemeralStorage: number(ctx, props.EphemeralStorage.Size, `${where}.EphemeralStorage.Size`) }
        : {}),
      ...(env === undefined ? {} : { environment: env }),
      ...(Array.isArray(architectures) && architectures.length > 0 ? { architecture: architectures[0] } : {}),
      ...(typeof props.Description === 'string' ? { description: props.Description } : {}),
    };
    const reserved = number(ctx, props.ReservedConcurrentExecutions, `${where}.ReservedConcurrentExecutions`);
    const esbuild = esbuildMetadata(ctx, id, (resource as { Metadata?: unknown }).Metadata);
    functions.push({
      logicalId: id,
      manifest,
      ...codeLocation(ctx, dir, id, String(resource.Type), props),
      ...(esbuild ? { esbuild } : {}),
      layers: layerFolders(ctx, dir, id, rawLayers),
      ...(reserved === undefined ? {} : { reservedConcurrency: reserved }),
    });
  }
  if (functions.length === 0) {
    throw new LambenchError(
      'INVALID_TEMPLATE',
      `${file}: no AWS::Serverless::Function or AWS::Lambda::Function resource.`,
      'Point --template at the template that defines your functions.',
    );
  }
  return { file: absolute, functions };
}
