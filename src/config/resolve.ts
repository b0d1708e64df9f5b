import { FUNCTION_COMMANDS, flagName, NOT_SHARED_WITH, splitConfig } from './flags.js';
import type { LoadedConfig } from './load.js';

export interface ResolvedConfig {
  file: string;
  /** Shared keys as flag names: each command with that flag takes them. */
  shared: Record<string, unknown>;
  /**
   * Per command: the shared keys it may take (those of its flags it has) merged with its own section, its own
   * section winning; `function` for the commands that run one.
   */
  commands: Record<string, Record<string, unknown>>;
}

/** The configuration as `lambench config` prints it: for the commands with a section, or for `only`. */
export function resolvedConfig(loaded: LoadedConfig, only?: string): ResolvedConfig {
  const { shared, sections } = splitConfig(loaded);
  const names = only ? [only] : [...new Set([...Object.keys(sections), ...FUNCTION_COMMANDS])];
  const commands: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(shared)) {
      if (key === 'function' && !FUNCTION_COMMANDS.has(name)) continue;
      if (NOT_SHARED_WITH[key]?.includes(name)) continue;
      merged[key] = value;
    }
    for (const [key, value] of Object.entries(sections[name] ?? {})) merged[flagName(key)] = value;
    commands[name] = merged;
  }
  return { file: loaded.file, shared, commands };
}
