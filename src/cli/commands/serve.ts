import path from 'node:path';
import { createLocalEngine } from '../../engine/index.js';
import { LambenchError } from '../../errors.js';
import { startLocalServices } from '../../services/index.js';
import { parseNetworkOption } from '../../services/network/index.js';
import { integerOption, parse } from '../args.js';
import { endpointOptions, externalEndpoints, networkOption } from '../endpoints.js';
import { watchInterrupt } from '../interrupt.js';

const USAGE =
  'lambench serve [--port N] [--json] [--data-dir DIR] [--isolation auto|cgroup-v1|cgroup-v2|none] [--quiet] [--credentials KEY:SECRET] [--s3-endpoint URL] [--dynamodb-endpoint URL] [--network none|lambda-2026]';

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      isolation: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      credentials: { type: 'string' },
      ...endpointOptions,
      ...networkOption,
    },
    USAGE,
  );
  const port = integerOption(values.port, 'port') ?? 0;
  const dataDir = path.resolve(values['data-dir'] ?? path.join('.lambench', 'data'));
  const external = externalEndpoints(values);
  const credentials = values.credentials === undefined ? undefined : parseCredentials(values.credentials);
  // Off by default: serve is a development server, its clients' own timings are theirs to shape.
  const network = parseNetworkOption(values.network, 'none');
  const engine = await createLocalEngine({
    isolation: (values.isolation as 'auto') ?? 'auto',
    network,
    ...(values.quiet ? {} : printedOutput),
  });
  // Watched from here on, so a signal during startup still closes the engine rather than leaving its cgroup.
  const interrupt = watchInterrupt();
  const services = await startLocalServices(engine, {
    dataDir,
    lambdaPort: port,
    external,
    ...(credentials ? { credentials } : {}),
  }).catch(async (error: unknown) => {
    interrupt.dispose();
    await engine.close();
    throw error;
  });
  const endpoints = services.endpoints;
  if (values.json) process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  else {
    process.stdout.write(
      `lambench serve (isolation: ${engine.isolation}, network: ${network?.model.name ?? 'none'})\n`,
    );
    for (const [name, url] of Object.entries(endpoints)) process.stdout.write(`  ${name.padEnd(9)} ${url}\n`);
    process.stdout.write(`  functions ${engine.functions.list().length} registered — Ctrl-C to stop\n`);
  }
  // Serving ends only by interruption: 130, as the README's exit codes say, after closing everything.
  await interrupt.signalled;
  await services.close();
  await engine.close();
  return 130;
}

/** `KEY:SECRET` (the secret may itself hold colons, as AWS secrets do not but a passphrase might). */
function parseCredentials(text: string): { accessKeyId: string; secretAccessKey: string } {
  const colon = text.indexOf(':');
  const accessKeyId = colon < 0 ? '' : text.slice(0, colon);
  const secretAccessKey = colon < 0 ? '' : text.slice(colon + 1);
  if (!/^[\w]{1,128}$/.test(accessKeyId) || secretAccessKey === '') {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      '--credentials must be KEY:SECRET (an access key id of letters, digits or _, a colon, a non-empty secret).',
      'e.g. --credentials AKIALOCAL:my-secret; clients then sign with that key and secret (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).',
    );
  }
  return { accessKeyId, secretAccessKey };
}

function prefixLines(functionName: string, text: string): string {
  return text
    .split('\n')
    .filter((line, i, all) => line || i < all.length - 1)
    .map((line) => `[${functionName}] ${line}\n`)
    .join('');
}

const waitingForDrain = new Set<() => void>();

/** What functions print goes to stderr, prefixed; a slow reader slows their printing down, not serve's memory up. */
const printedOutput = {
  onOutput: (fn: string, text: string) => process.stderr.write(prefixLines(fn, text)),
  onOutputDrain: (resume: () => void) => {
    waitingForDrain.add(resume);
    if (waitingForDrain.size === 1) process.stderr.once('drain', resumeAll);
  },
};

function resumeAll(): void {
  const waiting = [...waitingForDrain];
  waitingForDrain.clear();
  for (const resume of waiting) resume();
}
