import path from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { createLocalEngine, resolveFunctionArgument } from '../../engine/index.js';
import type { InvokeRequest, InvokeResult } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import { type LocalServices, startLocalServices } from '../../services/index.js';
import { DEFAULT_NETWORK_MODEL, parseNetworkOption } from '../../services/network/index.js';
import { integerOption, parse, requirePositional } from '../args.js';
import { endpointOptions, externalEndpoints, networkOption } from '../endpoints.js';
import { watchInterrupt } from '../interrupt.js';
import { readPayloadArgument } from '../payload.js';
import { openTarget } from '../target.js';

const USAGE =
  'lambench invoke <function|folder> [--memory MB] [--payload JSON|@file] [--cold] [--stream] [--json] [--isolation auto|cgroup-v1|cgroup-v2|none] [--data-dir DIR] [--s3-endpoint URL] [--dynamodb-endpoint URL] [--network lambda-2026|none] [--target local|aws [--region REGION]]';

/** The `--json` shape other tools and checks rely on. */
export function invokeJson(result: InvokeResult) {
  const text = result.payload.toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // Not JSON: keep the raw text.
  }
  return {
    function: result.functionName,
    runtime: result.runtime,
    ...(result.runtimeVersion ? { runtimeVersion: result.runtimeVersion } : {}),
    memoryMB: result.memoryMB,
    cold: result.cold,
    functionError: result.functionError,
    errorType: result.errorType,
    payload,
    report: result.report,
    ...(result.firstByteMs === undefined ? {} : { firstByteMs: result.firstByteMs }),
    isolation: result.isolation,
    cpuCapped: result.cpuCapped,
    initCpuBoost: result.initCpuBoost,
    visibleCpus: result.visibleCpus,
    ...(result.limitsNotApplied.length ? { limitsNotApplied: result.limitsNotApplied } : {}),
    requestId: result.requestId,
  };
}

export async function invokeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      memory: { type: 'string' },
      payload: { type: 'string' },
      cold: { type: 'boolean', default: false },
      stream: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      isolation: { type: 'string' },
      'no-init-boost': { type: 'boolean', default: false },
      target: { type: 'string' },
      region: { type: 'string' },
      'data-dir': { type: 'string' },
      ...endpointOptions,
      ...networkOption,
    },
    USAGE,
  );
  const ref = requirePositional(positionals, 0, 'the function to invoke', USAGE);
  const memoryMB = integerOption(values.memory, 'memory');
  const payload = await readPayloadArgument(values.payload);
  if (values.target && values.target !== 'local') {
    if (values.stream)
      throw new LambenchError(
        'INVALID_ARGUMENT',
        '--stream runs on the local engine only.',
        'Drop --stream, or leave out --target aws.',
      );
    return invokeOnTarget(values.target, ref, payload, memoryMB, values.cold, values.json, values.region);
  }
  const external = externalEndpoints(values);
  const engine = await createLocalEngine({
    isolation: (values.isolation as 'auto') ?? 'auto',
    initCpuBoost: !values['no-init-boost'],
    network: parseNetworkOption(values.network, DEFAULT_NETWORK_MODEL),
  });
  const interrupt = watchInterrupt();
  let services: Promise<LocalServices> | undefined;
  try {
    const functionName = await resolveFunctionArgument(engine, ref);
    // Functions get AWS_ENDPOINT_URL_S3/_DYNAMODB/_LAMBDA from these, as under `serve`: without them the SDK would
    // go to real AWS with dummy credentials. The same data dir as `serve` and `data`, so `data csv-etl` feeds `invoke`.
    services = startLocalServices(engine, {
      dataDir: path.resolve(values['data-dir'] ?? path.join('.lambench', 'data')),
      external,
    });
    await Promise.race([services, interrupt.interrupted]);
    const request = { functionName, payload, forceCold: values.cold, ...(memoryMB === undefined ? {} : { memoryMB }) };
    if (values.stream) {
      const result = await Promise.race([invokeStreaming(engine, request, values.json), interrupt.interrupted]);
      printStreamed(result, values.json);
      return 0;
    }
    const result = await Promise.race([engine.invoke(request), interrupt.interrupted]);
    printResult(result, values.json);
    return 0;
  } finally {
    interrupt.dispose();
    // The engine first (it kills the runtime process and removes its cgroup), then what its functions talked to.
    await engine.close();
    await services?.then(
      (started) => started.close(),
      () => {},
    );
  }
}

function printResult(result: InvokeResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(invokeJson(result))}\n`);
    return;
  }
  process.stderr.write(result.logs);
  process.stdout.write(`${result.payload.toString('utf8')}\n`);
  if (result.isolation === 'none') {
    process.stderr.write('note: isolation "none": CPU and memory were not limited; figures are unconstrained.\n');
  } else if (result.cpuCapped) {
    process.stderr.write(`note: ${result.memoryMB} MB asks for more vCPUs than this host has; CPU was capped.\n`);
  }
}

/**
 * `--stream`: InvokeWithResponseStream on the local engine. A streamed response's chunks go to stdout as they
 * arrive (collected for `--json`); the result's payload then holds what was streamed.
 */
async function invokeStreaming(engine: Engine, request: InvokeRequest, json: boolean): Promise<InvokeResult> {
  const chunks: Buffer[] = [];
  const result = await engine.invokeStream(request, {
    start: () => {},
    chunk: (bytes) => {
      chunks.push(Buffer.from(bytes));
      if (!json) process.stdout.write(bytes);
    },
  });
  if (result.firstByteMs === undefined) {
    if (!json) process.stdout.write(result.payload);
    return result;
  }
  return { ...result, payload: result.functionError ? result.payload : Buffer.concat(chunks) };
}

function printStreamed(result: InvokeResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(invokeJson(result))}\n`);
    return;
  }
  process.stdout.write('\n');
  process.stderr.write(result.logs);
  if (result.functionError) process.stderr.write(`${result.errorType}: ${result.payload.toString('utf8')}\n`);
  process.stderr.write(
    result.firstByteMs === undefined
      ? 'note: the function answered buffered (not streamed): no time to first byte.\n'
      : `Time to first byte: ${result.firstByteMs} ms\tDuration: ${result.report.durationMs} ms\n`,
  );
}

/** `--target aws`: the same output, measured from the REPORT line of the log tail. */
async function invokeOnTarget(
  kind: string,
  ref: string,
  payload: string,
  memoryMB: number | undefined,
  cold: boolean,
  json: boolean,
  region: string | undefined,
): Promise<number> {
  const opened = await openTarget(kind, ref, region ? { region } : {});
  try {
    const described = await opened.target.describe(opened.functionName);
    const fn =
      memoryMB === undefined || memoryMB === described.memoryMB
        ? { functionName: described.name, memoryMB: described.memoryMB }
        : await opened.target.configure(described.name, memoryMB);
    const result = await opened.target.invoke(fn, payload, { cold });
    let parsed: unknown = result.payload;
    try {
      parsed = JSON.parse(result.payload);
    } catch {
      // Not JSON: keep the text.
    }
    const out = {
      function: described.name,
      memoryMB: fn.memoryMB,
      cold: result.cold,
      functionError: result.functionError,
      errorType: result.errorType,
      payload: parsed,
      report: result.report,
      target: kind,
      region: (await opened.target.environment()).region,
      requestId: result.requestId,
    };
    process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${result.payload}\n`);
    return 0;
  } finally {
    await opened.target.cleanup();
    await opened.close();
  }
}
