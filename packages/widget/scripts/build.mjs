// Builds dist/: the loader stub, the initial chunk (threadline.js: launcher + core), the panel
// chunk loaded on first open, and the npm library (dist/lib, with .d.ts from tsc).
// The script-tag chunks are separate self-contained builds: a classic <script> cannot share ES
// modules, so the panel carries its own copy of Preact (measured, and within its budget).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const shared = {
  configFile: false,
  root,
  logLevel: 'warn',
  resolve: { conditions: ['source', 'module', 'browser', 'production'] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  define: { 'process.env.NODE_ENV': '"production"' },
};

// Not Vite's library mode: that keeps whitespace in ES output. A plain build with one input,
// exports kept, is fully minified in every format.
async function bundle({ entry, fileName, format, outDir = dist, external }) {
  await build({
    ...shared,
    build: {
      outDir,
      emptyOutDir: false,
      // ES2022 keeps the core's #private fields native: down-levelled to WeakMaps they cost
      // 1.4 KiB gzip in the initial chunk. Private methods need Safari 15+ / Chrome 84+.
      target: 'es2022',
      // Browsers with logical properties (inset-inline-*): older targets make the CSS minifier
      // expand each one into long :lang() lists, several KiB for nothing.
      cssTarget: ['chrome100', 'edge100', 'firefox100', 'safari16'],
      minify: true,
      sourcemap: false,
      reportCompressedSize: false,
      copyPublicDir: false,
      modulePreload: false,
      rolldownOptions: {
        input: join(root, entry),
        external,
        preserveEntrySignatures: 'exports-only',
        output: {
          format,
          entryFileNames: fileName,
          chunkFileNames: '[name]-[hash].js',
          ...(format === 'iife' ? { codeSplitting: false } : {}),
        },
      },
    },
  });
}

await bundle({ entry: 'src/script/loader.ts', fileName: 'loader.js', format: 'iife' });
await bundle({ entry: 'src/script/entry.ts', fileName: 'threadline.js', format: 'iife' });
await bundle({ entry: 'src/panel/entry.tsx', fileName: 'threadline-panel.js', format: 'es' });
// npm: Preact and the workspace packages stay imports; the panel becomes a lazy chunk.
await bundle({
  entry: 'src/index.ts',
  fileName: 'index.js',
  format: 'es',
  outDir: join(dist, 'lib'),
  external: (id) => /^(preact|@threadline\/)/.test(id),
});
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.json')], { stdio: 'inherit' });

const parts = { stub: ['loader.js'], initial: ['threadline.js'], panel: ['threadline-panel.js'] };
writeFileSync(join(dist, 'parts.json'), JSON.stringify(parts, null, 2) + '\n');
for (const [part, files] of Object.entries(parts)) {
  for (const f of files) {
    const buf = readFileSync(join(dist, f));
    console.log(`${part.padEnd(8)} ${f.padEnd(22)} ${(buf.length / 1024).toFixed(2).padStart(7)} KiB raw ${(gzipSync(buf, { level: 9 }).length / 1024).toFixed(2).padStart(7)} KiB gzip`);
  }
}
