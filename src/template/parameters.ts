import { LambenchError } from '../errors.js';

/** Splits on whitespace outside quotes, dropping the quotes (as a shell would for SAM's single argument). */
function words(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || current) out.push(current);
      current = '';
      started = false;
    } else current += ch;
  }
  if (quote) throw bad(`--parameter-overrides: an unclosed ${quote} in "${text}".`);
  if (started || current) out.push(current);
  return out;
}

const bad = (message: string) =>
  new LambenchError(
    'INVALID_ARGUMENT',
    message,
    'As sam takes it: --parameter-overrides "Stage=prod Size=512" or "ParameterKey=Stage,ParameterValue=prod".',
  );

/**
 * SAM's `--parameter-overrides`, both of its forms, in one or several arguments: `Key=Value Key2=Value2` and
 * `ParameterKey=Key,ParameterValue=Value` (quotes keep spaces in a value).
 */
export function parseParameterOverrides(texts: string | string[] | Record<string, unknown>): Record<string, string> {
  if (!Array.isArray(texts) && typeof texts === 'object') {
    return Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
  }
  const out: Record<string, string> = {};
  for (const word of (Array.isArray(texts) ? texts : [texts]).flatMap(words)) {
    const long = /^ParameterKey=([^,]+),ParameterValue=(.*)$/s.exec(word);
    if (long) {
      out[long[1] as string] = long[2] as string;
      continue;
    }
    const eq = word.indexOf('=');
    if (eq <= 0) throw bad(`--parameter-overrides: "${word}" is not Key=Value.`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

interface ParameterDefinition {
  Type?: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
}

/** Each parameter's value (an override, else its Default), checked as CloudFormation checks it. */
export function parameterValues(
  file: string,
  definitions: Record<string, unknown>,
  overrides: Record<string, string>,
): Record<string, string | string[]> {
  for (const name of Object.keys(overrides)) {
    if (!(name in definitions)) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${file}: --parameter-overrides names ${name}, which is not in Parameters.`,
        `Parameters: ${Object.keys(definitions).join(', ') || 'none'}.`,
      );
    }
  }
  const values: Record<string, string | string[]> = {};
  for (const [name, raw] of Object.entries(definitions)) {
    const def = (raw ?? {}) as ParameterDefinition;
    const given = overrides[name] ?? (def.Default === undefined ? undefined : stringOf(def.Default));
    if (given === undefined) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${file}: parameter ${name} has no Default and no value was given.`,
        `Give it: --parameter-overrides ${name}=<value>.`,
      );
    }
    const type = def.Type ?? 'String';
    if (type.startsWith('AWS::SSM::Parameter::Value') && overrides[name] === undefined) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${file}: parameter ${name} (${type}) names an SSM parameter (${given}), whose value exists only on AWS.`,
        `Give the value: --parameter-overrides ${name}=<value>.`,
      );
    }
    if (type === 'Number' && !Number.isFinite(Number(given))) {
      throw new LambenchError('INVALID_TEMPLATE', `${file}: parameter ${name} is a Number, got "${given}".`);
    }
    if (def.AllowedValues && !def.AllowedValues.map(String).includes(given)) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${file}: parameter ${name} is "${given}", not one of its AllowedValues (${def.AllowedValues.join(', ')}).`,
      );
    }
    if (def.AllowedPattern && !new RegExp(`^(?:${def.AllowedPattern})$`).test(given)) {
      throw new LambenchError(
        'INVALID_TEMPLATE',
        `${file}: parameter ${name} is "${given}", which does not match its AllowedPattern ${def.AllowedPattern}.`,
      );
    }
    values[name] = type.startsWith('List<') || type === 'CommaDelimitedList' ? given.split(',') : given;
  }
  return values;
}

const stringOf = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));
