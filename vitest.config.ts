import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    globalSetup: ['test/support/scratch-dir.ts'],
    // Most suites wait on sockets, timers and child processes, not the CPU: two files at once
    // halve the wall time on CI's 2 cores (the default is cores - 1 = one), and the suite is
    // checked to hold under load at this setting (../shared/tools/test-under-load -n 4 -r 3).
    maxWorkers: 2,
  },
});
