import { defineConfig } from 'vitest/config';

// One run covers every package and the end-to-end journeys; each keeps its own config. The
// server's suite runs twice: on SQLite (packages/server/vitest.config.ts) and on PostgreSQL.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'packages/server/vitest.postgres.config.ts', 'packages/server/vitest.cluster.config.ts', 'examples/*/vitest.config.ts'],
  },
});
