import { defineConfig } from 'vite';

// The reference server serves the build at /agent/, on the same origin as the API. In
// development Vite proxies the API and the socket to a server on THREADLINE_URL.
const server = process.env.THREADLINE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/agent/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    host: '127.0.0.1',
    port: 5174,
    strictPort: true,
    proxy: {
      '/v1': { target: server, changeOrigin: false },
      '/socket.io': { target: server, ws: true, changeOrigin: false },
    },
  },
});
