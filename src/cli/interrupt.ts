import { LambenchError } from '../errors.js';

export interface InterruptWatch {
  /** Rejects with INTERRUPTED (exit code 130) on the first SIGINT or SIGTERM; never resolves. */
  interrupted: Promise<never>;
  /** Resolves on the first SIGINT or SIGTERM, for commands that run until interrupted. */
  signalled: Promise<NodeJS.Signals>;
  dispose(): void;
}

/** How long cleanup may take after a signal before the process exits anyway (a build's child can hold it open). */
const FORCE_EXIT_AFTER_MS = 10_000;

/**
 * Replaces Node's default on SIGINT/SIGTERM (exit at once, which leaves runtime processes re-parented and their
 * cgroups behind) with: let the command close its engine and services, then exit 130. A second signal, or cleanup
 * that does not finish in time, exits at once.
 */
export function watchInterrupt(): InterruptWatch {
  let reject: (error: Error) => void = () => {};
  let resolve: (signal: NodeJS.Signals) => void = () => {};
  const interrupted = new Promise<never>((_, r) => {
    reject = r;
  });
  // Whoever does not race on it must not turn it into an unhandled rejection.
  interrupted.catch(() => {});
  const signalled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  const exitNow = () => process.exit(130);
  const onSignal = (signal: NodeJS.Signals) => {
    dispose();
    process.once('SIGINT', exitNow);
    process.once('SIGTERM', exitNow);
    setTimeout(exitNow, FORCE_EXIT_AFTER_MS).unref();
    resolve(signal);
    reject(new LambenchError('INTERRUPTED', `Interrupted (${signal}); stopped the function and the services.`));
  };
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { interrupted, signalled, dispose };
}
