import { defineProject } from 'vitest/config';

// Real browser journeys: one file at a time (two cores), generous timeouts, no retries (a flaky
// journey is a bug to fix, not to hide). `expect.poll` waits up to 10 s by default: a browser,
// a socket and a server are in the loop.
export default defineProject({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['journeys/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 10_000 } },
  },
});
