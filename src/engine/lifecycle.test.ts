import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { endLine, tailBase64 } from './logs.js';
import { patientSeconds } from './test-helpers/slowdown.js';

/**
 * The execution environment's lifecycle under faults (issue 12): output without bound, runtimes that die after
 * answering, environments that cannot start, and Runtime API calls out of order.
 */
let engine: Engine;
let workDir: string;

async function nodeFunction(name: string, source: string, extra: Record<string, unknown> = {}): Promise<void> {
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.mjs'), source);
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name, runtime: 'nodejs20.x', handler: 'index.handler', timeout: patientSeconds(10), ...extra }),
  );
  await engine.functions.registerFolder(dir);
}

/** A provided.al2023 function whose bootstrap is a Node script speaking the Runtime API as `body` says. */
async function customRuntime(name: string, body: string | null, mode = 0o755): Promise<void> {
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name, runtime: 'provided.al2023', handler: 'bootstrap', timeout: patientSeconds(5) }),
  );
  if (body !== null) {
    const script = `#!${process.execPath}
const base = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime';
const call = async (method, p, body, headers = {}) => {
  const res = await fetch(base + p, { method, body, headers });
  return { status: res.status, id: res.headers.get('lambda-runtime-aws-request-id'), text: await res.text() };
};
${body}
`;
    await writeFile(path.join(dir, 'bootstrap'), script);
    await chmod(path.join(dir, 'bootstrap'), mode);
  }
  await engine.functions.registerFolder(dir);
}

const text = (payload: Buffer) => payload.toString('utf8');

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** This engine's sandboxes: cgroup folders (cgroup v1: one per hierarchy) and private /tmp images. */
function listSandboxes(): string[] {
  const folder = `lambench-${process.pid}`;
  const out: string[] = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const dir = path.join('/sys/fs/cgroup', h, folder);
    if (existsSync(dir)) out.push(...readdirSync(dir).map((n) => `${h}/${n}`));
  }
  const tmp = path.join('/var/tmp/lambench', folder);
  if (existsSync(tmp)) out.push(...readdirSync(tmp).map((n) => `tmp/${n}`));
  return out;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-lifecycle-'));
  engine = await Engine.create({ cacheDir: path.join(workDir, 'cache'), idleTimeoutMs: 60_000 });
  await nodeFunction(
    'prints',
    `export const handler = async (e) => {
       const chunk = 'x'.repeat(1 << 20);
       // Written as fast as the pipe takes it (each write waits for the last: no 600 MB queued in the runtime).
       const write = (text) => new Promise((resolve) => process.stdout.write(text, resolve));
       for (let i = 0; i < e.mb; i++) await write(chunk);
       await write('last-words:' + 'y'.repeat(5000) + '\\n');
       return 'printed';
     };`,
    { memorySize: 512, timeout: patientSeconds(60) },
  );
  await nodeFunction(
    'rejects',
    `export const handler = async (e) => {
       if (e.during) setTimeout(() => Promise.reject(new Error('during')), 0);
       if (e.after) Promise.reject(new Error('after'));
       if (e.during) await new Promise((r) => setTimeout(r, 50));
       return 'fine';
     };`,
  );
});

afterAll(async () => {
  await engine?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('output without bound (issue 12, item 2)', () => {
  it('survives 600 MB printed in one invocation with bounded memory, and Tail is the last 4 KB', async () => {
    await engine.invoke({ functionName: 'prints', payload: '{"mb":0}' }); // warm, so RSS counts only the output
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const result = await engine.invoke({ functionName: 'prints', payload: '{"mb":600}' });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(result.functionError).toBeNull();
    expect(text(result.payload)).toBe('"printed"');
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
    const tail = Buffer.from(tailBase64(result.logs), 'base64').toString('utf8');
    expect(Buffer.byteLength(tail)).toBe(4096);
    const expected = `${'y'.repeat(5000)}\n${endLine(result.requestId)}`;
    const report = result.logs.slice(result.logs.lastIndexOf('REPORT RequestId:'));
    expect(tail).toBe((expected + report).slice(-4096));
    expect(result.logs.length).toBeLessThan(1024 * 1024);
    expect(result.logs).toMatch(/bytes of output omitted here/);
    // And the environment is still usable.
    expect(text((await engine.invoke({ functionName: 'prints', payload: '{"mb":1}' })).payload)).toBe('"printed"');
  }, 120_000);
});

describe('output to a slow reader (issue 12, item 2)', () => {
  it('stops reading a runtime whose output the reader cannot take yet: buffered output stays bounded', async () => {
    let buffered = 0;
    let maxBuffered = 0;
    let total = 0;
    let waiting: (() => void) | undefined;
    // A reader taking 1 MB every 10 ms; write() says false past 1 MB buffered, as a stream's high-water mark does.
    const reader = setInterval(() => {
      buffered = Math.max(0, buffered - 1024 * 1024);
      if (buffered === 0 && waiting) {
        const resume = waiting;
        waiting = undefined;
        resume();
      }
    }, 10);
    const slow = await Engine.create({
      cacheDir: path.join(workDir, 'cache'),
      onOutput: (_fn, text) => {
        buffered += text.length;
        total += text.length;
        maxBuffered = Math.max(maxBuffered, buffered);
        return buffered < 1024 * 1024;
      },
      onOutputDrain: (resume) => {
        waiting = resume;
      },
    });
    try {
      await slow.functions.registerFolder(path.join(workDir, 'prints'));
      const result = await slow.invoke({ functionName: 'prints', payload: '{"mb":100}' });
      expect(text(result.payload)).toBe('"printed"');
      await until(() => total >= 100 * 1024 * 1024 + 5000);
      expect(total).toBeGreaterThanOrEqual(100 * 1024 * 1024 + 5000);
      // At most one read (64 KiB) past the mark per stream: nothing like the 100 MB an unpaused engine would buffer.
      expect(maxBuffered).toBeLessThan(2 * 1024 * 1024);
    } finally {
      clearInterval(reader);
      await slow.close();
    }
  }, 120_000);
});

describe('environments that cannot start (issue 12, item 5)', () => {
  it('releases the listener, the sandbox and the private /tmp every time: 50 failed invokes leave fds flat', async () => {
    await nodeFunction('nul-env', 'export const handler = async () => 1;');
    // CreateFunction refuses such a value; the engine must still fail cleanly if one reaches it (a function.json).
    engine.functions.resolve('nul-env').environment.BAD = 'a\u0000b';
    await customRuntime('no-bootstrap', null);
    const first = await engine.invoke({ functionName: 'nul-env', payload: '{}' });
    expect(first.errorType).toBe('Runtime.InvalidEntrypoint');
    const fds = openFds();
    const sandboxes = listSandboxes().length;
    // Earlier tests' warm environments (idleTimeoutMs 60 s) still count; failed starts must add none.
    const environments = engine.stats().environments;
    for (let i = 0; i < 25; i++) {
      const nul = await engine.invoke({ functionName: 'nul-env', payload: '{}' });
      expect(nul.functionError).toBe('Unhandled');
      expect(nul.errorType).toBe('Runtime.InvalidEntrypoint');
      const missing = await engine.invoke({ functionName: 'no-bootstrap', payload: '{}' });
      expect(missing.errorType).toBe('Runtime.InvalidEntrypoint');
    }
    expect(openFds()).toBeLessThanOrEqual(fds + 2);
    expect(listSandboxes()).toHaveLength(sandboxes);
    expect(engine.stats().environments).toBe(environments);
  }, 120_000);
});

describe('phantom errors (issue 12, item 4)', () => {
  it('after an unhandled rejection during an invocation, the next one gets a fresh environment: 20 of 20', async () => {
    let unrelatedFailures = 0;
    for (let i = 0; i < 20; i++) {
      const faulty = await engine.invoke({ functionName: 'rejects', payload: '{"during":true}' });
      expect(faulty.errorType).toBe('Runtime.UnhandledPromiseRejection');
      const next = await engine.invoke({ functionName: 'rejects', payload: '{}' });
      if (next.functionError) unrelatedFailures++;
    }
    expect(unrelatedFailures).toBe(0);
  }, 120_000);

  it('after an unhandled rejection just after the answer, the answer stands and the next one succeeds: 20 of 20', async () => {
    let unrelatedFailures = 0;
    for (let i = 0; i < 20; i++) {
      const faulty = await engine.invoke({ functionName: 'rejects', payload: '{"after":true}' });
      // AWS's client posts the answer before the rejection is seen, then reports it and exits (128).
      expect(text(faulty.payload)).toBe('"fine"');
      const next = await engine.invoke({ functionName: 'rejects', payload: '{}' });
      if (next.functionError) unrelatedFailures++;
    }
    expect(unrelatedFailures).toBe(0);
  }, 120_000);

  it('a runtime that exits right after answering costs the next invocation nothing: 20 of 20', async () => {
    await customRuntime(
      'answers-then-exits',
      `for (;;) {
         const next = await call('GET', '/invocation/next');
         await call('POST', '/invocation/' + next.id + '/response', '"answered"');
         // Answered, and gone 5 ms later without asking for another event (a runtime that serves one event).
         if (JSON.parse(next.text).exit) {
           setTimeout(() => process.exit(0), 5);
           await new Promise(() => {});
         }
       }`,
    );
    let failures = 0;
    for (let i = 0; i < 20; i++) {
      const result = await engine.invoke({ functionName: 'answers-then-exits', payload: `{"exit":${i % 2 === 0}}` });
      if (result.functionError || text(result.payload) !== '"answered"') failures++;
    }
    expect(failures).toBe(0);
  }, 120_000);
});

describe('Runtime API state machine (issue 12, item 7)', () => {
  it('a missing bootstrap is an invocation error Runtime.InvalidEntrypoint, as AWS words it', async () => {
    await customRuntime('missing-bootstrap', null);
    const result = await engine.invoke({ functionName: 'missing-bootstrap', payload: '{}' });
    expect(result.functionError).toBe('Unhandled');
    const body = JSON.parse(text(result.payload));
    expect(body.errorType).toBe('Runtime.InvalidEntrypoint');
    // The path is the task root the runtime was started from (a staged copy of the code: AWS's /var/task).
    expect(body.errorMessage).toMatch(
      new RegExp(
        `^RequestId: ${result.requestId} Error: Couldn't find valid bootstrap\\(s\\): \\[/\\S+/missing-bootstrap[^/ ]*/bootstrap /opt/bootstrap\\]$`,
      ),
    );
    expect(result.logs).toContain('Phase: invoke\tStatus: error\tError Type: Runtime.InvalidEntrypoint');
  });

  it('a bootstrap that is not executable: fork/exec … permission denied', async () => {
    await customRuntime('not-executable', 'process.exit(0);', 0o644);
    const result = await engine.invoke({ functionName: 'not-executable', payload: '{}' });
    const body = JSON.parse(text(result.payload));
    expect(body.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(body.errorMessage).toMatch(
      new RegExp(
        `^RequestId: ${result.requestId} Error: fork/exec /\\S+/not-executable[^/ ]*/bootstrap: permission denied$`,
      ),
    );
  });

  it('a second /next during an invocation returns the current event, and the sandbox is not frozen', async () => {
    await customRuntime(
      'next-twice',
      `for (;;) {
         const first = await call('GET', '/invocation/next');
         const again = await call('GET', '/invocation/next');
         await new Promise((r) => setTimeout(r, 50)); // past the freeze delay: a frozen sandbox would time out
         await call('POST', '/invocation/' + first.id + '/response', JSON.stringify({ same: again.id === first.id && again.text === first.text }));
       }`,
    );
    const result = await engine.invoke({ functionName: 'next-twice', payload: '{"n":1}' });
    expect(result.errorType).toBeNull();
    expect(JSON.parse(text(result.payload))).toEqual({ same: true });
  });

  it('/init/error then /next: the invocation fails with the init error; /next answers 403', async () => {
    await customRuntime(
      'init-error-then-next',
      `await call('POST', '/init/error', '{"errorMessage":"no config"}', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.NoConfig' });
       const next = await call('GET', '/invocation/next');
       console.log('next answered ' + next.status + ' ' + next.text);
       await new Promise((r) => setTimeout(r, 60_000));`,
    );
    const result = await engine.invoke({ functionName: 'init-error-then-next', payload: '{}' });
    expect(result.functionError).toBe('Unhandled');
    expect(result.errorType).toBe('Runtime.NoConfig');
    expect(JSON.parse(text(result.payload))).toEqual({ errorMessage: 'no config' });
    expect(result.report.durationMs).toBeLessThan(patientSeconds(5) * 1000);
  });

  it('a response after a response answers 403 InvalidStateTransition, as RAPID does', async () => {
    const seenFile = path.join(workDir, 'responds-twice.json');
    await customRuntime(
      'responds-twice',
      `const next = await call('GET', '/invocation/next');
       await call('POST', '/invocation/' + next.id + '/response', '"first"');
       const second = await call('POST', '/invocation/' + next.id + '/response', '"second"');
       const late = await call('POST', '/invocation/' + next.id + '/error', '{}');
       const seen = [second.status, JSON.parse(second.text), late.status, JSON.parse(late.text)];
       process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(seenFile)}, JSON.stringify(seen));
       await call('GET', '/invocation/next');`,
    );
    const first = await engine.invoke({ functionName: 'responds-twice', payload: '{}' });
    expect(text(first.payload)).toBe('"first"');
    await until(() => existsSync(seenFile));
    expect(JSON.parse(readFileSync(seenFile, 'utf8'))).toEqual([
      403,
      {
        errorType: 'InvalidStateTransition',
        errorMessage:
          'State transition from RuntimeResponseSentState to InvocationResponse failed for runtime. Error: State transition is not allowed',
      },
      403,
      {
        errorType: 'InvalidStateTransition',
        errorMessage:
          'State transition from RuntimeResponseSentState to InvocationErrorResponse failed for runtime. Error: State transition is not allowed',
      },
    ]);
  });
});
