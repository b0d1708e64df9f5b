/**
 * How many times slower than a normal host the machine running the tests executes code: 1 by default, about 20
 * in the software-emulated cgroup v2 VM (test/cgroup-v2). Function timeouts that only bound a test's patience are
 * multiplied by it; timeouts whose exact length is what a test checks are not.
 */
export const SLOWDOWN = Math.max(1, Number(process.env.LAMBENCH_TEST_SLOWDOWN ?? 1) || 1);

/** Seconds scaled by SLOWDOWN, as Lambda timeouts are whole seconds. */
export const patientSeconds = (seconds: number) => Math.ceil(seconds * SLOWDOWN);
