import type { TuneResult } from '../tuner/types.js';
import { errorsCell, monthlyHeading, ms, networkLabel, pricingLabel, usd, weakCi, weakCiNote } from './format.js';

function environmentLine(result: TuneResult): string {
  const e = result.environment;
  const where =
    e.target === 'local'
      ? `local engine, isolation ${e.isolation ?? '?'}, ${e.hostCpus ?? '?'} CPUs (${e.cpuModel ?? '?'})${e.initCpuBoost ? ', init CPU boost on' : ''}`
      : `AWS Lambda, ${e.region}`;
  const capped = e.cappedMemorySizes.length ? ` CPU capped by the host at: ${e.cappedMemorySizes.join(', ')} MB.` : '';
  const runtime = e.runtime ? ` Runtime ${e.runtime}${e.runtimeVersion ? ` (ran on ${e.runtimeVersion})` : ''}.` : '';
  const network = e.target === 'local' ? ` Network: ${networkLabel(e.network)}.` : '';
  return `Measured on ${where}; priced as ${pricingLabel(e)}.${capped}${runtime}${network}`;
}

function ciNote(result: TuneResult): string[] {
  const note = weakCiNote(result.configs.flatMap((c) => (c.durationMs ? [c.durationMs.count] : [])));
  return note ? [note, ''] : [];
}

/** A summary for a README or a CI job summary. */
export function renderMarkdown(result: TuneResult): string {
  const rows = result.configs.map((c) => {
    const d = c.durationMs;
    const errors = errorsCell(c);
    const best = result.best?.memoryMB === c.memoryMB ? ' **best**' : '';
    const monthly = result.monthly ? ` ${usd(c.costUSD?.perMonth)} |` : '';
    return `| ${c.memoryMB}${best}${c.cpuCapped ? ' (capped)' : ''} | ${c.invocations} | ${errors} | ${ms(d?.p50)} [${ms(d?.ci95[0])}–${ms(d?.ci95[1])}]${weakCi(d) ? '†' : ''} | ${ms(d?.trimmedMean)} | ${ms(d?.p90)} | ${ms(d?.p99)} | ${ms(c.initDurationMs?.p50)} | ${c.maxMemoryUsedMB} | ${usd(c.costUSD?.per1M)} |${monthly}`;
  });
  return [
    `## lambench: ${result.function} (${result.target}, strategy ${result.strategy})`,
    '',
    `**Recommendation:** ${result.recommendation}`,
    '',
    `| memory (MB) | invocations | errors | median ms [95 % CI] | trimmed mean | p90 | p99 | init ms (p50) | max memory MB | cost / 1M |${result.monthly ? ` ${monthlyHeading(result.monthly)} |` : ''}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |${result.monthly ? ' --- |' : ''}`,
    ...rows,
    '',
    ...ciNote(result),
    environmentLine(result),
    '',
    `[Open in the Lambda Power Tuning UI](${result.visualization})`,
    '',
  ].join('\n');
}
