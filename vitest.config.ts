import { defineConfig } from 'vitest/config';

// One run covers every package; each package keeps its own config (environment, setup files).
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
