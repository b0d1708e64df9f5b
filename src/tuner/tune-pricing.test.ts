import { describe, expect, it } from 'vitest';
import { invocationCost, monthlyCost } from '../pricing/cost.js';
import { renderCsv } from '../report/csv.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { validatePlan } from './plan.js';
import { fakePlan, fakeTarget } from './test-helpers/fake-target.js';
import { tune } from './tune.js';

describe('tune pricing', () => {
  it("prices at the function's own architecture unless one is given", async () => {
    const { result } = await tune(fakeTarget({ architecture: 'arm64' }), fakePlan({ memorySizes: [1024] }));
    expect(result.environment.architecture).toBe('arm64');
    const billed = result.configs[0]?.billedDurationMs?.trimmedMean ?? 0;
    const arm = invocationCost({ memoryMB: 1024, billedDurationMs: billed, architecture: 'arm64' });
    expect(result.configs[0]?.costUSD?.perInvocation).toBeCloseTo(arm, 15);
    const forced = await tune(fakeTarget({ architecture: 'arm64' }), fakePlan({ architecture: 'x86_64' }));
    expect(forced.result.environment.architecture).toBe('x86_64');
  });

  it("records the pricing region (the target's unless given) and labels the reports with it", async () => {
    const { result } = await tune(fakeTarget({ region: 'sa-east-1' }), fakePlan({ memorySizes: [1024] }));
    expect(result.environment.pricingRegion).toBe('sa-east-1');
    const billed = result.configs[0]?.billedDurationMs?.trimmedMean ?? 0;
    const saoPaulo = invocationCost({ memoryMB: 1024, billedDurationMs: billed, region: 'sa-east-1' });
    expect(result.configs[0]?.costUSD?.perInvocation).toBeCloseTo(saoPaulo, 15);
    expect(renderMarkdown(result)).toContain('priced as x86_64 in sa-east-1.');
    expect(renderCsv(result).split('\n')[1]).toMatch(/,x86_64,sa-east-1,/);
  });

  it('warns once when the region has no prices of its own', async () => {
    const warnings: string[] = [];
    const { result } = await tune(fakeTarget(), fakePlan({ memorySizes: [128, 256, 512], region: 'mars-north-1' }), {
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"mars-north-1" is not in the price table.*standard us-east-1 rates/);
    expect(result.environment.pricingRegion).toBe('mars-north-1');
    expect(renderMarkdown(result)).toContain('mars-north-1 (not in the price table: standard us-east-1 rates)');
    const quiet: string[] = [];
    await tune(fakeTarget(), fakePlan({ region: 'eu-west-1' }), { onWarning: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
  });

  it('prices a month at --per-month (tiers, optional free tier) and shows it in every report', async () => {
    const plan = fakePlan({ memorySizes: [128, 1024], invocationsPerMonth: 5_000_000, freeTier: true });
    const { result } = await tune(fakeTarget(), plan);
    expect(result.monthly).toEqual({ invocations: 5_000_000, freeTier: true });
    for (const c of result.configs) {
      const bill = monthlyCost({
        memoryMB: c.memoryMB,
        avgBilledMs: c.billedDurationMs?.trimmedMean ?? 0,
        invocationsPerMonth: 5_000_000,
        freeTier: true,
      });
      expect(c.costUSD?.perMonth).toBeCloseTo(bill.totalUSD, 9);
      expect(c.costUSD?.perMonth).toBeLessThan((c.costUSD?.per1M ?? 0) * 5);
    }
    const heading = 'cost / month (5,000,000 invocations, free tier)';
    expect(renderMarkdown(result)).toContain(heading);
    expect(renderHtml([result])).toContain(heading);
    const [header, row] = renderCsv(result).split('\n');
    // The sampling columns (order, seed, precision) follow the monthly ones.
    expect(header).toMatch(/,costPerMonthUSD,invocationsPerMonth,freeTier,order,/);
    expect(row).toMatch(/,5000000,true,sequential,/);
    const plain = await tune(fakeTarget(), fakePlan());
    expect(plain.result.configs[0]?.costUSD?.perMonth).toBeUndefined();
    expect(renderMarkdown(plain.result)).not.toContain('cost / month');
  });

  it('rejects --free-tier without --per-month, and a rate that is not a whole number', () => {
    expect(() => validatePlan(fakePlan({ freeTier: true }))).toThrow(/--free-tier .* --per-month/);
    expect(() => validatePlan(fakePlan({ invocationsPerMonth: 0.5 }))).toThrow(/--per-month must be/);
  });
});
