import { defineConfig } from 'vite';

export default defineConfig({
  base: '/headless/',
  resolve: { conditions: ['source'] },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
