import { defineProject } from 'vitest/config';
import { ADMIN_HOST, whyPostgresUnusable } from './src/test/postgres.ts';
import { REDIS_HOST, whyRedisUnusable } from './src/test/redis.ts';

/**
 * Several server nodes on one PostgreSQL database and one Redis (`src/**\/*.cluster.test.ts`,
 * started by src/test/nodes.ts). Needs both; without them the suite is skipped with one line, or
 * fails under THREADLINE_REQUIRE_SERVICES=1 (CI, .ci/run), so CI always runs it.
 */
export default defineProject(async () => {
  const [pg, redis] = await Promise.all([whyPostgresUnusable(), whyRedisUnusable()]);
  const missing = [pg && `PostgreSQL not reachable on ${ADMIN_HOST} (${pg})`, redis && `Redis not reachable on ${REDIS_HOST} (${redis})`].filter(Boolean);
  if (missing.length) {
    const line = missing.join('; ');
    if (process.env.THREADLINE_REQUIRE_SERVICES === '1') throw new Error(`${line}, and THREADLINE_REQUIRE_SERVICES=1 requires it`);
    console.warn(`${line}: multi-node suites skipped (set THREADLINE_REQUIRE_SERVICES=1 to fail instead)`);
  }
  return {
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      name: 'server-cluster',
      environment: 'node',
      include: missing.length ? [] : ['src/**/*.cluster.test.ts'],
      globalSetup: ['./src/test/postgres-setup.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
