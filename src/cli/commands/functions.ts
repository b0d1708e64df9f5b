import { createLocalEngine } from '../../engine/index.js';
import { parse } from '../args.js';

export async function functionsCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean', default: false } }, 'lambench functions [--json]');
  const engine = await createLocalEngine({ isolation: 'none' });
  try {
    const list = engine.functions
      .list()
      .map((f) => ({
        name: f.name,
        runtime: f.runtime,
        memorySize: f.memorySize,
        timeout: f.timeout,
        codeDir: f.codeDir,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (values.json) process.stdout.write(`${JSON.stringify(list)}\n`);
    else
      for (const f of list)
        process.stdout.write(`${f.name.padEnd(28)} ${f.runtime.padEnd(16)} ${f.memorySize} MB  ${f.codeDir}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
