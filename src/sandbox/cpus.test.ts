import { describe, expect, it } from 'vitest';
import { awsVisibleCpus, CpuRotation, formatCpuList, parseCpuList, visibleCpusForMemory } from './cpus.js';

describe('visible cores', () => {
  it("follows AWS's measured steps: 2 up to 3008 MB, then one more per 1769 MB, 6 at the top", () => {
    const at = [128, 1769, 3008, 3009, 5307, 5308, 7076, 7077, 8845, 8846, 10240].map(awsVisibleCpus);
    expect(at).toEqual([2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
  });

  it('never shows more cores than the host has', () => {
    expect(visibleCpusForMemory(10240, 2)).toBe(2);
    expect(visibleCpusForMemory(10240, 64)).toBe(6);
    expect(visibleCpusForMemory(128, 1)).toBe(1);
  });

  it("reads and writes the kernel's cpu lists", () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('')).toEqual([]);
    expect(formatCpuList([1, 4])).toBe('1,4');
  });

  it('spreads environments over every core instead of piling them onto the first', () => {
    const rotation = new CpuRotation();
    const cores = [0, 1, 2, 3, 4];
    const picks = [1, 2, 3, 4].map(() => rotation.pick(cores, 2));
    expect(picks).toEqual([
      [0, 1],
      [2, 3],
      [0, 4],
      [1, 2],
    ]);
    expect(rotation.pick(cores, 9)).toEqual(cores);
  });
});
