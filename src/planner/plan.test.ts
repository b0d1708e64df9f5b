import { describe, expect, it } from 'vitest';
import { familyOf, type PlanOptions, planTraffic } from './plan.js';
import { planHeadline, renderPlanTable } from './table.js';
import { fixture } from './test-helpers/fixture.js';
import { MONTH_SECONDS } from './traffic.js';

const fast: PlanOptions = { budget: 20_000, sweepBudget: 3_000 };

describe('planTraffic', () => {
  const x86 = fixture('x86_64', { 512: 100, 1024: 60 });
  const plan = planTraffic(x86.result, '20/s', { ...fast, records: [x86.records] });

  it('gives every size on-demand, provisioned and Managed Instances on both architectures', () => {
    expect(plan.options).toHaveLength(2 * 2 * 3);
    const byLabel = new Map(plan.options.map((o) => [`${o.architecture} ${o.model} ${o.memoryMB}`, o]));
    expect(byLabel.get('x86_64 on-demand 512')?.basis).toBe('measured');
    expect(byLabel.get('arm64 on-demand 512')?.basis).toBe('price-only');
    expect(plan.notes.join(' ')).toMatch(/arm64 was not measured/);
    expect(plan.simulation.durations.every((d) => d.source === 'invocations' && d.samples === 19)).toBe(true);
  });

  it('bills the measured durations exactly: requests and GB-s of 131.4M × 60 ms at 1 GB, arm64 at its price', () => {
    const invocations = 20 * MONTH_SECONDS;
    const od = plan.options.find((o) => o.model === 'on-demand' && o.architecture === 'x86_64' && o.memoryMB === 1024);
    expect(od?.throttleRate).toBe(0);
    expect(od?.monthly.requestsUSD).toBeCloseTo((invocations / 1e6) * 0.2, 6);
    expect(od?.monthly.durationUSD).toBeCloseTo(invocations * 0.06 * 0.0000166667, 4);
    // Cold starts are rare at 20/s and INIT is their 200 ms: INIT = cold share × invocations × 0.2 GB-s.
    const cold = od?.coldStartRate.shortIdle ?? 1;
    expect(cold).toBeLessThan(0.01);
    expect(od?.monthly.initUSD).toBeCloseTo(cold * invocations * 0.2 * 0.0000166667, 4);
    const arm = plan.options.find((o) => o.model === 'on-demand' && o.architecture === 'arm64' && o.memoryMB === 1024);
    expect(arm?.monthly.durationUSD).toBeCloseTo(invocations * 0.06 * 0.0000133334, 4);
    // Little's law: 20/s × 60 ms → about 1.2 busy environments; p99 a few.
    expect(od?.concurrency.p99).toBeGreaterThanOrEqual(3);
    expect(od?.concurrency.p99).toBeLessThanOrEqual(6);
  });

  it('sizes provisioned concurrency at p99 and Managed Instances from the CPU measured', () => {
    const pc = plan.options.find(
      (o) => o.model === 'provisioned' && o.architecture === 'x86_64' && o.memoryMB === 1024,
    );
    const od = plan.options.find((o) => o.model === 'on-demand' && o.architecture === 'x86_64' && o.memoryMB === 1024);
    expect(pc?.provisionedConcurrency).toBe(od?.concurrency.p99);
    expect(pc?.monthly.provisionedUSD).toBeCloseTo((pc?.provisionedConcurrency ?? 0) * MONTH_SECONDS * 0.0000041667, 4);
    const mi = plan.options.find(
      (o) => o.model === 'managed-instances' && o.architecture === 'arm64' && o.memoryMB === 512,
    );
    // 100 ms at 512 MB had 512/1769 vCPU: 0.0289 CPU-s; 20/s needs 0.58 vCPU → the 3-instance minimum.
    expect(mi?.managed?.cpuSecondsPerInvocation).toBeCloseTo(0.1 * (512 / 1769), 6);
    expect(mi?.managed?.peakInstances).toBe(3);
    expect(mi?.monthly.totalUSD).toBeCloseTo(3 * 730 * 0.1632 * 1.15 + (20 * MONTH_SECONDS * 0.2) / 1e6, 4);
  });

  it('names a winner, the cheapest option that does not throttle, and where the answer changes', () => {
    const cheapest = Math.min(...plan.options.map((o) => o.monthly.totalUSD));
    expect(plan.winner?.monthly.totalUSD).toBe(cheapest);
    const first = plan.sweep[0];
    const last = plan.sweep[plan.sweep.length - 1];
    // At 0.02/s nothing beats paying per request; at 2,000/s the per-GB-s price loses to instances or provisioning.
    expect(first?.winner).toMatch(/^on-demand/);
    expect(last?.winner).not.toMatch(/^on-demand/);
    expect(plan.breakEven.length).toBeGreaterThan(0);
    for (const b of plan.breakEven) {
      const i = plan.sweep.findIndex((p) => p.invocationsPerMonth >= b.invocationsPerMonth);
      const before = plan.sweep[i - 1];
      const after = plan.sweep[i];
      expect(before?.winner).toBe(b.from);
      expect(after?.winner).toBe(b.to);
    }
    expect(planHeadline(plan)?.text).toMatch(/^arm64 .*\$[\d,.]+\/month at 20\/s/);
    const table = renderPlanTable(plan);
    expect(table).toMatch(/Winner: /);
    expect(table).toMatch(/Break-even: from /);
  });

  it('uses both architectures’ own durations when both were measured', () => {
    const arm = fixture('arm64', { 512: 80, 1024: 50 });
    const both = planTraffic([x86.result, arm.result], '20/s', {
      ...fast,
      sweepBudget: 0,
      records: [x86.records, arm.records],
    });
    const od = both.options.find((o) => o.model === 'on-demand' && o.architecture === 'arm64' && o.memoryMB === 1024);
    expect(od?.basis).toBe('measured');
    expect(od?.monthly.durationUSD).toBeCloseTo(20 * MONTH_SECONDS * 0.05 * 0.0000133334, 4);
    expect(both.notes.join(' ')).not.toMatch(/not measured/);
    expect(() => planTraffic([x86.result, x86.result], '1/s', fast)).toThrow(/Two results of x86_64/);
  });

  it('throttles at reserved concurrency and prefers an option that does not', () => {
    const tight = planTraffic(x86.result, '200/s', {
      ...fast,
      sweepBudget: 0,
      reservedConcurrency: 5,
      records: [x86.records],
    });
    const od = tight.options.find((o) => o.model === 'on-demand' && o.memoryMB === 512 && o.architecture === 'x86_64');
    // Demand is 200 × 0.1 = 20 busy environments against 5 allowed.
    expect(od?.throttleRate).toBeGreaterThan(0.6);
    expect(od?.monthly.requestsUSD).toBeLessThan((200 * MONTH_SECONDS * 0.2) / 1e6 / 2);
    expect(tight.winner?.throttleRate).toBe(0);
    expect(tight.winner?.model).toBe('managed-instances');
  });

  it('leaves out what the price table cannot price, and says so', () => {
    const warnings: string[] = [];
    const sa = planTraffic(x86.result, '5/s', { ...fast, sweepBudget: 0, region: 'sa-east-1' });
    expect(sa.options.every((o) => o.model === 'on-demand')).toBe(true);
    expect(sa.notes.join(' ')).toMatch(/No provisioned concurrency prices for sa-east-1/);
    const far = planTraffic(x86.result, '5/s', {
      ...fast,
      sweepBudget: 0,
      region: 'xx-nowhere-1',
      onWarning: (w) => warnings.push(w),
    });
    expect(far.prices.regionInTable).toBe(false);
    expect(warnings[0]).toMatch(/not in the price table/);
    expect(familyOf({ model: 'provisioned', architecture: 'arm64' })).toBe('provisioned arm64');
  });

  it('plans from the statistics alone when there is no invocations.jsonl', () => {
    const plain = planTraffic(x86.result, '20/s', { ...fast, sweepBudget: 0 });
    expect(plain.simulation.durations.every((d) => d.source === 'statistics')).toBe(true);
    const od = plain.options.find((o) => o.model === 'on-demand' && o.architecture === 'x86_64' && o.memoryMB === 1024);
    expect(od?.monthly.durationUSD).toBeCloseTo(20 * MONTH_SECONDS * 0.06 * 0.0000166667, 4);
  });
});

describe('planTraffic at the edges', () => {
  it('prices traffic too sparse for the window as all cold', () => {
    const { result } = fixture('x86_64', { 1024: 60 }, 300);
    const plan = planTraffic(result, '2/month', { budget: 1000, sweepBudget: 0 });
    const od = plan.options.find((o) => o.model === 'on-demand' && o.architecture === 'x86_64');
    expect(od?.coldStartRate.shortIdle).toBe(1);
    // Two invocations of 60 ms + 300 ms INIT at 1 GB, and two requests.
    expect(od?.monthly.durationUSD).toBeCloseTo(2 * 0.06 * 0.0000166667, 12);
    expect(od?.monthly.initUSD).toBeCloseTo(2 * 0.3 * 0.0000166667, 12);
    expect(od?.monthly.requestsUSD).toBeCloseTo(2 * 0.2e-6, 12);
  });
});
