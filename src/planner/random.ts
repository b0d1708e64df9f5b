/** A seeded PRNG (mulberry32): the same seed gives the same simulation, on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one simulation, from the run's seed and what the simulation is of (FNV-1a over the label). */
export function seedFor(seed: number, label: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** An exponential gap with the given rate (events per second). */
export const exponential = (random: () => number, rate: number) => -Math.log(1 - random()) / rate;
