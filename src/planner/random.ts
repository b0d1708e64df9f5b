/** A seed for one simulation, from the run's seed and what the simulation is of (FNV-1a over the label). */
export function seedFor(seed: number, label: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** An exponential gap with the given rate (events per second). */
export const exponential = (random: () => number, rate: number) => -Math.log(1 - random()) / rate;
