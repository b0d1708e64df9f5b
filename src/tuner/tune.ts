import { LambenchError } from '../errors.js';
import { hasRegionPrices } from '../pricing/prices.js';
import { visualizationUrl } from '../report/visualization.js';
import type { Target } from '../targets/types.js';
import { confidenceText, pickConfidence } from './confidence.js';
import { type RoundOutcome, runInterleaved } from './interleave.js';
import { type Progress, RunStore } from './persist.js';
import { type TunePlan, validatePlan } from './plan.js';
import { buildConfigResult, type ConfigContext } from './results.js';
import { resumePlan } from './resume.js';
import { type RunHooks, runPlan, type SizeOutcome } from './run.js';
import { samplingStatus } from './sampling.js';
import {
  chooseBest,
  decisionCost,
  decisionDuration,
  eligible,
  recommendationText,
  type StrategyOptions,
} from './strategy.js';
import type { ConfigResult, InvocationRecord, TuneResult, TuneSampling } from './types.js';

export interface TuneOptions extends Pick<RunHooks, 'signal' | 'onProgress'> {
  /** Where result.json, invocations.jsonl and progress.json go as the run proceeds. */
  outDir?: string;
  /**
   * Continue the run recorded in outDir, skipping the sizes it finished. The saved plan is used; `requested` may only
   * repeat it (a field that differs is an INVALID_ARGUMENT error), so both halves of the run measure the same thing.
   */
  resume?: boolean;
  /** Told once about anything that makes the figures less exact than they look (e.g. a region without prices). */
  onWarning?: (message: string) => void;
  /** Called with the partial result after each size (reports rewritten as the run goes). */
  onPartialResult?: (result: TuneResult, records: InvocationRecord[]) => Promise<void>;
}

export interface TuneOutput {
  result: TuneResult;
  records: InvocationRecord[];
  interrupted: boolean;
}

/** Runs a plan against a target and turns the measurements into a result with a recommendation. */
export async function tune(target: Target, requested: TunePlan, options: TuneOptions = {}): Promise<TuneOutput> {
  const startedAt = new Date().toISOString();
  const store = options.outDir ? new RunStore(options.outDir) : null;
  const progress = store && options.resume ? await readResumable(store, target.kind) : null;
  const valid = validatePlan(progress ? resumePlan(progress.plan, requested, store?.dir ?? '') : requested);
  const described = await target.describe(valid.functionName);
  const env = await target.environment();
  // Priced as the function runs unless told otherwise: arm64 GB-seconds cost 20 % less than x86_64 ones.
  const plan = {
    ...valid,
    architecture: valid.architecture ?? described.architecture,
    region: valid.region ?? env.region,
  };
  if (!hasRegionPrices(plan.region)) {
    options.onWarning?.(
      `region "${plan.region}" is not in the price table (src/pricing/prices.ts); costs use the standard us-east-1 rates.`,
    );
  }
  const capLimit = target.maxFullCpuMemoryMB();
  const records: InvocationRecord[] = [];
  const outcomes = new Map<number, Pick<SizeOutcome, 'cpuCapped' | 'failure'>>();
  let skip = new Set<number>();
  const interleaved = plan.order === 'interleaved';
  if (store && progress) {
    skip = new Set(progress.completedSizes);
    // Interleaved sizes are measured a round at a time, so an unfinished size's records count too; a sequential
    // size cut off mid-way is measured again from its start.
    records.push(...(await store.readRecords(interleaved ? new Set(plan.memorySizes) : skip)));
    await store.rewriteRecords(records);
    for (const m of new Set([...skip, ...records.map((r) => r.memoryMB)]))
      outcomes.set(m, {
        cpuCapped: m > capLimit,
        ...(progress.failedSizes[m] ? { failure: progress.failedSizes[m] } : {}),
      });
  } else if (store) {
    await store.start(plan, target.kind);
  }

  const monthly =
    plan.invocationsPerMonth !== undefined
      ? { invocations: plan.invocationsPerMonth, freeTier: plan.freeTier ?? false }
      : undefined;
  /** The result so far; `final` adds the pick's confidence (a bootstrap, too slow to redo after every round). */
  const build = (finishedAt: string, final = false): TuneResult => {
    const configs: ConfigResult[] = plan.memorySizes
      .filter((m) => outcomes.has(m))
      .map((m) => {
        const outcome = outcomes.get(m);
        const own = records.filter((r) => r.memoryMB === m);
        const { done: _done, ...sampling } = samplingStatus(own, plan);
        return buildConfigResult(m, own, {
          ...(plan.precision !== undefined ? { sampling } : {}),
          architecture: plan.architecture,
          region: plan.region,
          cpuCapped: outcome?.cpuCapped ?? false,
          visibleCpus: target.visibleCpus(m),
          ...(monthly ? { monthly } : {}),
          ...(outcome?.failure ? { failure: outcome.failure } : {}),
        });
      });
    const decision = { strategy: plan.strategy, balancedWeight: plan.balancedWeight, tolerance: plan.tolerance ?? 0 };
    const best = chooseBest(configs, decision);
    const measured = configs.filter((c) => c.durationMs && c.costUSD);
    const pricing = { architecture: plan.architecture, region: plan.region };
    const confidence = final ? confidenceOf(configs, records, pricing, decision, plan.seed) : null;
    return {
      function: described.name,
      target: target.kind,
      strategy: plan.strategy,
      balancedWeight: plan.balancedWeight,
      tolerance: decision.tolerance,
      best: best ? { memoryMB: best.memoryMB, durationMs: decisionDuration(best), costUSD: decisionCost(best) } : null,
      recommendation: `${recommendationText(configs, best, decision)}${confidenceText(confidence, best)}`,
      ...(confidence ? { confidence } : {}),
      configs,
      visualization: visualizationUrl(
        measured.map((c) => ({ memoryMB: c.memoryMB, durationMs: decisionDuration(c), costUSD: decisionCost(c) })),
      ),
      environment: {
        ...env,
        architecture: plan.architecture,
        pricingRegion: plan.region,
        runtime: described.runtime,
        ...runtimeVersionOf(records),
        node: process.version,
        cappedMemorySizes: plan.memorySizes.filter((m) => m > capLimit),
        startedAt,
        finishedAt,
      },
      ...(monthly ? { monthly } : {}),
      sampling: samplingOf(plan),
    };
  };

  const onRound = async (round: RoundOutcome) => {
    records.push(...round.records);
    for (const m of new Set(round.records.map((r) => r.memoryMB))) {
      outcomes.set(m, { cpuCapped: round.cpuCapped.has(m) || m > capLimit });
    }
    for (const f of round.finished) outcomes.set(f.memoryMB, { cpuCapped: round.cpuCapped.has(f.memoryMB), ...f });
    await store?.append(round.records);
    for (const f of round.finished) await store?.markDone(f.memoryMB, f.failure);
    await options.onPartialResult?.(build(new Date().toISOString()), records);
  };
  const hooks = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };

  let interrupted = false;
  try {
    if (interleaved) await runInterleaved(target, plan, { ...hooks, skipSizes: skip, earlier: records, onRound });
    else
      await runPlan(target, plan, {
        skipSizes: skip,
        ...hooks,
        onSizeDone: async (outcome) => {
          records.push(...outcome.records);
          const measured = outcome.records.filter((r) => !r.warmup).length;
          const complete = outcome.failure !== undefined || measured >= plan.invocations;
          if (complete || outcome.records.length > 0) outcomes.set(outcome.memoryMB, outcome);
          await store?.append(outcome.records);
          if (complete) await store?.markDone(outcome.memoryMB, outcome.failure);
          await options.onPartialResult?.(build(new Date().toISOString()), records);
        },
      });
    if (plan.autoApply) {
      const best = build(new Date().toISOString()).best;
      if (best) await target.applyMemory(plan.functionName, best.memoryMB);
    }
  } catch (error) {
    if (!(error instanceof LambenchError && error.code === 'INTERRUPTED')) throw error;
    interrupted = true;
  } finally {
    await target.cleanup();
  }
  return { result: build(new Date().toISOString(), true), records, interrupted };
}

/** The pick's bootstrap over the sizes that ran without errors, summed up by their duration and cost alone. */
function confidenceOf(
  configs: ConfigResult[],
  records: InvocationRecord[],
  pricing: Pick<ConfigContext, 'architecture' | 'region'>,
  rule: StrategyOptions,
  seed = 1,
) {
  const bySize = new Map(eligible(configs).map((c) => [c.memoryMB, records.filter((r) => r.memoryMB === c.memoryMB)]));
  const summarise = (m: number, own: InvocationRecord[]) => buildConfigResult(m, own, { ...pricing, cpuCapped: false });
  return pickConfidence(bySize, summarise, rule, { seed });
}

async function readResumable(store: RunStore, kind: Target['kind']): Promise<Progress> {
  const progress = await store.readProgress();
  if (!progress) {
    throw new LambenchError('INVALID_ARGUMENT', `Nothing to resume in ${store.dir}.`, 'Run without --resume first.');
  }
  if (progress.target && progress.target !== kind) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--resume: the run in ${store.dir} was measured on the ${progress.target} target, not ${kind}.`,
      `Resume it with --target ${progress.target}.`,
    );
  }
  return progress;
}

function samplingOf(plan: TunePlan): TuneSampling {
  return {
    order: plan.order ?? 'sequential',
    ...(plan.order === 'interleaved' && plan.seed !== undefined ? { seed: plan.seed } : {}),
    ...(plan.precision !== undefined
      ? { precision: plan.precision, minN: plan.minInvocations ?? 1, maxN: plan.invocations }
      : {}),
  };
}

/** The runtime version the invocations ran on; several (a cache refreshed mid-run) are listed. */
function runtimeVersionOf(records: readonly InvocationRecord[]): { runtimeVersion?: string } {
  const versions = [...new Set(records.flatMap((r) => (r.runtimeVersion ? [r.runtimeVersion] : [])))];
  return versions.length ? { runtimeVersion: versions.join(', ') } : {};
}
