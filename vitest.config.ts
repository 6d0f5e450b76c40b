import { defineConfig } from 'vitest/config';

// One run covers every package and the end-to-end journeys; each keeps its own config.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
});
