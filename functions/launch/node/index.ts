import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

let invocations = 0;

/**
 * "AWS Lambda Musings - launch times": start the interpreter and run `date` in a subprocess twice. launchMs is
 * process start → first subprocess done (meaningful on a cold start), subsequentMs first → second.
 */
export const handler = async () => {
  invocations++;
  const first = performance.now();
  execFileSync('date', { stdio: 'ignore' });
  const afterFirst = performance.now();
  execFileSync('date', { stdio: 'ignore' });
  const afterSecond = performance.now();
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    coldProcess: invocations === 1,
    launchMs: round(afterFirst),
    firstSubprocessMs: round(afterFirst - first),
    subsequentMs: round(afterSecond - afterFirst),
  };
};
