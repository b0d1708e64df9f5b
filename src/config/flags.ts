import type { LoadedConfig } from './load.js';
import { configError } from './load.js';

/** Top-level keys every command with that flag takes (its own section wins). */
export const SHARED_KEYS = [
  'function',
  'template',
  'parameter-overrides',
  'memory',
  'payload',
  'strategy',
  'isolation',
  'target',
  'region',
  'arch',
] as const;

/** Commands whose first positional is a function, so a shared `function` is theirs. */
export const FUNCTION_COMMANDS = new Set(['invoke', 'tune', 'predict', 'check', 'deploy']);

/** Shared keys a command has the flag for but means something else by: invoke's --memory is one size, not a list. */
export const NOT_SHARED_WITH: Record<string, readonly string[]> = { memory: ['invoke'] };

type OptionShape = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };
export type FlagDefault = string | boolean | string[];

/** `balancedWeight` and `balanced-weight` both name --balanced-weight. */
export const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shared values and command sections, checked: an unknown top-level key is a typo worth an error. */
export function splitConfig(loaded: LoadedConfig): {
  shared: Record<string, unknown>;
  sections: Record<string, Record<string, unknown>>;
} {
  const shared: Record<string, unknown> = {};
  const sections: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(loaded.config)) {
    const name = flagName(key);
    if ((SHARED_KEYS as readonly string[]).includes(name)) shared[name] = value;
    else if (isPlainObject(value)) sections[key] = value;
    else {
      throw configError(
        loaded.file,
        `"${key}" is neither a shared key (${SHARED_KEYS.join(', ')}) nor a command's section (an object).`,
        'Put a command\'s flags under its name, e.g. { tune: { "balanced-weight": 0.3 } }.',
      );
    }
  }
  return { shared, sections };
}

function toFlag(file: string, where: string, value: unknown, option: OptionShape): FlagDefault {
  if (option.type === 'boolean') {
    if (typeof value !== 'boolean') throw configError(file, `${where} is a switch: give true or false.`);
    return value;
  }
  if (option.multiple) {
    if (Array.isArray(value)) return value.map(String);
    if (isPlainObject(value)) return Object.entries(value).map(([k, v]) => `${k}=${String(v)}`);
    return [String(value)];
  }
  if (Array.isArray(value)) return value.map(String).join(',');
  if (isPlainObject(value)) return JSON.stringify(value);
  if (value === null || value === undefined) throw configError(file, `${where} has no value.`);
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface CommandDefaults {
  /** Flag defaults by flag name, as parseArgs takes them. */
  defaults: Record<string, FlagDefault>;
  /** The first positional when none is typed (`function`). */
  positional?: string;
}

/**
 * What the config file gives `command` with these flags: shared keys the command has a flag for, then its own
 * section (every key of which must be one of its flags, or `function`).
 */
export function commandDefaults(
  loaded: LoadedConfig,
  command: string,
  options: Record<string, OptionShape>,
): CommandDefaults {
  const { shared, sections } = splitConfig(loaded);
  const defaults: Record<string, FlagDefault> = {};
  let positional: string | undefined;
  for (const [name, value] of Object.entries(shared)) {
    if (name === 'function') {
      if (FUNCTION_COMMANDS.has(command)) positional = String(value);
      continue;
    }
    const option = options[name];
    if (!option || NOT_SHARED_WITH[name]?.includes(command)) continue;
    defaults[name] = toFlag(loaded.file, name, value, option);
  }
  for (const [key, value] of Object.entries(sections[command] ?? {})) {
    const name = flagName(key);
    const where = `${command}.${key}`;
    if (name === 'function') {
      positional = String(value);
      continue;
    }
    const option = options[name];
    if (!option) {
      throw configError(
        loaded.file,
        `${where}: lambench ${command} has no --${name} flag.`,
        `Its flags: ${Object.keys(options).sort().join(', ')} (and "function" for the function it runs).`,
      );
    }
    defaults[name] = toFlag(loaded.file, where, value, option);
  }
  return positional === undefined ? { defaults } : { defaults, positional };
}
