import { createLocalEngine, resolveFunctionArgument } from '../../engine/index.js';
import type { InvokeResult } from '../../engine/types.js';
import { integerOption, parse, requirePositional } from '../args.js';
import { readPayloadArgument } from '../payload.js';
import { openTarget } from '../target.js';

const USAGE =
  'lambench invoke <function|folder> [--memory MB] [--payload JSON|@file] [--cold] [--json] [--isolation auto|cgroup-v1|cgroup-v2|none]';

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
    memoryMB: result.memoryMB,
    cold: result.cold,
    functionError: result.functionError,
    errorType: result.errorType,
    payload,
    report: result.report,
    isolation: result.isolation,
    cpuCapped: result.cpuCapped,
    initCpuBoost: result.initCpuBoost,
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
      json: { type: 'boolean', default: false },
      isolation: { type: 'string' },
      'no-init-boost': { type: 'boolean', default: false },
      target: { type: 'string' },
    },
    USAGE,
  );
  const ref = requirePositional(positionals, 0, 'the function to invoke', USAGE);
  const memoryMB = integerOption(values.memory, 'memory');
  const payload = await readPayloadArgument(values.payload);
  if (values.target && values.target !== 'local')
    return invokeOnTarget(values.target, ref, payload, memoryMB, values.cold, values.json);
  const engine = await createLocalEngine({
    isolation: (values.isolation as 'auto') ?? 'auto',
    initCpuBoost: !values['no-init-boost'],
  });
  try {
    const functionName = await resolveFunctionArgument(engine, ref);
    const result = await engine.invoke({
      functionName,
      payload,
      forceCold: values.cold,
      ...(memoryMB === undefined ? {} : { memoryMB }),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(invokeJson(result))}\n`);
    } else {
      process.stderr.write(result.logs);
      process.stdout.write(`${result.payload.toString('utf8')}\n`);
      if (result.isolation === 'none') {
        process.stderr.write('note: isolation "none": CPU and memory were not limited; figures are unconstrained.\n');
      } else if (result.cpuCapped) {
        process.stderr.write(`note: ${result.memoryMB} MB asks for more vCPUs than this host has; CPU was capped.\n`);
      }
    }
    return 0;
  } finally {
    await engine.close();
  }
}

/** `--target aws`: the same output, measured from the REPORT line of the log tail. */
async function invokeOnTarget(
  kind: string,
  ref: string,
  payload: string,
  memoryMB: number | undefined,
  cold: boolean,
  json: boolean,
): Promise<number> {
  const opened = await openTarget(kind, ref);
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
      requestId: result.requestId,
    };
    process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${result.payload}\n`);
    return 0;
  } finally {
    await opened.target.cleanup();
    await opened.close();
  }
}
