import { LambenchError } from '../errors.js';

/** What `Ref AWS::NoValue` leaves: the key (or list item) is dropped, as CloudFormation drops it. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export type Resource = { Type?: string; Properties?: Record<string, unknown>; Condition?: string };

export interface ResolveContext {
  file: string;
  /** Parameter values (defaults, then --parameter-overrides); lists as arrays. */
  parameters: Record<string, string | string[]>;
  conditions: Record<string, unknown>;
  resources: Record<string, Resource>;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  region: string;
  accountId: string;
  stackName: string;
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
/** The property that names a resource, which Ref returns when it is a literal (else the LogicalId, as sam local does). */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Serverless::SimpleTable': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
};

export const unresolvable = (ctx: ResolveContext, where: string, what: string, why: string) =>
  new LambenchError(
    'INVALID_TEMPLATE',
    `${ctx.file}: ${where}: ${what} cannot be resolved locally: ${why}.`,
    'Give the value with --parameter-overrides Name=Value (for a parameter), or put a literal in the template.',
  );

const pseudo = (ctx: ResolveContext): Record<string, string> => ({
  'AWS::Region': ctx.region,
  'AWS::AccountId': ctx.accountId,
  'AWS::StackName': ctx.stackName,
  'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/51af3dc0-da77-11e4-872e-1234567db123`,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
});

function ref(ctx: ResolveContext, name: string, where: string): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const p = pseudo(ctx)[name];
  if (p !== undefined) return p;
  if (name === 'AWS::NotificationARNs') return [];
  if (name in ctx.parameters) return ctx.parameters[name];
  const resource = ctx.resources[name];
  if (resource) {
    if (FUNCTION_TYPES.has(resource.Type ?? '')) return name;
    const nameProperty = NAME_PROPERTIES[resource.Type ?? ''];
    const literal = nameProperty ? resource.Properties?.[nameProperty] : undefined;
    if (literal !== undefined) return resolveValue(ctx, literal, `${name}.Properties.${nameProperty}`);
    return name;
  }
  throw unresolvable(ctx, where, `!Ref ${name}`, 'no parameter, resource or pseudo parameter has that name');
}

function getAtt(ctx: ResolveContext, target: string, attribute: string, where: string): unknown {
  const resource = ctx.resources[target];
  const what = `!GetAtt ${target}.${attribute}`;
  if (!resource) throw unresolvable(ctx, where, what, `there is no resource ${target}`);
  const type = resource.Type ?? '';
  const name = String(ref(ctx, target, where));
  if (attribute === 'Arn') {
    if (FUNCTION_TYPES.has(type)) return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${target}`;
    if (type === 'AWS::S3::Bucket') return `arn:aws:s3:::${name}`;
    if (type === 'AWS::DynamoDB::Table' || type === 'AWS::Serverless::SimpleTable')
      return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}`;
    if (type === 'AWS::SQS::Queue') return `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
  }
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return name;
  if (type === 'AWS::S3::Bucket' && attribute === 'DomainName') return `${name}.s3.amazonaws.com`;
  throw unresolvable(ctx, where, what, `a ${type} attribute only CloudFormation knows once the stack exists`);
}

function sub(ctx: ResolveContext, args: unknown, where: string): string {
  const [template, variables] = Array.isArray(args) ? [args[0], args[1] ?? {}] : [args, {}];
  if (typeof template !== 'string') throw unresolvable(ctx, where, '!Sub', 'its template is not a string');
  const vars = resolveValue(ctx, variables, `${where}.Fn::Sub`) as Record<string, unknown>;
  return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    let value: unknown;
    if (vars && name in vars) value = vars[name];
    else if (name.includes('.') && !name.startsWith('AWS::')) {
      const dot = name.indexOf('.');
      value = getAtt(ctx, name.slice(0, dot), name.slice(dot + 1), where);
    } else value = ref(ctx, name, where);
    if (Array.isArray(value)) value = value.join(',');
    if (value === NO_VALUE) throw unresolvable(ctx, where, whole, 'AWS::NoValue has no text');
    return String(value);
  });
}

/** A condition by name, evaluated once per context. */
export function condition(ctx: ResolveContext, name: string, where: string): boolean {
  if (!(name in ctx.conditions)) throw unresolvable(ctx, where, `condition ${name}`, 'Conditions has no such entry');
  const value = resolveValue(ctx, ctx.conditions[name], `Conditions.${name}`);
  if (typeof value !== 'boolean') throw unresolvable(ctx, `Conditions.${name}`, 'the condition', 'it is not boolean');
  return value;
}

const list = (ctx: ResolveContext, value: unknown, where: string, fn: string, n?: number): unknown[] => {
  if (!Array.isArray(value) || (n !== undefined && value.length !== n)) {
    throw unresolvable(ctx, where, fn, `it takes a list${n ? ` of ${n}` : ''}`);
  }
  return value;
};

function intrinsic(ctx: ResolveContext, fn: string, arg: unknown, where: string): unknown {
  const at = `${where}.${fn}`;
  switch (fn) {
    case 'Ref':
      return ref(ctx, String(arg), where);
    case 'Condition':
      return condition(ctx, String(arg), where);
    case 'Fn::GetAtt': {
      const parts = typeof arg === 'string' ? arg.split('.') : (resolveValue(ctx, arg, at) as string[]);
      const [target, ...attribute] = list(ctx, parts, where, '!GetAtt') as string[];
      return getAtt(ctx, String(target), attribute.join('.'), where);
    }
    case 'Fn::Sub':
      return sub(ctx, arg, where);
    case 'Fn::If': {
      const [name, yes, no] = list(ctx, arg, where, '!If', 3);
      return resolveValue(ctx, condition(ctx, String(name), where) ? yes : no, at);
    }
    case 'Fn::Equals': {
      const [a, b] = list(ctx, resolveValue(ctx, arg, at), where, '!Equals', 2);
      return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
    }
    case 'Fn::And':
      return list(ctx, resolveValue(ctx, arg, at), where, '!And').every((v) => v === true);
    case 'Fn::Or':
      return list(ctx, resolveValue(ctx, arg, at), where, '!Or').some((v) => v === true);
    case 'Fn::Not':
      return list(ctx, resolveValue(ctx, arg, at), where, '!Not', 1)[0] !== true;
    case 'Fn::Join': {
      const [separator, items] = list(ctx, resolveValue(ctx, arg, at), where, '!Join', 2);
      return list(ctx, items, where, '!Join').map(String).join(String(separator));
    }
    case 'Fn::Select': {
      const [index, items] = list(ctx, resolveValue(ctx, arg, at), where, '!Select', 2);
      const picked = list(ctx, items, where, '!Select')[Number(index)];
      if (picked === undefined) throw unresolvable(ctx, where, '!Select', `index ${String(index)} is out of range`);
      return picked;
    }
    case 'Fn::Split': {
      const [separator, text] = list(ctx, resolveValue(ctx, arg, at), where, '!Split', 2);
      return String(text).split(String(separator));
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = list(ctx, resolveValue(ctx, arg, at), where, '!FindInMap').map(String);
      const found = ctx.mappings[map ?? '']?.[top ?? '']?.[second ?? ''];
      if (found === undefined) throw unresolvable(ctx, where, `!FindInMap ${map}.${top}.${second}`, 'no such entry');
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(String(resolveValue(ctx, arg, at))).toString('base64');
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(ctx, arg, at));
    case 'Fn::Length':
      return list(ctx, resolveValue(ctx, arg, at), where, '!Length').length;
    case 'Fn::ImportValue':
      throw unresolvable(ctx, where, '!ImportValue', "it reads another stack's export, which exists only on AWS");
    case 'Fn::GetAZs':
    case 'Fn::Cidr':
    case 'Fn::Transform':
      throw unresolvable(ctx, where, fn, 'only CloudFormation evaluates it');
    default:
      return undefined;
  }
}

/**
 * Resolves every intrinsic in `value` (`where` names its place in the template for errors). Keys and list items
 * that resolve to AWS::NoValue are dropped.
 */
export function resolveValue(ctx: ResolveContext, value: unknown, where: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => resolveValue(ctx, item, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) {
      const result = intrinsic(ctx, key, arg, where);
      if (result !== undefined) return result;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveValue(ctx, item, `${where}.${key}`);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}
