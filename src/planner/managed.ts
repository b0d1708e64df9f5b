import type { Architecture } from '../engine/types.js';
import { MANAGED_INSTANCES } from '../pricing/prices.js';
import type { SizeProfile } from './profile.js';
import { MONTH_SECONDS, type Traffic } from './traffic.js';

/**
 * Invocations one execution environment of Lambda Managed Instances runs at once, per vCPU, by runtime family
 * (AWS's defaults: Node.js 64, Java and .NET 32, Python 16; other runtimes are taken as 16 here, an assumption).
 */
export function concurrencyPerVcpu(runtime: string | undefined): number {
  if (runtime?.startsWith('nodejs')) return 64;
  if (runtime?.startsWith('java') || runtime?.startsWith('dotnet')) return 32;
  return 16;
}

export interface ManagedOptions {
  instanceType?: string;
  /** CPU utilisation the fleet is scaled to keep (an assumption: AWS scales on CPU, its target is configurable). */
  utilization: number;
  /** Instances kept at the least (AWS spreads a capacity provider over availability zones). */
  minInstances: number;
  runtime?: string;
}

export interface ManagedEstimate {
  instanceType: string;
  /** CPU-seconds one invocation needs: its duration times the vCPU share it had when measured. */
  cpuSecondsPerInvocation: number;
  peakInstances: number;
  instanceHoursPerMonth: number;
  instancesUSD: number;
  managementUSD: number;
  requestsUSD: number;
  totalUSD: number;
}

/**
 * Sizing of a Managed Instances fleet for the traffic: per 5-minute step (AWS scales an LMI fleet in minutes, at most
 * doubling in 5 minutes by default, so steps before a peak hold half of it, as a schedule would), enough instances that the step's peak rate × CPU-seconds per invocation stays under `utilization` of their vCPUs and
 * its in-flight invocations under the runtime's per-vCPU concurrency. The CPU need is measured, not guessed: an
 * invocation of d ms at m MB had min(1, m/1769) vCPU, so it used at most d × that share of CPU — exact for
 * CPU-bound work, an upper bound for work that waits on I/O (which is where many invocations per environment pay).
 */
export function managedInstances(
  traffic: Traffic,
  profile: SizeProfile,
  architecture: Architecture,
  invocationsPerMonth: number,
  options: ManagedOptions,
): ManagedEstimate {
  const instanceType = options.instanceType ?? MANAGED_INSTANCES.defaultInstance[architecture];
  const instance = MANAGED_INSTANCES.instances[instanceType];
  if (!instance) throw new Error(`unknown instance type ${instanceType}`);
  const durationS = profile.meanDurationMs / 1000;
  const cpuSecondsPerInvocation = durationS * Math.min(1, profile.memoryMB / 1769);
  const perVcpu = concurrencyPerVcpu(options.runtime);
  const needed = (rate: number) =>
    Math.max(
      options.minInstances,
      Math.ceil((rate * cpuSecondsPerInvocation) / (instance.vcpus * options.utilization)),
      Math.ceil((rate * durationS) / (instance.vcpus * perVcpu)),
    );
  const step = Math.min(300, traffic.periodS);
  const steps: number[] = [];
  const lengths: number[] = [];
  for (let t = 0; t < traffic.periodS; t += step) {
    let peak = 0;
    for (let i = 0; i < 10; i++) peak = Math.max(peak, traffic.rateAt(t + (i * step) / 10));
    steps.push(needed(peak));
    lengths.push(Math.min(step, traffic.periodS - t));
  }
  // A fleet at most doubles per 5 minutes (AWS's default), so it must already hold half of the next step's need:
  // walked backwards, twice round the cyclic period, so a burst is prepared for in the steps before it.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = steps.length - 1; i >= 0; i--) {
      const next = steps[(i + 1) % steps.length] ?? 0;
      steps[i] = Math.max(steps[i] ?? 0, Math.ceil(next / 2));
    }
  }
  const peakInstances = Math.max(...steps);
  const instanceSeconds = steps.reduce((sum, n, i) => sum + n * (lengths[i] ?? 0), 0);
  const instanceHoursPerMonth = (instanceSeconds / 3600) * (MONTH_SECONDS / traffic.periodS);
  return {
    instanceType,
    cpuSecondsPerInvocation,
    peakInstances,
    instanceHoursPerMonth,
    ...managedBill(instanceHoursPerMonth, instance.perHour, invocationsPerMonth),
  };
}

/**
 * Managed Instances' bill: the instances at what EC2 charges for them (`ec2PerHour`: on-demand by default, lower
 * under a Savings Plan), the management fee on the on-demand price, and the requests.
 */
export function managedBill(
  instanceHours: number,
  onDemandPerHour: number,
  requests: number,
  ec2PerHour = onDemandPerHour,
): { instancesUSD: number; managementUSD: number; requestsUSD: number; totalUSD: number } {
  const instancesUSD = instanceHours * ec2PerHour;
  const managementUSD = instanceHours * onDemandPerHour * MANAGED_INSTANCES.managementFee;
  const requestsUSD = (requests / 1e6) * MANAGED_INSTANCES.requestPer1M;
  return { instancesUSD, managementUSD, requestsUSD, totalUSD: instancesUSD + managementUSD + requestsUSD };
}
