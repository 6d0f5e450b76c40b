import { configDefaults, defineProject } from 'vitest/config';
import { CLUSTER_ONLY } from './vitest.config.ts';
import { ADMIN_HOST, whyPostgresUnusable } from './src/test/postgres.ts';

/**
 * The server's suite again, on PostgreSQL: the same test files, with the harness switched by
 * THREADLINE_TEST_DB (src/test/harness.ts), plus the tests about PostgreSQL alone. Left out: files
 * that never touch the database, and data-dir.test.ts, which is about the SQLite file's modes.
 *
 * Needs a PostgreSQL that lets THREADLINE_TEST_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test) create databases. Without one the suite is skipped with
 * one line, or fails under THREADLINE_REQUIRE_SERVICES=1 (CI, .ci/run), so CI always runs it.
 */
export default defineProject(async () => {
  const unusable = await whyPostgresUnusable();
  if (unusable) {
    const line = `PostgreSQL not reachable on ${ADMIN_HOST} (${unusable})`;
    if (process.env.THREADLINE_REQUIRE_SERVICES === '1') throw new Error(`${line}, and THREADLINE_REQUIRE_SERVICES=1 requires it`);
    console.warn(`${line}: PostgreSQL suites skipped (set THREADLINE_REQUIRE_SERVICES=1 to fail instead)`);
  }
  return {
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      name: 'server-postgres',
      environment: 'node',
      include: unusable ? [] : ['src/**/*.test.ts'],
      exclude: [...configDefaults.exclude, ...CLUSTER_ONLY, 'src/data-dir.test.ts', 'src/config.test.ts', 'src/backoff.test.ts', 'src/http/widget.test.ts'],
      env: { THREADLINE_TEST_DB: 'postgres' },
      globalSetup: ['./src/test/postgres-setup.ts'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  };
});
