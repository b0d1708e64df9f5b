import path from 'node:path';
import { createLocalEngine } from '../../engine/index.js';
import { startLocalServices } from '../../services/index.js';
import { integerOption, parse } from '../args.js';

const USAGE =
  'lambench serve [--port N] [--json] [--data-dir DIR] [--isolation auto|cgroup-v1|cgroup-v2|none] [--quiet]';

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      isolation: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const port = integerOption(values.port, 'port') ?? 0;
  const dataDir = path.resolve(values['data-dir'] ?? path.join('.lambench', 'data'));
  const engine = await createLocalEngine({
    isolation: (values.isolation as 'auto') ?? 'auto',
    ...(values.quiet ? {} : { onOutput: (fn: string, text: string) => process.stderr.write(prefixLines(fn, text)) }),
  });
  const services = await startLocalServices(engine, { dataDir, lambdaPort: port }).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const endpoints = services.endpoints;
  if (values.json) process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  else {
    process.stdout.write(`lambench serve (isolation: ${engine.isolation})\n`);
    for (const [name, url] of Object.entries(endpoints)) process.stdout.write(`  ${name.padEnd(9)} ${url}\n`);
    process.stdout.write(`  functions ${engine.functions.list().length} registered — Ctrl-C to stop\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await services.close();
  await engine.close();
  return 0;
}

function prefixLines(functionName: string, text: string): string {
  return text
    .split('\n')
    .filter((line, i, all) => line || i < all.length - 1)
    .map((line) => `[${functionName}] ${line}\n`)
    .join('');
}
