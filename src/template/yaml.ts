import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { LambenchError } from '../errors.js';

/**
 * CloudFormation's short-form tags and the long form they stand for (`!Sub x` is `{ "Fn::Sub": x }`). `!GetAtt A.B`
 * is the one whose scalar form differs: the long form takes ["A", "B"].
 */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Transform': 'Fn::Transform',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
};

/**
 * Parses a CloudFormation / SAM template (YAML or JSON) into plain data with every intrinsic in its long form, so
 * one resolver serves both notations. A tag CloudFormation does not know is an error naming its line.
 */
export function parseTemplateText(text: string, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new LambenchError(
      'INVALID_TEMPLATE',
      `${file}: not valid YAML: ${first?.message ?? 'parse error'}`,
      'Fix the syntax (sam validate shows the same error).',
    );
  }
  const where = (node: Node) => {
    const offset = node.range?.[0];
    return offset === undefined ? file : `${file}:${lineCounter.linePos(offset).line}`;
  };
  const convert = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return convert(node.resolve(doc));
    let value: unknown;
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        out[key] = convert(pair.value);
      }
      value = out;
    } else if (isSeq(node)) value = node.items.map(convert);
    else if (isScalar(node)) value = node.value;
    else return node;
    const tag = (node as Node).tag;
    // Explicit standard tags (!!str, !!int) are already applied by the parser.
    if (!tag || tag.startsWith('tag:yaml.org,2002:')) return value;
    const long = SHORT_TAGS[tag];
    if (!long) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${where(node as Node)}: unknown tag ${tag}.`,
        `CloudFormation's short forms are ${Object.keys(SHORT_TAGS).join(', ')}.`,
      );
    }
    if (long === 'Fn::GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      return { [long]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { [long]: value };
  };
  const root = convert(doc.contents);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new LambenchError('INVALID_TEMPLATE', `${file}: a template must be a mapping with a Resources section.`);
  }
  return root as Record<string, unknown>;
}
