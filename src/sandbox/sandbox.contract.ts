import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ownCpus } from './cpus.js';
import type { Sandbox, SandboxDriver, SandboxLimits } from './types.js';

let counter = 0;
const id = () => `contract-${process.pid}-${counter++}`;

/** Runs `node -e script` inside a sandbox; resolves with exit info and stdout. */
function run(driver: SandboxDriver, limits: SandboxLimits, script: string) {
  return driver.create(id(), limits).then((sandbox) => start(sandbox, script));
}

function start(sandbox: Sandbox, script: string) {
  const { command, args } = sandbox.wrap(process.execPath, ['-e', script]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: sandbox.detached === true });
  if (child.pid) sandbox.attach(child.pid);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { sandbox, child, exited, output: () => out };
}

/** Counts loop iterations in a fixed wall time: the share of CPU the sandbox really gets. */
const SPIN = 'const end=Date.now()+600;let n=0;while(Date.now()<end)n++;console.log(n)';
const ALLOCATE = (mb: number) =>
  `const a=[];for(let i=0;i<${mb};i++)a.push(Buffer.alloc(1<<20,1));console.log('ok');setTimeout(()=>{},300)`;
const TICK = 'let n=0;setInterval(()=>console.log(++n),20)';
/** Starts a grandchild that ticks into the same stdout and prints its pid; the child itself stays quiet. */
const GRANDCHILD = `const c=require('child_process').spawn(process.execPath,['-e',${JSON.stringify(TICK)}],{stdio:['ignore','inherit','inherit']});console.log('pid '+c.pid);setInterval(()=>{},1000)`;

/** Opens /dev/null until the kernel refuses; prints how many and why. */
const OPEN_FILES =
  "const fs=require('fs');let n=0;try{for(;n<5000;n++)fs.openSync('/dev/null','r')}catch(e){console.log(JSON.stringify({n,code:e.code}))}";
/** Starts `sleep` children one by one until a fork fails (or 60 run); prints how many and why. */
const PROCESSES = `const {spawn}=require('child_process');const kids=[];let error=null;
const done=()=>{console.log(JSON.stringify({n:kids.length,code:error}));for(const k of kids)k.kill('SIGKILL')};
const next=()=>{if(kids.length>=60)return done();const c=spawn('sleep',['30'],{stdio:'ignore'});
c.once('error',(e)=>{error=e.code;done()});c.once('spawn',()=>{kids.push(c);next()})};next()`;
/** Leaves a marker in /tmp, then fills /tmp 1 MiB at a time until the kernel refuses; prints how far it got. */
const FILL_TMP = `const fs=require('fs');const b=Buffer.alloc(1<<20,1);let n=0;fs.writeFileSync('/tmp/lambench-contract-marker','x');
try{for(;n<64;n++)fs.appendFileSync('/tmp/fill',b)}catch(e){console.log(JSON.stringify({n,code:e.code}));process.exit(0)}
console.log(JSON.stringify({n,code:null}))`;
const AVAILABLE_PARALLELISM = "console.log(require('os').availableParallelism())";

async function outputOf(driver: SandboxDriver, limits: SandboxLimits, script: string) {
  const { sandbox, exited, output } = await run(driver, limits, script);
  await exited;
  await sandbox.destroy();
  return { sandbox, text: output().trim() };
}

/** Output stops while the sandbox is frozen and resumes once it is thawed. */
async function expectFreezeStopsOutput(sandbox: Sandbox, output: () => string): Promise<void> {
  sandbox.freeze();
  await sleep(50);
  const frozenAt = output().length;
  await sleep(300);
  expect(output().length).toBe(frozenAt);
  sandbox.thaw();
  await sleep(200);
  expect(output().length).toBeGreaterThan(frozenAt);
}

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The properties every isolation driver must have; `limited` is false for the none driver. */
export function sandboxContract(name: string, makeDriver: () => Promise<SandboxDriver>, limited: boolean) {
  describe(`sandbox contract: ${name}`, () => {
    it('places the process inside before its first instruction', async () => {
      const driver = await makeDriver();
      const { sandbox, exited, output } = await run(
        driver,
        { memoryMB: 256, cpus: 1 },
        "console.log(require('fs').readFileSync('/proc/self/cgroup','utf8'))",
      );
      await exited;
      if (limited) expect(output()).toContain(sandbox.id);
      await sandbox.destroy();
    });

    it(limited ? 'limits CPU to the quota' : 'does not limit CPU', async () => {
      const driver = await makeDriver();
      const spin = async (cpus: number | null) => {
        const { sandbox, exited, output } = await run(driver, { memoryMB: 512, cpus }, SPIN);
        await exited;
        await sandbox.destroy();
        return Number(output());
      };
      const full = await spin(1);
      const quarter = await spin(0.25);
      // A quarter of a CPU does about a quarter of the work; shared cores blur it, so the bound is generous.
      if (limited) expect(quarter / full).toBeLessThan(0.5);
      else expect(quarter / full).toBeGreaterThan(0.5);
    });

    it(limited ? 'kills a process above its memory limit and reports OOM' : 'reports peak memory', async () => {
      const driver = await makeDriver();
      if (limited) {
        const big = await run(driver, { memoryMB: 128, cpus: 1 }, ALLOCATE(400));
        const result = await big.exited;
        expect(result.signal).toBe('SIGKILL');
        expect(big.sandbox.oomKilled()).toBe(true);
        await big.sandbox.destroy();
      }
      const small = await run(driver, { memoryMB: 256, cpus: 1 }, ALLOCATE(60));
      while (!small.output().includes('ok')) await sleep(10);
      const peak = small.sandbox.peakMemoryBytes();
      expect(peak).toBeGreaterThan(60 * 2 ** 20);
      if (limited) expect(peak).toBeLessThan(256 * 2 ** 20);
      expect(small.sandbox.oomKilled()).toBe(false);
      await small.exited;
      await small.sandbox.destroy();
    });

    it('shows the process only the cores it may see, where the host has more', async () => {
      const driver = await makeDriver();
      const cores = ownCpus().length;
      if (cores < 2) return; // nothing to narrow on a one-core host
      const { sandbox, text } = await outputOf(
        driver,
        { memoryMB: 256, cpus: 1, visibleCpus: 1 },
        AVAILABLE_PARALLELISM,
      );
      if (sandbox.applied.cpuList) {
        expect(sandbox.applied.cpuList).toHaveLength(1);
        expect(Number(text)).toBe(1);
      } else {
        expect(sandbox.applied.notApplied.join('\n')).toMatch(/visible cores/);
        expect(Number(text)).toBe(cores);
      }
      // A count the host cannot narrow to (all its cores, or more) leaves every core visible.
      const all = await outputOf(driver, { memoryMB: 256, cpus: 1, visibleCpus: cores + 4 }, AVAILABLE_PARALLELISM);
      expect(Number(all.text)).toBe(cores);
    });

    it('refuses descriptors past maxOpenFiles with EMFILE', async () => {
      const driver = await makeDriver();
      const { sandbox, text } = await outputOf(driver, { memoryMB: 256, cpus: 1, maxOpenFiles: 64 }, OPEN_FILES);
      expect(sandbox.applied.maxOpenFiles).toBe(64);
      const result = JSON.parse(text);
      expect(result.code).toBe('EMFILE');
      // stdio and Node's own descriptors count too.
      expect(result.n).toBeLessThan(64);
      expect(result.n).toBeGreaterThan(16);
    });

    it(
      limited ? 'refuses processes and threads past maxProcesses with EAGAIN' : 'says processes are not limited',
      async () => {
        const driver = await makeDriver();
        const { sandbox, text } = await outputOf(driver, { memoryMB: 256, cpus: 1, maxProcesses: 24 }, PROCESSES);
        const result = JSON.parse(text);
        if (sandbox.applied.maxProcesses === 24) {
          expect(result.code).toBe('EAGAIN');
          // Node's own threads count against the 24 as well.
          expect(result.n).toBeLessThan(24);
        } else {
          expect(sandbox.applied.notApplied.join('\n')).toMatch(/processes/);
          if (!limited) expect(result.n).toBe(60);
        }
      },
    );

    it('gives each environment a private /tmp of its EphemeralStorage size (ENOSPC past it), or says it cannot', async () => {
      const driver = await makeDriver();
      const sandbox = await driver.create(id(), { memoryMB: 256, cpus: 1, tmpMB: 16 });
      if (!sandbox.applied.tmpMB) {
        // Never fill the host's own /tmp: only say why it is shared.
        expect(sandbox.applied.notApplied.join('\n')).toMatch(/\/tmp: shared with the host/);
        await sandbox.destroy();
        return;
      }
      const { exited, output } = start(sandbox, FILL_TMP);
      await exited;
      await sandbox.destroy();
      const result = JSON.parse(output().trim());
      expect(result.code).toBe('ENOSPC');
      // 16 MB less ext4's own metadata.
      expect(result.n).toBeGreaterThan(8);
      expect(result.n).toBeLessThanOrEqual(16);
      expect(existsSync('/tmp/lambench-contract-marker')).toBe(false);
      expect(existsSync('/tmp/fill')).toBe(false);
    });

    it('freezes and thaws', async () => {
      const driver = await makeDriver();
      const { sandbox, exited, output } = await run(driver, { memoryMB: 256, cpus: 1 }, TICK);
      while (!output()) await sleep(10);
      await expectFreezeStopsOutput(sandbox, output);
      await sandbox.destroy();
      expect((await exited).signal).toBe('SIGKILL');
    });

    it('freezes and kills the processes the function started, too', async () => {
      const driver = await makeDriver();
      const { sandbox, exited, output } = await run(driver, { memoryMB: 256, cpus: 1 }, GRANDCHILD);
      let grandchild = 0;
      try {
        // The grandchild's pid, then its first tick (the two processes' lines may come in either order).
        for (let i = 0; i < 500 && !(/pid \d+/.test(output()) && /^\d+$/m.test(output())); i++) await sleep(10);
        grandchild = Number(/pid (\d+)/.exec(output())?.[1]);
        expect(grandchild).toBeGreaterThan(0);
        await expectFreezeStopsOutput(sandbox, output);
        await sandbox.destroy();
        await exited;
        for (let i = 0; i < 200 && running(grandchild); i++) await sleep(10);
        expect(running(grandchild)).toBe(false);
      } finally {
        // Never leave it behind, even when an assertion failed.
        if (grandchild > 0 && running(grandchild)) process.kill(grandchild, 'SIGKILL');
        await sandbox.destroy();
      }
    });

    it('leaves nothing behind after destroy, even when frozen', async () => {
      const driver = await makeDriver();
      const { sandbox, child, exited, output } = await run(driver, { memoryMB: 256, cpus: 1, tmpMB: 16 }, TICK);
      while (!output()) await sleep(10);
      sandbox.freeze();
      await sandbox.destroy();
      await exited;
      expect(child.signalCode).toBe('SIGKILL');
      // The cgroup folders of the driver, and the private /tmp (its image and mount) where there was one.
      const inner = ('inner' in sandbox ? sandbox.inner : sandbox) as Sandbox & { dirs?: object; dir?: string };
      const dirs = [
        ...Object.values((inner.dirs ?? {}) as Record<string, string>),
        ...(inner.dir ? [inner.dir] : []),
        ...('mountPoint' in sandbox ? [path.dirname(sandbox.mountPoint as string)] : []),
      ];
      if (limited || 'mountPoint' in sandbox) expect(dirs.length).toBeGreaterThan(0);
      for (const dir of dirs) expect(existsSync(dir)).toBe(false);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(sandbox.id);
    });
  });
}
