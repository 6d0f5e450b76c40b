import { configDefaults, defineProject } from 'vitest/config';

/** Test files about PostgreSQL alone: only the `server-postgres` project (vitest.postgres.config.ts) runs them. */
export const POSTGRES_ONLY = ['src/db/postgres.test.ts'];

/** Several nodes on PostgreSQL + Redis: only the `server-cluster` project (vitest.cluster.config.ts) runs them. */
export const CLUSTER_ONLY = ['src/**/*.cluster.test.ts'];

export default defineProject({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'server',
    environment: 'node',
    exclude: [...configDefaults.exclude, ...POSTGRES_ONLY, ...CLUSTER_ONLY],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // `*.test-d.ts` are type-level tests: checked by tsc against the tests' tsconfig, never run.
    typecheck: { enabled: true, tsconfig: './tsconfig.test.json' },
  },
});
