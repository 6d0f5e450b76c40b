import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'core',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./src/test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // `*.test-d.ts` are type-level tests: checked by tsc against the tests' tsconfig, never run.
    typecheck: { enabled: true, tsconfig: './tsconfig.test.json', include: ['src/**/*.test-d.ts'] },
  },
});
