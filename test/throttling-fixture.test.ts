import { describe, expect, it } from 'vitest';
// @ts-expect-error the fixture is plain ESM JavaScript (a function folder run by the engine), without types
import { handler } from '../bench/fixtures/throttling-as-published/index.mjs';

describe("bench/cpu-throttling's function (pwrdrvr/lambda-throttling's unit of work)", () => {
  it('repeats the unit for the wall time asked and reports units, wall and CPU time', async () => {
    const result = await handler({ durationMs: 40, bytes: 4096 });
    expect(result.units).toBeGreaterThan(0);
    expect(result.wallMs).toBeGreaterThanOrEqual(40);
    // It is busy the whole time, so it uses CPU; a descheduled process can use less than its wall time, never more
    // than its wall time on one thread plus the runtime's helpers (bounded generously by 4 threads).
    expect(result.cpuMs).toBeGreaterThan(0);
    expect(result.cpuMs).toBeLessThan(result.wallMs * 4 + 20);
  });
});
