import type { Architecture } from '../engine/types.js';
import {
  ARCHITECTURES,
  type EvaluateContext,
  evaluateSize,
  familyOf,
  optionsFor,
  type PlanOption,
  pickWinner,
} from './options.js';
import type { SizeProfile } from './profile.js';
import { scaleTraffic, type Traffic } from './traffic.js';

/** Traffic multiples the break-even chart is drawn over (the planned traffic is 1). */
export const SWEEP_FACTORS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100];

export interface SweepPoint {
  factor: number;
  invocationsPerMonth: number;
  /** Per family (pricing model + architecture): its best size at this traffic. */
  best: Record<
    string,
    { memoryMB: number; totalUSD: number; coldStartRate: { longIdle: number; shortIdle: number }; throttleRate: number }
  >;
  /** The family of the winner. */
  winner: string;
}

/** Where the winning family changes: by cost (interpolated), or because the cheaper one starts throttling. */
export interface BreakEven {
  invocationsPerMonth: number;
  meanPerSecond: number;
  from: string;
  to: string;
  reason: 'cost' | 'throttles';
  /** The two sweep points it lies between. */
  between: [number, number];
}

type Evaluations = Map<Architecture, Array<{ profile: SizeProfile }>>;

/** All options at one multiple of the traffic, every size re-simulated with the sweep's smaller budget. */
function optionsAt(traffic: Traffic, evaluated: Evaluations, ctx: EvaluateContext, budget: number): PlanOption[] {
  const again = new Map(
    [...evaluated].map(([arch, list]) => [arch, list.map((e) => evaluateSize(traffic, e.profile, ctx, budget))]),
  );
  return ARCHITECTURES.flatMap((arch) => {
    const source = again.get(arch) ?? [...again.values()][0] ?? [];
    return source.flatMap((e) => optionsFor(e, arch, traffic, ctx));
  });
}

function point(factor: number, traffic: Traffic, options: readonly PlanOption[]): SweepPoint {
  const families = new Map<string, PlanOption[]>();
  for (const o of options) families.set(familyOf(o), [...(families.get(familyOf(o)) ?? []), o]);
  const best: SweepPoint['best'] = {};
  for (const [family, list] of families) {
    const b = pickWinner(list);
    if (b)
      best[family] = {
        memoryMB: b.memoryMB,
        totalUSD: b.monthly.totalUSD,
        coldStartRate: b.coldStartRate,
        throttleRate: b.throttleRate,
      };
  }
  const winner = pickWinner(options);
  return { factor, invocationsPerMonth: traffic.invocationsPerMonth, best, winner: winner ? familyOf(winner) : '' };
}

/**
 * The plan again at multiples of the traffic (the same pattern, every rate scaled), and where the winning family
 * changes: the break-even traffic, interpolated between the two sweep points on log cost against log traffic.
 */
export function sweepTraffic(
  traffic: Traffic,
  evaluated: Evaluations,
  ctx: EvaluateContext,
  budget: number,
  planned: readonly PlanOption[],
): {
  points: SweepPoint[];
  breakEven: BreakEven[];
  skipped: number[];
} {
  // A multiple whose busiest second alone holds twice the budget cannot be simulated within it: left out, and said.
  const skipped = SWEEP_FACTORS.filter((f) => f !== 1 && traffic.maxRate * f > 2 * budget);
  const points = SWEEP_FACTORS.filter((f) => !skipped.includes(f)).map((factor) => {
    if (factor === 1) return point(1, traffic, planned);
    const scaled = scaleTraffic(traffic, factor);
    return point(factor, scaled, optionsAt(scaled, evaluated, ctx, budget));
  });
  const breakEven: BreakEven[] = [];
  const mean = traffic.perPeriod / traffic.periodS;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (!a || !b || a.winner === b.winner || !a.winner || !b.winner) continue;
    const from = a.winner;
    const to = b.winner;
    const diff = (p: SweepPoint) => Math.log(p.best[from]?.totalUSD ?? 1) - Math.log(p.best[to]?.totalUSD ?? 1);
    const d0 = diff(a);
    const d1 = diff(b);
    const between: [number, number] = [a.invocationsPerMonth, b.invocationsPerMonth];
    if (d1 <= 0) {
      // Still the cheaper one at b: it lost on throttling (over 0.1 %), somewhere between the two points.
      breakEven.push({
        invocationsPerMonth: b.invocationsPerMonth,
        meanPerSecond: mean * b.factor,
        from,
        to,
        reason: 'throttles',
        between,
      });
      continue;
    }
    const share = Math.min(1, Math.max(0, -d0 / (d1 - d0)));
    const factor = Math.exp(Math.log(a.factor) + share * (Math.log(b.factor) - Math.log(a.factor)));
    breakEven.push({
      invocationsPerMonth: traffic.invocationsPerMonth * factor,
      meanPerSecond: mean * factor,
      from,
      to,
      reason: 'cost',
      between,
    });
  }
  return { points, breakEven, skipped };
}
