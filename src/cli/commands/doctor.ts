import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalEngine } from '../../engine/index.js';
import { findRuntime, runtimeAdapters } from '../../runtimes/index.js';
import { AWS_VISIBLE_CPUS } from '../../sandbox/cpus.js';
import { describeIsolation, hostCpus } from '../../sandbox/index.js';
import { parse } from '../args.js';

/** The cores a function sees at each of AWS's vCPU steps on this host (AWS's count, capped by the host's cores). */
function visibleCpuTable(engine: { visibleCpus(memoryMB: number): number }) {
  return AWS_VISIBLE_CPUS.map((step) => ({
    upToMB: step.upToMB,
    aws: step.cpus,
    here: engine.visibleCpus(step.upToMB),
  }));
}

export async function doctorReport() {
  const isolation = await describeIsolation();
  const runtimes = await Promise.all(runtimeAdapters.map((adapter) => adapter.detect()));
  const engine = await createLocalEngine({ isolation: 'none' });
  const limited = isolation.kind === 'none' ? engine : await createLocalEngine({ isolation: isolation.kind });
  const limits = { notApplied: limited.limitsNotApplied(), visibleCpus: visibleCpuTable(limited) };
  if (limited !== engine) await limited.close();
  const workloads = engine.functions
    .list()
    .map((fn) => {
      const family = findRuntime(fn.runtime).family;
      const status = runtimes.find((r) => r.family === family);
      const needsCargo = family === 'provided' && existsSync(path.join(fn.codeDir, 'Cargo.toml')) && status?.missing;
      const available = Boolean(status?.available) && !needsCargo;
      return { name: fn.name, runtime: fn.runtime, available, ...(available ? {} : { missing: status?.missing }) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  await engine.close();
  return {
    host: {
      cpus: hostCpus(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMB: Math.round(os.totalmem() / 2 ** 20),
    },
    isolation,
    limits,
    runtimes,
    workloads,
    missing: runtimes.filter((r) => !r.available).map((r) => `${r.family}: ${r.missing ?? 'not available'}`),
  };
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean', default: false } }, 'lambench doctor [--json]');
  const report = await doctorReport();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [];
  out.push(`host       ${report.host.cpus} CPUs (${report.host.cpuModel}), ${report.host.memoryMB} MB`);
  out.push(
    `isolation  ${report.isolation.kind}${report.isolation.kind === 'none' ? ' (CPU and memory NOT limited)' : ''}`,
  );
  for (const [kind, status] of Object.entries(report.isolation.usable) as Array<
    [string, { usable: boolean; reason?: string }]
  >) {
    out.push(`  ${kind.padEnd(10)} ${status.usable ? 'usable' : `unusable: ${status.reason ?? ''}`}`);
  }
  for (const line of report.isolation.setup) out.push(`  did: ${line}`);
  if (report.isolation.advice) out.push(`  ${report.isolation.advice}`);
  out.push(
    `limits     ${report.limits.notApplied.length ? `not applied: ${report.limits.notApplied.join('; ')}` : 'CPU, memory, processes, cores, descriptors and /tmp as on AWS'}`,
  );
  out.push('runtimes');
  for (const r of report.runtimes) {
    const detail = r.available ? `${r.version ?? ''}${r.path ? ` (${r.path})` : ''}` : `missing — ${r.missing ?? ''}`;
    out.push(`  ${r.family.padEnd(10)} ${detail}`);
    for (const binary of r.runtimes ?? []) {
      const version = binary.version ? `${binary.version} ` : '';
      const deviation = binary.deviation ? ` — ${binary.deviation}` : '';
      out.push(`    ${binary.runtime.padEnd(14)} ${version}(${binary.source}: ${binary.path})${deviation}`);
    }
  }
  const unavailable = report.workloads.filter((w) => !w.available);
  out.push(`workloads  ${report.workloads.length - unavailable.length} of ${report.workloads.length} available`);
  for (const w of unavailable) out.push(`  ${w.name.padEnd(24)} unavailable — ${w.missing ?? ''}`);
  out.push(report.missing.length ? `missing: ${report.missing.join('; ')}` : 'nothing missing');
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
