import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'functions/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Timing-sensitive sandbox tests share 2 cores; running files in parallel would make them flaky.
    fileParallelism: false,
    // Rust workloads build with cargo on first use; the first build of the AWS SDK crates takes minutes.
    slowTestThreshold: 10_000,
    reporters: ['default', ['json', { outputFile: '.lambench/test-results.json' }]],
  },
});
