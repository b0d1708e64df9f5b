import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefaults } from './flags.js';
import { findConfigFile, type LoadedConfig, loadConfigFile } from './load.js';
import { resolvedConfig } from './resolve.js';

const options = {
  memory: { type: 'string' },
  n: { type: 'string', short: 'n' },
  payload: { type: 'string' },
  'balanced-weight': { type: 'string' },
  'cold-only': { type: 'boolean' },
  'parameter-overrides': { type: 'string', multiple: true },
  isolation: { type: 'string' },
} as const;

const loaded = (config: Record<string, unknown>): LoadedConfig => ({ file: '/p/lambench.config.json', config });

describe('config file → flag defaults', () => {
  it('turns values into what the flags take; the section wins over shared keys', () => {
    const got = commandDefaults(
      loaded({
        memory: [128, 512],
        payload: { a: 1 },
        isolation: 'none',
        parameterOverrides: { Stage: 'prod' },
        function: 'shared-fn',
        tune: { n: 20, balancedWeight: 0.3, 'cold-only': true, isolation: 'cgroup-v2' },
      }),
      'tune',
      options,
    );
    expect(got).toEqual({
      defaults: {
        memory: '128,512',
        payload: '{"a":1}',
        isolation: 'cgroup-v2',
        'parameter-overrides': ['Stage=prod'],
        n: '20',
        'balanced-weight': '0.3',
        'cold-only': true,
      },
      positional: 'shared-fn',
    });
  });

  it('gives shared keys only to commands with the flag, and `function` only to commands that run one', () => {
    const config = loaded({ memory: [128, 256], function: 'f', strategy: 'speed', serve: { port: 3001 } });
    expect(commandDefaults(config, 'serve', { port: { type: 'string' } })).toEqual({ defaults: { port: '3001' } });
    // invoke's --memory is one size: a shared list is not its.
    expect(commandDefaults(config, 'invoke', { memory: { type: 'string' } })).toEqual({
      defaults: {},
      positional: 'f',
    });
  });

  it('names the file and the key of a mistake', () => {
    expect(() => commandDefaults(loaded({ tune: { precison: '5%' } }), 'tune', options)).toThrow(
      /lambench\.config\.json: tune\.precison: lambench tune has no --precison flag/,
    );
    expect(() => commandDefaults(loaded({ memroy: [128] }), 'tune', options)).toThrow(
      /"memroy" is neither a shared key/,
    );
    expect(() => commandDefaults(loaded({ tune: { 'cold-only': 'yes' } }), 'tune', options)).toThrow(
      /tune\.cold-only is a switch: give true or false/,
    );
  });

  it('lambench config shows each command its shared keys and section', () => {
    const resolved = resolvedConfig(loaded({ memory: [128], function: 'f', check: { threshold: '5%' } }));
    expect(resolved.commands.check).toEqual({ memory: [128], function: 'f', threshold: '5%' });
    expect(resolved.commands.invoke).toEqual({ function: 'f' });
    expect(resolvedConfig(loaded({ memory: [128], function: 'f' }), 'serve').commands).toEqual({
      serve: { memory: [128] },
    });
  });
});

describe('config files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads .ts (with types and imports), .mjs and .json, .ts first', async () => {
    await writeFile(path.join(dir, 'sizes.ts'), 'export const sizes: number[] = [128, 1024];\n');
    await writeFile(
      path.join(dir, 'lambench.config.ts'),
      "import { defineConfig } from 'lambench';\nimport { sizes } from './sizes';\nexport default defineConfig({ memory: sizes, tune: { n: 3 } });\n",
    );
    await writeFile(path.join(dir, 'lambench.config.json'), '{"memory": [256]}');
    expect(findConfigFile(dir)).toBe(path.join(dir, 'lambench.config.ts'));
    expect((await loadConfigFile(path.join(dir, 'lambench.config.ts'))).config).toEqual({
      memory: [128, 1024],
      tune: { n: 3 },
    });
    await writeFile(path.join(dir, 'other.mjs'), 'export default () => ({ strategy: "speed" });\n');
    expect((await loadConfigFile(path.join(dir, 'other.mjs'))).config).toEqual({ strategy: 'speed' });
    expect((await loadConfigFile(path.join(dir, 'lambench.config.json'))).config).toEqual({ memory: [256] });
    await writeFile(path.join(dir, 'bad.json'), '[1]');
    await expect(loadConfigFile(path.join(dir, 'bad.json'))).rejects.toThrow(/must export an object/);
  });
});
