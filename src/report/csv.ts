import type { TuneResult } from '../tuner/types.js';

const cell = (v: unknown) => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function renderCsv(result: TuneResult): string {
  const header = [
    'function',
    'memoryMB',
    'invocations',
    'errors',
    'durationMean',
    'durationTrimmedMean',
    'durationP50',
    'durationCiLow',
    'durationCiHigh',
    'durationP90',
    'durationP99',
    'billedTrimmedMean',
    'initP50',
    'coldStarts',
    'maxMemoryUsedMB',
    'costPerInvocationUSD',
    'costPer1MUSD',
    'cpuCapped',
    'pricingArchitecture',
    'pricingRegion',
    'costPerMonthUSD',
    'invocationsPerMonth',
    'freeTier',
    'order',
    'seed',
    'precisionTarget',
    'precisionReached',
    'ciHalfWidth',
  ];
  const rows = result.configs.map((c) => [
    result.function,
    c.memoryMB,
    c.invocations,
    c.errors,
    c.durationMs?.mean,
    c.durationMs?.trimmedMean,
    c.durationMs?.p50,
    c.durationMs?.ci95[0],
    c.durationMs?.ci95[1],
    c.durationMs?.p90,
    c.durationMs?.p99,
    c.billedDurationMs?.trimmedMean,
    c.initDurationMs?.p50,
    c.coldStarts,
    c.maxMemoryUsedMB,
    c.costUSD?.perInvocation,
    c.costUSD?.per1M,
    c.cpuCapped,
    result.environment.architecture,
    result.environment.pricingRegion ?? result.environment.region,
    c.costUSD?.perMonth,
    result.monthly?.invocations,
    result.monthly?.freeTier,
    result.sampling?.order,
    result.sampling?.seed,
    result.sampling?.precision,
    c.sampling?.precisionReached,
    c.sampling?.ciHalfWidth,
  ]);
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
