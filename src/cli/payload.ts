import { readFile } from 'node:fs/promises';
import { LambenchError } from '../errors.js';

/** `--payload '{"a":1}'` or `--payload @event.json`; checked as JSON here so a typo fails before anything runs. */
export async function readPayloadArgument(value: string | undefined): Promise<string> {
  if (value === undefined) return '{}';
  let text = value;
  if (value.startsWith('@')) {
    const file = value.slice(1);
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new LambenchError(
        'INVALID_ARGUMENT',
        `Cannot read payload file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        'Pass --payload @path/to/event.json with a readable file, or inline JSON.',
      );
    }
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `The payload is not valid JSON: ${(error as Error).message}`,
      `Quote it for your shell, e.g. --payload '{"iterations": 1000}'.`,
    );
  }
  return text;
}
