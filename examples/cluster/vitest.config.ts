import { defineProject } from 'vitest/config';
import { answers, findNginx } from './cluster.mjs';

/**
 * Real server processes on PostgreSQL + Redis behind nginx (cluster.mjs), built from
 * packages/server/dist (`pnpm test` builds first). Without nginx, PostgreSQL or Redis the suite is
 * skipped with one line, or fails under THREADLINE_REQUIRE_SERVICES=1 (CI), so CI always runs it.
 */
export default defineProject(async () => {
  const postgres = process.env.THREADLINE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const redis = process.env.THREADLINE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
  const missing = [
    !findNginx() && 'nginx not installed',
    !(await answers(postgres, 5432)) && `PostgreSQL not reachable on ${new URL(postgres).host}`,
    !(await answers(redis, 6379)) && `Redis not reachable on ${new URL(redis).host}`,
  ].filter(Boolean);
  if (missing.length) {
    const line = missing.join('; ');
    if (process.env.THREADLINE_REQUIRE_SERVICES === '1') throw new Error(`${line}, and THREADLINE_REQUIRE_SERVICES=1 requires it`);
    console.warn(`${line}: cluster suites skipped (set THREADLINE_REQUIRE_SERVICES=1 to fail instead)`);
  }
  return {
    test: {
      name: 'cluster',
      environment: 'node',
      include: missing.length ? [] : ['*.test.mjs'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // The chaos run and the feature suite each start their own processes: one at a time.
      fileParallelism: false,
    },
  };
});
