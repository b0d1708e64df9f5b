import { fileURLToPath } from 'node:url';

/** The package root, whether running from `src/` (tests) or `dist/` (the built CLI). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Built-in workloads: functions/<workload>/<language>/function.json */
export const builtInFunctionsDir = fileURLToPath(new URL('../functions', import.meta.url));
