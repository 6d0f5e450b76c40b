import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'server',
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // `*.test-d.ts` are type-level tests: checked by tsc against the tests' tsconfig, never run.
    typecheck: { enabled: true, tsconfig: './tsconfig.test.json', include: ['src/**/*.test-d.ts'] },
  },
});
