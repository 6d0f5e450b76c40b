import { defineProject } from 'vitest/config';

// The demo's own server (server.mjs) against the reference server's source, as in its tests.
export default defineProject({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'shop',
    environment: 'node',
    include: ['*.test.mjs'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
