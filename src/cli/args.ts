import { type ParseArgsConfig, parseArgs } from 'node:util';
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

/** node:util parseArgs with lambench's error type, so a typo gets a clear message and exit code 2. */
export function parse<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): { values: ParsedValues<O>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as unknown as ParsedValues<O>, positionals: parsed.positionals };
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
