import { defineProject } from 'vitest/config';

// Real browser journeys: one file at a time (two cores), generous timeouts, no retries (a flaky
// journey is a bug to fix, not to hide).
export default defineProject({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['journeys/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
