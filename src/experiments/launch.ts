import { categoryChart } from '../report/chart-spec.js';
import type { ClaimCheck, Experiment } from './types.js';

const PUBLISHED: Record<string, [number, number]> = {
  node: [38.5, 1.08],
  python: [13.5, 1.14],
  'compiled python': [7.7, 0.86],
};

const med = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};

/** "AWS Lambda Musings - launch times" (Karl Roberts, 2017): interpreter start → first subprocess, first → second. */
export const launchExperiment: Experiment = {
  name: 'launch',
  title: 'Launch times: interpreter start and subprocesses',
  source: 'Karl Roberts, "AWS Lambda Musings - launch times" (2017, one laptop run)',
  async run(ctx) {
    const claims: ClaimCheck[] = [];
    const notes: string[] = [];
    const measured: Array<{ language: string; launch: number; subsequent: number; init: number }> = [];
    const runs = ctx.quick ? 3 : 10;
    for (const [language, functionName] of [
      ['node', 'launch-node'],
      ['python', 'launch-python'],
      ['rust', 'launch-rust'],
    ] as const) {
      if (!ctx.has(functionName)) {
        notes.push(`${functionName} is not available on this host (its runtime or toolchain is missing).`);
        continue;
      }
      const launch: number[] = [];
      const subsequent: number[] = [];
      const init: number[] = [];
      for (let i = 0; i < runs; i++) {
        const result = await ctx.invoke(functionName, {}, { memoryMB: 1769, cold: true });
        const body = JSON.parse(result.payload) as { launchMs: number; subsequentMs: number };
        launch.push(body.launchMs);
        subsequent.push(body.subsequentMs);
        init.push(result.report.initDurationMs ?? Number.NaN);
      }
      measured.push({ language, launch: med(launch), subsequent: med(subsequent), init: med(init) });
      const [pubLaunch, pubSubsequent] = PUBLISHED[language] ?? [Number.NaN, Number.NaN];
      const native = language === 'rust';
      claims.push({
        claim: native
          ? 'rust: a native binary launches in about the time of a subprocess (no interpreter to start)'
          : `${language}: launching the interpreter costs far more than a later subprocess`,
        published: Number.isNaN(pubLaunch)
          ? 'not in the original'
          : `${pubLaunch} ms launch, ${pubSubsequent} ms subsequent`,
        measured: `${med(launch).toFixed(1)} ms launch, ${med(subsequent).toFixed(2)} ms subsequent (Init Duration ${med(init).toFixed(1)} ms), median of ${runs} cold starts at 1769 MB`,
        verdict: (native ? med(launch) < 5 * med(subsequent) : med(launch) > 5 * med(subsequent))
          ? 'reproduced'
          : 'not reproduced',
        why: native
          ? 'launchMs is measured from main(); a binary reaches main within a fraction of a millisecond of exec.'
          : 'The first `date` pays for the interpreter having started; the second only for fork + exec.',
      });
    }
    const chart = categoryChart(
      {
        id: 'launch-chart',
        title: 'Launch and subprocess times, median of the cold starts at 1769 MB',
        x: { title: 'runtime', categories: measured.map((m) => m.language) },
        y: { title: 'ms' },
        empty: 'No runtime available here.',
      },
      [
        { label: 'launch (interpreter start → first subprocess)', values: measured.map((m) => m.launch) },
        { label: 'subsequent subprocess', values: measured.map((m) => m.subsequent) },
        { label: 'Init Duration', values: measured.map((m) => m.init) },
      ],
    );
    return { results: [], claims, notes, charts: [chart] };
  },
};
