import { spawn } from 'node:child_process';
import { type Dirent, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate, csvChunks } from '../src/experiments/csv-etl/dataset.js';
import { decodeCompareVisualizationUrl, decodeVisualizationUrl } from '../src/report/visualization.js';
import { startDynamoDb } from '../src/services/dynamodb/index.js';
import { startS3Server } from '../src/services/s3/index.js';
import { chooseBest } from '../src/tuner/strategy.js';
import type { TuneResult } from '../src/tuner/types.js';
import { lambenchBin, runLambench } from './helpers/cli.js';

let cwd: string;

const lambench = (args: string[], env: Record<string, string> = {}) => runLambench(args, cwd, env);

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-cli-'));
  await writeFile(path.join(cwd, 'infinite-weight.json'), '[{"payload": {}, "weight": 1e999}, {"payload": {}}]');
  // One byte over AWS's 6 MB Invoke limit (6,291,456 bytes), as valid JSON.
  await writeFile(path.join(cwd, 'big-payload.json'), JSON.stringify({ data: 'x'.repeat(6_291_456 - 10) }));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('lambench CLI', () => {
  it('invoke --json prints the documented object', async () => {
    const { code, stdout } = await lambench([
      'invoke',
      'hello-node',
      '--memory',
      '256',
      '--payload',
      '{"echo":"hi"}',
      '--json',
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({
      function: 'hello-node',
      memoryMB: 256,
      cold: true,
      functionError: null,
      errorType: null,
    });
    expect(out.payload.echo).toBe('hi');
    // hello-node is nodejs20.x: it runs on Node.js 20 whatever node runs lambench, and says which.
    expect(out.runtime).toBe('nodejs20.x');
    expect(out.runtimeVersion).toMatch(/^v20\.\d+\.\d+$/);
    expect(Object.keys(out.report).sort()).toEqual([
      'billedDurationMs',
      'durationMs',
      'initDurationMs',
      'maxMemoryUsedMB',
      'memorySizeMB',
    ]);
    expect(['cgroup-v1', 'cgroup-v2', 'none']).toContain(out.isolation);
    expect(typeof out.cpuCapped).toBe('boolean');
  });

  it.each([
    [['invoke', 'no-such-fn'], /Unknown function "no-such-fn"/],
    [['invoke', 'hello-node', '--memory', '64'], /MemorySize 64 is not valid/],
    [['invoke', 'hello-node', '--payload', '{oops'], /not valid JSON/],
    [['invoke', 'hello-node', '--payload', '@/nope/event.json'], /Cannot read payload file/],
    [['tune', 'cpu-node', '--memory', '128,99999'], /"99999" is not valid/],
    [['tune', 'cpu-node', '-n', '0'], /-n must be/],
    [['tune', 'cpu-node', '--strategy', 'fastest'], /Unknown strategy/],
    [['tune', 'hello-node', '--payloads-file', 'infinite-weight.json'], /weight Infinity; weights must be finite/],
    [['tune', 'hello-node', '--free-tier'], /--free-tier .* --per-month/],
    [
      ['tune', 'hello-node', '--payload', '@big-payload.json'],
      /RequestEntityTooLargeException: Request must be smaller than 6291456 bytes/,
    ],
    [['tune', 'hello-node', '--memory', ''], /--memory "" is not a list of sizes/],
    [['tune', 'hello-node', '--memory', '0x80'], /Memory size "0x80" is not valid/],
    [['tune', 'hello-node', '--memory', '128,1e3'], /Memory size "1e3" is not valid/],
    [['tune', 'hello-node', '-n', 'abc'], /error: -n must be an integer, got "abc"/],
    [['tune', 'hello-node', '--warmup', ''], /--warmup must be an integer, got ""/],
    [
      ['tune', 'hello-node', '--payload', '{}', '--payloads-file', 'infinite-weight.json'],
      /--payload and --payloads-file/,
    ],
    [['frobnicate'], /unknown command/],
  ])('rejects %j with exit code 2 and a clear message', async (args, message) => {
    const { code, stderr } = await lambench(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('tune --json: durations fall with memory, best follows the strategy, the URL decodes to the same data', async () => {
    const out = path.join(cwd, 'run');
    const { code, stdout } = await lambench([
      'tune',
      'cpu-node',
      '--memory',
      '128,512,1769',
      '-n',
      '3',
      '--payload',
      '{"iterations":20000000}',
      '--strategy',
      'speed',
      '--json',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as TuneResult;
    const p50 = result.configs.map((c) => c.durationMs?.p50 ?? 0);
    if (result.environment.isolation !== 'none') {
      expect(p50[0]).toBeGreaterThan(p50[1] ?? 0);
      expect(p50[1]).toBeGreaterThan(p50[2] ?? 0);
    }
    // The CLI's default tolerance (5 %) is recorded and is the rule the best size follows.
    expect(result.tolerance).toBe(0.05);
    expect(result.best?.memoryMB).toBe(chooseBest(result.configs, { strategy: 'speed', tolerance: 0.05 })?.memoryMB);
    // How sure the pick is: bootstrap resamples of the invocations, every share counted once.
    expect(result.confidence?.replicates).toBe(200);
    expect(result.confidence?.picks.reduce((sum, p) => sum + p.share, 0)).toBeCloseTo(1, 10);
    expect(result.recommendation).toMatch(/Picked in \d+ % of 200 resamples of the invocations/);
    expect(result.environment).toMatchObject({
      runtime: 'nodejs20.x',
      runtimeVersion: expect.stringMatching(/^v20\./),
    });
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toMatch(
      /Runtime nodejs20\.x \(ran on v20\.\d+\.\d+\)\./,
    );
    expect(decodeVisualizationUrl(result.visualization).map((v) => v.memoryMB)).toEqual([128, 512, 1769]);
    for (const file of ['result.json', 'invocations.jsonl', 'report.html', 'summary.md', 'results.csv']) {
      expect((await readFile(path.join(out, file), 'utf8')).length).toBeGreaterThan(10);
    }
    const compared = await lambench(['compare', out, path.join(out, 'result.json'), '--out', path.join(cwd, 'c.html')]);
    expect(compared.code).toBe(0);
    expect(await readFile(path.join(cwd, 'c.html'), 'utf8')).toContain('lambench comparison');
  });

  it('tune --resume continues with the saved plan and refuses options that contradict it', async () => {
    const out = path.join(cwd, 'resume');
    const first = await lambench([
      'tune',
      'hello-node',
      '--memory',
      '128,256',
      '-n',
      '2',
      '--warmup',
      '0',
      '--out',
      out,
    ]);
    expect(first.code).toBe(0);
    const conflict = await lambench(['tune', 'hello-node', '--resume', '--out', out, '-n', '3', '--memory', '512']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/--memory 512 \(saved: 128,256\); -n 3 \(saved: 2\)/);
    const resumed = await lambench(['tune', 'hello-node', '--resume', '--out', out, '-n', '2', '--json']);
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout) as TuneResult;
    expect(result.configs.map((c) => [c.memoryMB, c.invocations])).toEqual([
      [128, 2],
      [256, 2],
    ]);
  });

  it('tune warns once about a region without prices and records the pricing region', async () => {
    const out = path.join(cwd, 'mars');
    const args = ['tune', 'hello-node', '--memory', '128,256', '-n', '1', '--warmup', '0', '--json', '--out', out];
    const { code, stdout, stderr } = await lambench([...args, '--region', 'mars-north-1']);
    expect(code).toBe(0);
    expect(stderr.match(/warning: region "mars-north-1" is not in the price table/g)).toHaveLength(1);
    const result = JSON.parse(stdout) as TuneResult;
    expect(result.environment.pricingRegion).toBe('mars-north-1');
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toContain('mars-north-1 (not in the price table');
  });

  it('tune --per-month N --free-tier adds a monthly bill to every size, in JSON, Markdown, CSV and HTML', async () => {
    const out = path.join(cwd, 'monthly');
    const args = ['tune', 'hello-node', '--memory', '128,256', '-n', '2', '--warmup', '0', '--json', '--out', out];
    const { code, stdout } = await lambench([...args, '--per-month', '5000000', '--free-tier']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as TuneResult;
    expect(result.monthly).toEqual({ invocations: 5_000_000, freeTier: true });
    for (const c of result.configs) expect(c.costUSD?.perMonth).toBeGreaterThan(0);
    const heading = 'cost / month (5,000,000 invocations, free tier)';
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toContain(heading);
    expect(await readFile(path.join(out, 'report.html'), 'utf8')).toContain(heading);
    expect(await readFile(path.join(out, 'results.csv'), 'utf8')).toContain('costPerMonthUSD');
  });

  it('tune exits 1 when no memory size ran without errors, with the reports written', async () => {
    const out = path.join(cwd, 'all-failed');
    const args = ['tune', 'hello-node', '--memory', '128,256', '-n', '1', '--warmup', '0', '--out', out];
    const { code, stderr } = await lambench([...args, '--payload', '{"sleepMs":-1}']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no memory size ran without errors \(128 MB: RangeError; 256 MB: RangeError\)/);
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toContain('RangeError');
  });

  it("compare of two runs gives PowerTuning's two-function URL, in the output and the HTML", async () => {
    const a = path.join(cwd, 'compare', 'a');
    const b = path.join(cwd, 'compare', 'b');
    const run = (out: string, memory: string) =>
      lambench(['tune', 'hello-node', '--memory', memory, '-n', '1', '--warmup', '0', '--json', '--out', out]);
    expect((await run(a, '128,256')).code).toBe(0);
    expect((await run(b, '128,512')).code).toBe(0);
    const html = path.join(cwd, 'compare', 'c.html');
    const { code, stdout } = await lambench(['compare', a, b, '--json', '--out', html]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { visualization: string };
    const [first, second] = decodeCompareVisualizationUrl(out.visualization);
    expect(first.points.map((p) => p.memoryMB)).toEqual([128, 256]);
    expect(second.points.map((p) => p.memoryMB)).toEqual([128, 512]);
    const own = JSON.parse(await readFile(path.join(b, 'result.json'), 'utf8')) as TuneResult;
    expect(second.points).toEqual(decodeVisualizationUrl(own.visualization));
    expect(await readFile(html, 'utf8')).toContain(`href="${out.visualization}"`);
    expect([first.legend, second.legend]).toEqual(['hello-node (a)', 'hello-node (b)']);
    const text = await lambench(['compare', a, b, '--out', html]);
    expect(text.stdout).toContain(`PowerTuning comparison: ${out.visualization}`);
    // One table: memory as rows (union of both runs), each run's p50 and cost / 1M as columns.
    const table = text.stdout.split('\n').filter((line) => line.startsWith('|'));
    expect(table[0]).toBe(
      '| memory (MB) | hello-node (a) p50 ms | hello-node (a) cost / 1M | hello-node (b) p50 ms | hello-node (b) cost / 1M |',
    );
    expect(table.slice(2).map((row) => row.split(' | ')[0])).toEqual(['| 128', '| 256', '| 512']);
    expect(await readFile(html, 'utf8')).toContain('id="compare-table"');
    const three = await lambench(['compare', a, b, a, '--json', '--out', html]);
    expect(JSON.parse(three.stdout).visualization).toBeUndefined();
  });

  it('invoke --json of a nodejs22.x / nodejs24.x function names the Node.js it ran on', async () => {
    for (const major of [22, 24]) {
      const dir = path.join(cwd, `node${major}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'index.mjs'), 'export const handler = async () => process.version;');
      const manifest = { name: `node${major}`, runtime: `nodejs${major}.x`, handler: 'index.handler' };
      await writeFile(path.join(dir, 'function.json'), JSON.stringify(manifest));
      // The first run downloads that Node.js from the npm registry (about 50 MB).
      const { code, stdout, stderr } = await lambench(['invoke', dir, '--json']);
      expect(code, stderr).toBe(0);
      const out = JSON.parse(stdout);
      expect(out.payload).toMatch(new RegExp(`^v${major}\\.\\d+\\.\\d+$`));
      expect(out).toMatchObject({ runtime: `nodejs${major}.x`, runtimeVersion: out.payload });
    }
  }, 600_000);

  it('doctor names the isolation and the runtimes', async () => {
    const { code, stdout } = await lambench(['doctor', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(['cgroup-v1', 'cgroup-v2', 'none']).toContain(report.isolation.kind);
    expect(report.runtimes.map((r: { family: string }) => r.family)).toContain('nodejs');
    type Binary = { runtime: string; path: string; version?: string; source: string };
    const nodejs = report.runtimes.find((r: { family: string }) => r.family === 'nodejs').runtimes as Binary[];
    expect(nodejs.map((b) => b.runtime)).toEqual(['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x']);
    for (const binary of nodejs) {
      // Either on disk with its version, or to be downloaded into the cache on first use.
      if (binary.source === 'download on first use') expect(binary.version).toBeUndefined();
      else expect(binary.version).toMatch(new RegExp(`^v${binary.runtime.slice(6, 8)}\\.`));
    }
    const text = await lambench(['doctor']);
    expect(text.stdout).toMatch(
      /^ {4}nodejs22\.x +(v22\.\d+\.\d+ \((host|cache): \S+\/node\)|\(download on first use: )/m,
    );
  });

  it("says what to install when a workload's toolchain is missing", async () => {
    const noCargo = await lambench(['invoke', 'hello-rust', '--json'], { PATH: '/usr/bin:/bin' });
    expect(noCargo.code).toBe(1);
    expect(noCargo.stderr).toMatch(/cargo was not found/);
    expect(noCargo.stderr).toMatch(/hint: Install Rust/);
    const noPython = await lambench(['invoke', 'hello-python', '--json'], { LAMBENCH_PYTHON: '/nonexistent/python3' });
    expect(noPython.code).toBe(1);
    expect(noPython.stderr).toMatch(/needs Python .* which was not found/);
    expect(noPython.stderr).toMatch(/hint: Install Python/);
  });
});

describe('lambench invoke with S3 and DynamoDB', () => {
  // 1,000 seeded rows do not reach all 400 (hospital, diagnosis) groups: the reference aggregation says how many.
  const groups = aggregate([...csvChunks(1000)].join('')).groups.length;

  it('starts the embedded services, so `data csv-etl` feeds csv-etl-node', async () => {
    const data = await lambench(['data', 'csv-etl', '--rows', '1000']);
    expect(data.code, data.stderr).toBe(0);
    const { code, stdout, stderr } = await lambench([
      'invoke',
      'csv-etl-node',
      '--json',
      '--payload',
      '{"bucket":"lambench-data","key":"csv-etl/1000.csv"}',
    ]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.errorType, JSON.stringify(out.payload)).toBeNull();
    expect(out.payload).toMatchObject({ rows: 1000, skippedRows: 0, itemsWritten: groups });
  });

  it('uses any S3 / DynamoDB endpoint instead of the embedded ones (flags or LAMBENCH_*_ENDPOINT)', async () => {
    // A second S3 and DynamoDB on ephemeral ports stand in for moto, MinIO or real AWS.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-ext-'));
    const s3 = await startS3Server({ dataDir: path.join(dir, 's3') });
    const dynamo = await startDynamoDb();
    const ddb = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    try {
      const key = 'external/1000.csv';
      const data = await lambench(['data', 'csv-etl', '--rows', '1000', '--key', key], {
        LAMBENCH_S3_ENDPOINT: s3.endpoint,
      });
      expect(data.code, data.stderr).toBe(0);
      const payload = JSON.stringify({ bucket: 'lambench-data', key });
      // The object is only in the external S3: the embedded one (this cwd's data dir) has no such key.
      const embedded = await lambench(['invoke', 'csv-etl-node', '--json', '--payload', payload]);
      expect(JSON.parse(embedded.stdout).errorType).toBe('NoSuchKey');
      const viaFlags = await lambench([
        'invoke',
        'csv-etl-node',
        '--json',
        '--payload',
        payload,
        '--s3-endpoint',
        s3.endpoint,
        '--dynamodb-endpoint',
        dynamo.endpoint,
      ]);
      expect(viaFlags.code, viaFlags.stderr).toBe(0);
      const out = JSON.parse(viaFlags.stdout).payload;
      expect(out).toMatchObject({ rows: 1000, itemsWritten: groups });
      const items = await ddb.send(
        new QueryCommand({
          TableName: out.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: out.pk } },
          Select: 'COUNT',
        }),
      );
      expect(items.Count).toBe(groups);
      const viaEnv = await lambench(['invoke', 'csv-etl-node', '--json', '--payload', payload], {
        LAMBENCH_S3_ENDPOINT: s3.endpoint,
        LAMBENCH_DYNAMODB_ENDPOINT: dynamo.endpoint,
      });
      expect(JSON.parse(viaEnv.stdout).payload).toMatchObject({ rows: 1000, itemsWritten: groups });
      const bad = await lambench(['invoke', 'hello-node', '--s3-endpoint', 'not a url']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--s3-endpoint .* must be an http\(s\) URL/);
    } finally {
      ddb.destroy();
      await s3.close();
      await dynamo.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('interruption', () => {
  /** Processes whose parent is `pid` and whose environment names the function (the runtime, not esbuild's service). */
  async function runtimeChildren(pid: number, functionName: string): Promise<number[]> {
    const found: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== pid) continue;
        const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
        if (environ.split('\0').includes(`AWS_LAMBDA_FUNCTION_NAME=${functionName}`)) found.push(Number(entry));
      } catch {
        // Gone meanwhile.
      }
    }
    return found;
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      // A zombie still answers kill(0); it no longer runs.
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };

  /** Sandbox folders of an engine are named lambench-<pid> beneath the engine's own cgroup, in any hierarchy. */
  async function cgroupFoldersOf(pid: number): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > 4) return;
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const full = path.join(dir, e.name);
        if (e.name === `lambench-${pid}`) found.push(full);
        else await walk(full, depth + 1);
      }
    };
    if (existsSync('/sys/fs/cgroup')) await walk('/sys/fs/cgroup', 0);
    return found;
  }

  it('invoke: Ctrl-C stops the runtime process, removes its cgroup and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [lambenchBin, 'invoke', 'hello-node', '--payload', '{"sleepMs":60000}', '--json'],
      { cwd },
    );
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const pid = child.pid as number;
    let runtimes: number[] = [];
    for (let i = 0; i < 300 && runtimes.length === 0; i++) {
      await sleep(100);
      runtimes = await runtimeChildren(pid, 'hello-node');
    }
    expect(runtimes, stderr).toHaveLength(1);
    const runtime = runtimes[0] as number;
    // Give the invocation time to be handed over (the handler is sleeping when the signal arrives).
    await sleep(500);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/Interrupted/);
    expect(alive(runtime)).toBe(false);
    expect(await cgroupFoldersOf(pid)).toEqual([]);
  });

  it('serve: reports external endpoints and exits 130 on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [
        lambenchBin,
        'serve',
        '--json',
        '--quiet',
        '--s3-endpoint',
        'http://127.0.0.1:9/',
        '--dynamodb-endpoint',
        'http://127.0.0.1:10',
      ],
      { cwd },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('close', () => reject(new Error('serve exited before printing its endpoints')));
    });
    expect(JSON.parse(line)).toMatchObject({ s3: 'http://127.0.0.1:9', dynamodb: 'http://127.0.0.1:10' });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
  });
});
