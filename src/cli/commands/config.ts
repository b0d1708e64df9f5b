import { resolvedConfig } from '../../config/resolve.js';
import { activeProjectConfig, parse } from '../args.js';

const USAGE = 'lambench config [command] [--json] [--config FILE]';

/** Prints what the config file gives each command (or one), and the file it came from. */
export async function configCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false } }, USAGE);
  const loaded = activeProjectConfig();
  const resolved = loaded ? resolvedConfig(loaded, positionals[0]) : undefined;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(resolved ?? { file: null })}\n`);
    return 0;
  }
  if (!resolved) {
    process.stdout.write(
      'No config file: lambench looks for lambench.config.ts, .mts, .mjs, .js or .json in the working directory (or --config FILE).\n',
    );
    return 0;
  }
  process.stdout.write(`config file: ${resolved.file}\n`);
  process.stdout.write(`shared (every command that has the flag): ${JSON.stringify(resolved.shared)}\n`);
  for (const [command, flags] of Object.entries(resolved.commands)) {
    process.stdout.write(`${command}: ${JSON.stringify(flags)}\n`);
  }
  return 0;
}
