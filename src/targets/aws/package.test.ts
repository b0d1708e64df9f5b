import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testFunctionVersion } from '../../engine/test-helpers/function-version.js';
import type { Architecture, FunctionVersion } from '../../engine/types.js';
import { packageFunction } from './package.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-package-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const version = (codeDir: string, fields: Partial<FunctionVersion>): FunctionVersion =>
  testFunctionVersion({ name: path.basename(codeDir), codeDir, ...fields });

const host: Architecture | undefined =
  process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : undefined;
const foreign: Architecture = host === 'arm64' ? 'x86_64' : 'arm64';
const foreignTriple = foreign === 'arm64' ? 'aarch64-unknown-linux-gnu' : 'x86_64-unknown-linux-gnu';
const foreignLinker = foreign === 'arm64' ? 'aarch64-linux-gnu-gcc' : 'x86_64-linux-gnu-gcc';

/**
 * A toolchain of fakes, alone on PATH: `cargo` logs its arguments and linker variable and writes a "binary" naming
 * the target it was built for; `rustup target list --installed` prints what the test installed. Nothing is built.
 */
describe.skipIf(!host)('packaging a Rust function for the architecture it declares', () => {
  const saved = { PATH: process.env.PATH, CARGO_HOME: process.env.CARGO_HOME };
  let bin: string;
  let log: string;
  let installed: string;

  const script = (body: string) => `#!${process.execPath}\nconst fs = require('node:fs');\n${body}\n`;
  beforeEach(async () => {
    const dir = await mkdtemp(path.join(work, 'toolchain-'));
    bin = path.join(dir, 'bin');
    log = path.join(dir, 'cargo.log');
    installed = path.join(dir, 'installed');
    await mkdir(bin);
    await writeFile(
      path.join(bin, 'cargo'),
      script(`
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('cargo 1.0.0 (fake)'); process.exit(0); }
const triple = args.includes('--target') ? args[args.indexOf('--target') + 1] : '';
const pkg = args[args.indexOf('-p') + 1];
const linker = Object.entries(process.env).find(([k]) => /^CARGO_TARGET_.*_LINKER$/.test(k));
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, linker: linker ? linker[1] : null }) + '\\n');
const out = require('node:path').join(process.env.CARGO_TARGET_DIR, triple, 'release');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(out + '/' + pkg, 'built for ' + (triple || 'the host'), { mode: 0o755 });`),
    );
    await writeFile(
      path.join(bin, 'rustup'),
      script(`process.stdout.write(fs.readFileSync(${JSON.stringify(installed)}, 'utf8'));`),
    );
    await chmod(path.join(bin, 'cargo'), 0o755);
    await chmod(path.join(bin, 'rustup'), 0o755);
    await writeFile(installed, `${host === 'arm64' ? 'aarch64' : 'x86_64'}-unknown-linux-gnu\n`);
    process.env.PATH = bin;
    process.env.CARGO_HOME = path.join(dir, 'cargo-home');
    return () => {
      process.env.PATH = saved.PATH;
      if (saved.CARGO_HOME === undefined) delete process.env.CARGO_HOME;
      else process.env.CARGO_HOME = saved.CARGO_HOME;
    };
  });

  const crate = async () => {
    const dir = await mkdtemp(path.join(work, 'crate-'));
    await writeFile(path.join(dir, 'Cargo.toml'), '[package]\nname = "fake-fn"\nversion = "0.1.0"\n');
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'main.rs'), `fn main() {} // ${dir}\n`);
    return version(dir, { runtime: 'provided.al2023', handler: 'bootstrap', architecture: foreign });
  };
  const builds = async () =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { args: string[]; linker: string | null });

  it('refuses, naming what to install, when the Rust target is not installed', async () => {
    await expect(packageFunction(await crate(), path.join(work, 'cache'))).rejects.toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      message: expect.stringContaining(`the Rust target ${foreignTriple} is not installed`),
      hint: expect.stringContaining(`rustup target add ${foreignTriple}`),
    });
    expect(await builds()).toEqual([]);
  });

  it('refuses, naming the linker, when the target is installed but no linker for it is', async () => {
    await writeFile(installed, `${foreignTriple}\n`);
    await expect(packageFunction(await crate(), path.join(work, 'cache'))).rejects.toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      message: expect.stringContaining(`no linker for ${foreignTriple} was found (${foreignLinker})`),
    });
  });

  it('builds with --target and the cross linker when both are installed', async () => {
    await writeFile(installed, `${foreignTriple}\n`);
    await writeFile(path.join(bin, foreignLinker), '', { mode: 0o755 });
    const zip = unzipSync(await packageFunction(await crate(), path.join(work, 'cache')));
    expect(Object.keys(zip)).toEqual(['bootstrap']);
    expect(Buffer.from(zip.bootstrap ?? []).toString()).toBe(`built for ${foreignTriple}`);
    const [build] = await builds();
    expect(build?.args).toEqual(expect.arrayContaining(['--target', foreignTriple]));
    expect(build?.linker).toBe(foreignLinker);
  });

  it('refuses a prebuilt bootstrap of the other architecture (ELF header)', async () => {
    const dir = await mkdtemp(path.join(work, 'prebuilt-'));
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf.writeUInt16LE(foreign === 'arm64' ? 62 : 183, 18);
    await writeFile(path.join(dir, 'bootstrap'), elf, { mode: 0o755 });
    const fn = version(dir, { runtime: 'provided.al2023', handler: 'bootstrap', architecture: foreign });
    await expect(packageFunction(fn, path.join(work, 'cache'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(
        `bootstrap is an ${host} executable, but the function's architecture is ${foreign}`,
      ),
    });
  });
});

describe('packaged zips carry unix modes as made on Unix', () => {
  it("marks entries as made on Unix, so every unzip (Lambda's too) keeps bootstrap executable", async () => {
    const dir = await mkdtemp(path.join(work, 'modes-'));
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf.writeUInt16LE(host === 'arm64' ? 183 : 62, 18);
    await writeFile(path.join(dir, 'bootstrap'), elf, { mode: 0o755 });
    const zip = Buffer.from(
      await packageFunction(
        version(dir, { runtime: 'provided.al2023', handler: 'bootstrap', architecture: host ?? 'x86_64' }),
        path.join(work, 'cache'),
      ),
    );
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt8(central + 5)).toBe(3);
    expect(zip.readUInt32LE(central + 38) >>> 16).toBe(0o100755);
  });
});

describe('packaging a Node function bundles its handler, JavaScript as TypeScript', () => {
  /** A function folder whose handler needs `dep` from its own node_modules. */
  const folder = async (files: Record<string, string>) => {
    const dir = await mkdtemp(path.join(work, 'node-'));
    const all = {
      'node_modules/dep/package.json': '{"name":"dep","main":"main.js"}',
      'node_modules/dep/main.js': 'module.exports = { answer: 42 };',
      'function.json': '{}',
      ...files,
    };
    for (const [name, text] of Object.entries(all)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    return dir;
  };
  /** Unzips the package into a folder of its own and calls the handler as AWS's runtime would import it. */
  const run = async (zip: Uint8Array, module: string, exported = 'handler') => {
    const out = await mkdtemp(path.join(work, 'unzipped-'));
    for (const [name, data] of Object.entries(unzipSync(zip))) {
      await mkdir(path.dirname(path.join(out, name)), { recursive: true });
      await writeFile(path.join(out, name), data);
    }
    const loaded = (await import(pathToFileURL(path.join(out, module)).href)) as Record<string, unknown>;
    return (loaded[exported] as (event: unknown) => Promise<unknown>)({ echo: 'x' });
  };

  it('a CommonJS handler: one file carrying its dependency, exporting the handler by name', async () => {
    const dir = await folder({
      'index.js':
        "const dep = require('dep');\nexports.handler = async (event) => ({ answer: dep.answer, echo: event.echo });",
    });
    const zip = await packageFunction(version(dir, {}), path.join(work, 'cache'));
    expect(Object.keys(unzipSync(zip))).toEqual(['index.mjs']);
    expect(await run(zip, 'index.mjs')).toEqual({ answer: 42, echo: 'x' });
  });

  it('an ES module handler in a subfolder with another export name', async () => {
    const dir = await folder({
      'src/app.mjs':
        "import dep from 'dep';\nexport const main = async (event) => ({ answer: dep.answer, echo: event.echo });",
    });
    const zip = await packageFunction(version(dir, { handler: 'src/app.main' }), path.join(work, 'cache'));
    expect(Object.keys(unzipSync(zip))).toEqual(['src/app.mjs']);
    expect(await run(zip, 'src/app.mjs', 'main')).toEqual({ answer: 42, echo: 'x' });
  });
});

describe('packaging refuses what Lambda would refuse, saying what to move', () => {
  it('a zip over 50 MB: its size, its largest entries, a layer or a container image', async () => {
    const dir = await mkdtemp(path.join(work, 'large-'));
    await writeFile(path.join(dir, 'app.py'), 'def handler(e, c):\n    return 1\n');
    await mkdir(path.join(dir, 'model'));
    // Random bytes do not compress: 52 MB in, over 50 MB out.
    await writeFile(path.join(dir, 'model', 'weights.bin'), randomBytes(52 * 2 ** 20));
    const fn = version(dir, { runtime: 'python3.12', handler: 'app.handler' });
    await expect(packageFunction(fn, path.join(work, 'cache'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(
        /zips to 52\.\d MB; direct upload allows 50 MB \(largest unzipped: model 52\.0 MB/,
      ),
      hint: expect.stringMatching(/Lambda layer.*container image/),
    });
  }, 60_000);
});
