import { type ParseArgsConfig, parseArgs } from 'node:util';
import { commandDefaults } from '../config/flags.js';
import type { LoadedConfig } from '../config/load.js';
import { LambenchError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type ParsedValues<O extends Options> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? O[K] extends { default: boolean }
      ? boolean
      : boolean | undefined
    : O[K] extends { multiple: true }
      ? string[] | undefined
      : string | undefined;
};

let projectConfig: { command: string; loaded: LoadedConfig } | undefined;

/**
 * main() hands over the config file found for the command it runs (lambench.config.*); from then on parse() takes
 * that command's flag defaults from it, so every command, including ones added later, reads the file with no code
 * of its own. Flags typed on the command line still win: parseArgs uses a default only for a flag not given.
 */
export function useProjectConfig(command: string, loaded: LoadedConfig | undefined): void {
  projectConfig = loaded ? { command, loaded } : undefined;
}

/** The config file main() found for this run, if any (`lambench config` prints it). */
export const activeProjectConfig = (): LoadedConfig | undefined => projectConfig?.loaded;

/** node:util parseArgs with lambench's error type, so a typo gets a clear message and exit code 2. */
export function parse<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): { values: ParsedValues<O>; positionals: string[]; positionalFromConfig: boolean } {
  const configured = projectConfig
    ? commandDefaults(projectConfig.loaded, projectConfig.command, options as Record<string, never>)
    : undefined;
  const effective = configured
    ? Object.fromEntries(
        Object.entries(options).map(([name, option]) => [
          name,
          name in configured.defaults ? { ...option, default: configured.defaults[name] } : option,
        ]),
      )
    : options;
  try {
    const parsed = parseArgs({ args: argv, options: effective as O, allowPositionals: true, strict: true });
    const fromConfig = parsed.positionals.length === 0 && configured?.positional !== undefined;
    const positionals = fromConfig ? [configured?.positional as string] : parsed.positionals;
    return { values: parsed.values as unknown as ParsedValues<O>, positionals, positionalFromConfig: fromConfig };
  } catch (error) {
    throw new LambenchError('INVALID_ARGUMENT', (error as Error).message, `Usage: ${usage}`);
  }
}

/** How the user types an option: `-n` for a one-letter name, `--warmup` otherwise. */
export const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

/**
 * A whole decimal number. Number() alone would read "" as 0, "0x10" as 16 and "1e3" as 1000, silently running
 * something other than what was typed.
 */
export function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new LambenchError('INVALID_ARGUMENT', `${flag(name)} must be an integer, got "${value}".`);
  }
  return n;
}

export function requirePositional(positionals: string[], index: number, what: string, usage: string): string {
  const value = positionals[index];
  if (!value) throw new LambenchError('INVALID_ARGUMENT', `Missing ${what}.`, `Usage: ${usage}`);
  return value;
}

/**
 * A fraction typed as a percentage ("5%", "2.5 %") or as a fraction ("0.05"). A bare number of 1 or more is
 * refused rather than guessed at: "5" could mean 5 % or 500 %.
 */
export function fractionOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  const n = percent ? Number(percent[1]) / 100 : /^\d*\.?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || (!percent && n >= 1)) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${flag(name)} must be a percentage or a fraction, got "${value}".`,
      `e.g. ${flag(name)} 5% or ${flag(name)} 0.05`,
    );
  }
  return n;
}
