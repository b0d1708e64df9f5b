import type { PlannedMonthly } from '../report/dashboard.js';
import type { PlanOption, PlanResult } from './plan.js';
import type { BreakEven } from './sweep.js';

export const dollars = (x: number) =>
  x >= 1000
    ? `$${Math.round(x).toLocaleString('en-US')}`
    : x >= 0.01 || x === 0
      ? `$${x.toFixed(2)}`
      : `$${x.toPrecision(2)}`;
export const percent = (x: number) =>
  x === 0 ? '0' : x >= 0.1 ? `${(x * 100).toFixed(0)} %` : `${(x * 100).toPrecision(2)} %`;
export const count = (x: number) =>
  x >= 1e9
    ? `${+(x / 1e9).toFixed(2)}B`
    : x >= 1e6
      ? `${+(x / 1e6).toFixed(1)}M`
      : x >= 1e4
        ? `${+(x / 1e3).toFixed(1)}k`
        : String(Math.round(x));

/** "4.1 %–9.8 %" for a cold-start band, one figure when both idle ends agree. */
export function coldBand(o: PlanOption): string {
  const { longIdle, shortIdle } = o.coldStartRate;
  return percent(longIdle) === percent(shortIdle) ? percent(shortIdle) : `${percent(longIdle)}–${percent(shortIdle)}`;
}

/** A winner priced from the other architecture's durations says so: measure it before relying on it. */
export const priceOnly = (o: PlanOption) =>
  o.basis === 'price-only'
    ? `; ${o.architecture} was not measured: the other architecture's durations at its prices`
    : '';

/** "from A to B at about 110M invocations a month (42/s)", or for a change forced by throttling, its range. */
export function breakEvenText(b: BreakEven): string {
  if (b.reason === 'throttles') {
    return `from ${b.from} to ${b.to} by ${count(b.invocationsPerMonth)} invocations a month (between ${count(b.between[0])} and ${count(b.between[1])}, ${b.from} throttles over 0.1 % there)`;
  }
  return `from ${b.from} to ${b.to} at about ${count(b.invocationsPerMonth)} invocations a month (${+b.meanPerSecond.toPrecision(3)}/s on average)`;
}

/** What a dashboard card shows: the winner and its monthly bill at the planned traffic. */
export function planHeadline(plan: PlanResult): { label: string; monthlyUSD: number; text: string } | null {
  const w = plan.winner;
  if (!w) return null;
  const text = `${w.label}: ${dollars(w.monthly.totalUSD)}/month at ${plan.traffic.spec} (${count(plan.traffic.invocationsPerMonth)} invocations)`;
  return { label: w.label, monthlyUSD: w.monthly.totalUSD, text };
}

/** The headline as a dashboard card's "$ / month" cell and line (undefined when nothing could be priced). */
export function plannedMonthly(plan: PlanResult): PlannedMonthly | undefined {
  const headline = planHeadline(plan);
  const w = plan.winner;
  if (!headline || !w) return undefined;
  return {
    traffic: plan.traffic.spec,
    monthlyUSD: headline.monthlyUSD,
    memoryMB: w.memoryMB,
    model: `${w.model} ${w.architecture}`,
    headline: headline.text,
  };
}

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '))
    .join('\n');
}

/** The plan as a terminal table: one row per option, then the winner, the break-even traffic and the notes. */
export function renderPlanTable(plan: PlanResult): string {
  const head = [
    'option',
    'basis',
    'cold starts',
    'conc p50/p99/max',
    'throttled',
    'requests',
    'duration',
    'INIT',
    'provisioned',
    'instances',
    'total / month',
  ];
  const rows = plan.options.map((o) => [
    o.label,
    o.basis,
    coldBand(o),
    `${o.concurrency.p50}/${o.concurrency.p99}/${o.concurrency.max}`,
    percent(o.throttleRate),
    dollars(o.monthly.requestsUSD),
    dollars(o.monthly.durationUSD + o.monthly.provisionedExecutionUSD),
    dollars(o.monthly.initUSD),
    dollars(o.monthly.provisionedUSD),
    dollars(o.monthly.instancesUSD + o.monthly.managementUSD),
    dollars(o.monthly.totalUSD),
  ]);
  const t = plan.traffic;
  const lines = [
    `${plan.function} at ${t.spec}: ${t.description}; ${count(t.invocationsPerMonth)} invocations a month (peak ${+t.peakPerSecond.toFixed(2)}/s), priced in ${plan.region} (prices of ${plan.prices.asOf}).`,
    `Simulated: ${plan.simulation.method}. Idle eviction ${plan.simulation.idleMinutes[0]}–${plan.simulation.idleMinutes[1]} min (cold starts shown long–short idle; costs at the short end); concurrency limit ${plan.simulation.concurrencyLimit}; scaling ${plan.simulation.scalingRate}.`,
    '',
    pad([head, ...rows]),
    '',
  ];
  if (plan.winner)
    lines.push(
      `Winner: ${plan.winner.label}, ${dollars(plan.winner.monthly.totalUSD)} a month (cold starts ${coldBand(plan.winner)})${priceOnly(plan.winner)}.`,
    );
  const calm = plan.cheapestWithoutColdStarts;
  if (calm && calm !== plan.winner)
    lines.push(`Without cold starts: ${calm.label}, ${dollars(calm.monthly.totalUSD)} a month.`);
  for (const b of plan.breakEven) {
    lines.push(`Break-even: ${breakEvenText(b)}.`);
  }
  if (plan.sweep.length && plan.breakEven.length === 0)
    lines.push(
      `No break-even between ${plan.sweep[0]?.factor}× and ${plan.sweep[plan.sweep.length - 1]?.factor}× this traffic: ${plan.winner ? `${plan.winner.model} ${plan.winner.architecture}` : 'the same family'} wins throughout.`,
    );
  for (const n of plan.notes) lines.push(`Note: ${n}`);
  return `${lines.join('\n')}\n`;
}
