// Runs the benchmarks one after another, each in its own process (a fresh engine and event loop, so one cannot skew
// the next).   npm run bench [-- <name>...] [--quick] [--rows N]
// Names pick benchmarks (default: all); every other argument is passed to each benchmark, which ignores what it
// does not know.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['engine-overhead', 'tuner-overhead', 'csv-etl', 'private-tmp', 'streaming', 'soak'];

const args = process.argv.slice(2);
const names = args.filter((a) => BENCHMARKS.includes(a));
const passOn = args.filter((a) => !BENCHMARKS.includes(a));
const unknown = passOn.find((a, i) => !a.startsWith('--') && !passOn[i - 1]?.startsWith('--'));
if (unknown) {
  console.error(`Unknown benchmark "${unknown}". Choose from: ${BENCHMARKS.join(', ')}.`);
  process.exit(2);
}

let failed = 0;
for (const name of names.length > 0 ? names : BENCHMARKS) {
  const file = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  console.log(`\n=== ${name} ===`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...passOn], { stdio: 'inherit' });
    child.on('exit', (exitCode, signal) => resolve(signal ? 1 : (exitCode ?? 1)));
  });
  if (code !== 0) {
    console.error(`${name} failed (exit ${code}).`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
