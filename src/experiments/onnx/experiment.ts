import type { TuneResult } from '../../tuner/types.js';
import { type ClaimCheck, capSizes, type Experiment, median } from '../types.js';
import { macsPerImage } from './cnn.js';
import { uploadOnnxDataset } from './dataset.js';

const ONE_VCPU_MB = 1769;
const IMAGES = 100;

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : Number.NaN);
const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(0)} ms`);

/**
 * onnx (an idea of the nogibjj write-up): inference over 100 images with onnxruntime-node and a seeded CNN the
 * project generates, intra-op threads 1 vs the host's cores, over memory. No figures were published, so the claims
 * checked are those Lambda's CPU model makes: time follows the CPU share up to one vCPU, and a second intra-op
 * thread only pays once the memory size buys more than one vCPU.
 */
export const onnxExperiment: Experiment = {
  name: 'onnx',
  title: 'ONNX inference: intra-op threads vs memory',
  source: 'nogibjj/rust-tutorial write-up (idea: ONNX inference on Lambda); model and images generated, seeded',
  async run(ctx) {
    if (!ctx.has('onnx-node')) {
      return { results: [], claims: [], notes: ['onnx-node is not available here.'] };
    }
    const size = ctx.quick ? 96 : 128;
    const data = await uploadOnnxDataset(ctx.s3Endpoint, { bucket: ctx.bucket, images: IMAGES, size });
    const { sizes, capped } = capSizes(ctx.quick ? [512, 1024, 1769, 3008] : [512, 1024, 1769, 2560, 3008, 5120], ctx);
    const manyThreads = Math.max(2, ctx.hostCpus);
    const variants = [
      { label: 'onnx-node 1 thread', threads: 1, spin: true },
      { label: `onnx-node ${manyThreads} threads`, threads: manyThreads, spin: true },
      { label: `onnx-node ${manyThreads} threads, no spinning`, threads: manyThreads, spin: false },
    ];
    const results: TuneResult[] = [];
    for (const { label, threads, spin } of variants) {
      results.push(
        await ctx.tune(label, 'onnx-node', {
          memorySizes: sizes,
          payload: { bucket: data.bucket, modelKey: data.modelKey, prefix: data.prefix, threads, spin },
          invocations: ctx.quick ? 3 : 10,
        }),
      );
    }
    const [single, spinning, sleeping] = results as [TuneResult, TuneResult, TuneResult];
    const low = sizes[0] ?? 512;
    const above = sizes.filter((m) => m >= 1.5 * ONE_VCPU_MB).at(-1);
    const below = sizes.filter((m) => m < ONE_VCPU_MB);
    const scaling = ratio(median(single, low), median(single, ONE_VCPU_MB));
    const expectedScaling = ONE_VCPU_MB / low;
    const gain = (many: TuneResult, m: number) => ratio(median(single, m), median(many, m));
    const versus = (many: TuneResult, m: number) =>
      `${m} MB: ${ms(median(many, m))} with ${manyThreads} threads vs ${ms(median(single, m))} with 1 (${gain(many, m).toFixed(2)}×)`;
    // Inference alone (the part threads can split), from the function's own timer, warm, median of 3.
    const inferenceAbove = async (threads: number): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        const payload = { bucket: data.bucket, modelKey: data.modelKey, prefix: data.prefix, threads, spin: false };
        const result = await ctx.invoke('onnx-node', payload, { memoryMB: above ?? ONE_VCPU_MB });
        if (i > 0) times.push((JSON.parse(result.payload) as { inferenceMs: number }).inferenceMs);
      }
      return times.sort((a, b) => a - b)[1] ?? Number.NaN;
    };
    const [inferOne, inferMany] = above ? [await inferenceAbove(1), await inferenceAbove(manyThreads)] : [0, 0];
    const spinCost = sizes.map((m) => ratio(median(spinning, m), median(sleeping, m)));
    const claims: ClaimCheck[] = [
      {
        claim: 'Inference time follows the CPU share: one thread is as much faster as memory buys up to one vCPU',
        published: `Lambda gives memory / 1769 vCPU: ${low} → 1769 MB is ${expectedScaling.toFixed(2)}× the CPU`,
        measured: `1 thread: ${ms(median(single, low))} at ${low} MB, ${ms(median(single, ONE_VCPU_MB))} at 1769 MB (${scaling.toFixed(2)}×)`,
        verdict: scaling > 0.6 * expectedScaling ? 'reproduced' : 'not reproduced',
        why: 'Convolutions are pure CPU work; the CFS quota of the environment sets how much of it runs per period.',
      },
      {
        claim: 'Below one vCPU, more intra-op threads do not help (they share the same quota)',
        published: 'Qualitative (AWS: one vCPU at 1769 MB)',
        measured: below.map((m) => versus(sleeping, m)).join('; '),
        verdict: below.length > 0 && below.every((m) => gain(sleeping, m) < 1.15) ? 'reproduced' : 'not reproduced',
        why: 'A quota below one CPU is used up by one busy thread; a second only adds switching and sync.',
      },
      above
        ? {
            claim: 'Above one vCPU, a second intra-op thread pays off (with spinning off)',
            published: `Qualitative (${above} MB = ${(above / ONE_VCPU_MB).toFixed(2)} vCPU)`,
            measured: `${versus(sleeping, above)}; inference alone ${ms(inferMany)} vs ${ms(inferOne)} (${(inferOne / inferMany).toFixed(2)}×)`,
            verdict: inferOne / inferMany > 1.15 ? 'reproduced' : 'not reproduced',
            why: `The quota exceeds one CPU, so a second thread has CPU time of its own for the convolutions; reading and decoding the images stays on one thread, which is why the whole invocation gains less.`,
          }
        : {
            claim: 'Above one vCPU, a second intra-op thread pays off (with spinning off)',
            published: 'Qualitative',
            measured: `no size ≥ ${1.5 * ONE_VCPU_MB} MB fits this host (${ctx.hostCpus} CPUs)`,
            verdict: 'not run',
            why: 'The host cannot give an environment more than one vCPU.',
          },
      {
        claim: "onnxruntime's default spin-waiting threads waste a fractional vCPU's quota",
        published: 'Not in the write-up: found here (onnxruntime session option session.intra_op.allow_spinning)',
        measured: sizes
          .map(
            (m, i) =>
              `${m} MB: spinning ${ms(median(spinning, m))} vs not ${ms(median(sleeping, m))} (${(spinCost[i] ?? Number.NaN).toFixed(2)}×)`,
          )
          .join('; '),
        verdict: (spinCost[0] ?? 0) > 1.1 ? 'reproduced' : 'not reproduced',
        why: 'A thread spinning for work burns the same CFS quota the working thread needs; the fewer vCPUs, the larger the share it takes.',
      },
    ];
    const cold = single.configs.find((c) => c.memoryMB === ONE_VCPU_MB)?.coldStartMs?.p50;
    const notes = [
      `${IMAGES} seeded ${size}×${size} RGB images (PPM) and a seeded 3-conv CNN (${(data.modelBytes / 1024).toFixed(0)} KB, ${((IMAGES * macsPerImage(size, size)) / 1e9).toFixed(2)} G multiply-adds per invocation), one image per run; the model stays loaded while the environment is warm.`,
      `Cold start at 1769 MB (Init + first invocation, loading onnxruntime and the model): ${ms(cold)}.`,
    ];
    if (capped.length) notes.push(`Left out (host has ${ctx.hostCpus} CPUs): ${capped.join(', ')} MB.`);
    return { results, claims, notes };
  },
};
