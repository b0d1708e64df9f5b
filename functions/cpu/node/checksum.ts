/**
 * The CPU work every cpu workload does, identical in Node, Python and Rust:
 * x = 2166136261; repeat n times: x ^= (i & 0xff); x = (x * 16777619) mod 2^32. Returns x.
 */
export function checksum(iterations: number): number {
  let x = 2166136261;
  for (let i = 0; i < iterations; i++) {
    x ^= i & 0xff;
    x = Math.imul(x, 16777619) >>> 0;
  }
  return x >>> 0;
}
