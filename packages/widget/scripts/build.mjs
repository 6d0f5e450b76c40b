// Builds dist/: the loader stub (loader.js), the script-tag bootstrap (threadline.js, a classic
// script), the widget's ES modules (threadline-main.js and its chunks: the panel and the parts
// loaded on demand, with Preact and the core shared between them), and the npm library (dist/lib,
// with .d.ts from tsc). Prints each part's size and writes dist/parts.json, which the size budget
// (bench/size-budget.mjs) and the benchmarks read. Writes a brotli and a gzip copy beside each file
// of the script-tag bundle (`threadline-main.js.br`, `.gz`), which servers send as they are.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import zlib, { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

/**
 * engine.io-client, trimmed to what the core loads up front (socketio-transport.ts passes transport
 * classes, never names):
 * - its name → transport table pulls every transport (long-polling, WebSocket, WebTransport) into
 *   any bundle: replaced with an empty table, which is never read when classes are passed;
 * - its index re-exports the long-polling and WebTransport classes, so their modules (which run
 *   code at import: an XMLHttpRequest probe, a `pagehide` listener on the page) would land in the
 *   initial chunk: those re-exports become `undefined`;
 * - the core's polling.ts gets long-polling from its own module instead, so long-polling ships as
 *   a chunk loaded only when WebSocket does not get through;
 * - socket.io-parser's binary support (walking every outgoing payload for Blobs and buffers,
 *   re-assembling binary attachments) and engine.io-parser's base64 decoder for binary packets
 *   over long-polling go: the protocol is JSON only (@threadline/protocol).
 *   Nothing binary is ever sent; a binary packet from a server fails as a parse error, which
 *   socket.io handles by reconnecting.
 * (trim-engine-io names the first of these; the plugin covers the socket.io stack.)
 * Checked by the build (the polling chunk must hold the XHR transport) and by the e2e journey that
 * blocks WebSocket.
 */
/**
 * engine.io's `parse` (a 1.6 KB regular-expression URI parser kept for platforms without `URL`)
 * becomes the browser's URL API: every browser the widget supports has it. It returns what
 * socket.io and engine.io read of it (protocol, host without IPv6 brackets, port, path, query,
 * queryKey, source) for the absolute http(s)/ws(s) server URLs they hand it, or a bare
 * `host[:port]` (engine.io's `opts.host`). Checked by every browser journey (each connects).
 */
const PARSE_URI = `export function parse(str) {
  const u = new URL(/^[a-z]+:\\/\\//i.test(str) ? str : 'http://' + str);
  const query = u.search.slice(1);
  return {
    source: str,
    protocol: u.protocol.slice(0, -1),
    host: u.hostname.replace(/^\\[|\\]$/g, ''),
    port: u.port,
    path: u.pathname,
    query,
    queryKey: Object.fromEntries(new URLSearchParams(query)),
  };
}`;
const ENGINE = /[\\/]engine\.io-client[\\/]build[\\/]esm[\\/]/;
const PARSER = /[\\/]socket\.io-parser[\\/]build[\\/]esm[\\/]/;
const trimEngine = {
  name: 'threadline:trim-engine-io',
  enforce: 'pre',
  async resolveId(source, importer) {
    if (!importer) return null;
    if (ENGINE.test(importer) && source === './transports/index.js') return '\0threadline-no-transport-table';
    if (ENGINE.test(importer) && source === './contrib/parseuri.js') return '\0threadline-parseuri';
    if (PARSER.test(importer) && (source === './binary.js' || source === './is-binary.js')) return '\0threadline-no-binary';
    if (/[\\/]engine\.io-parser[\\/]build[\\/]esm[\\/]decodePacket\.browser\.js$/.test(importer) && source === './contrib/base64-arraybuffer.js') {
      return '\0threadline-no-base64';
    }
    if (ENGINE.test(importer) && /[\\/]esm[\\/]index\.js$/.test(importer) && /^\.\/transports\/(polling|webtransport)/.test(source)) {
      return '\0threadline-absent-transport';
    }
    if (source === 'socket.io-client' && /[\\/]core[\\/]src[\\/]transport[\\/]polling\.ts$/.test(importer)) {
      const sio = await this.resolve('socket.io-client', importer, { skipSelf: true });
      const engine = await this.resolve('engine.io-client', sio.id, { skipSelf: true });
      return { id: '\0threadline-polling?' + engine.id.replace(/index\.js$/, 'transports/polling-xhr.js') };
    }
    return null;
  },
  load(id) {
    if (id === '\0threadline-no-transport-table') return 'export const transports = {};';
    if (id === '\0threadline-parseuri') return PARSE_URI;
    if (id === '\0threadline-no-base64') return 'export function decode() { throw new Error("Threadline does not use binary engine.io packets"); }';
    if (id === '\0threadline-no-binary') {
      return (
        'export const isBinary = () => false, hasBinary = () => false;' +
        'export function deconstructPacket() { throw new Error("Threadline does not use binary socket.io packets"); }' +
        'export const reconstructPacket = deconstructPacket;'
      );
    }
    if (id === '\0threadline-absent-transport') return 'export const XHR = undefined, WT = undefined, Fetch = undefined;';
    if (id.startsWith('\0threadline-polling?')) return `export { XHR as NodeXHR } from ${JSON.stringify(id.slice('\0threadline-polling?'.length))};`;
    return null;
  },
};

/**
 * Vite wraps each dynamic import in a preload helper that injects <link rel=modulepreload> tags
 * into the host page's head and dispatches `vite:preloadError` events on the host's window. The
 * widget must not touch the page that way, and its chunks carry their own static imports: the
 * wrapper just calls the import.
 */
const plainDynamicImport = {
  name: 'threadline:plain-dynamic-import',
  enforce: 'pre',
  load(id) {
    return id === '\0vite/preload-helper.js' ? 'export const __vitePreload = (load) => load();' : null;
  },
};

const shared = {
  configFile: false,
  root,
  logLevel: 'warn',
  resolve: { conditions: ['source', 'module', 'browser', 'production'] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  define: { 'process.env.NODE_ENV': '"production"' },
};

/**
 * engine.io's modules (and what the trim plugins put in place of some), with core's entry for them
 * — but not long-polling's, which stays in the chunk loaded only when WebSocket fails.
 */
const SOCKET_ENGINE = (id) =>
  /[\\/](engine\.io-client|engine\.io-parser|@socket\.io[\\/]component-emitter)[\\/]|threadline-(parseuri|no-transport-table|no-base64)|[\\/]core[\\/]src[\\/]transport[\\/]socket-engine\.ts$/.test(id) &&
  !/[\\/]engine\.io-client[\\/].*[\\/](transports[\\/]polling|contrib[\\/]has-cors)/.test(id);
const isPanelEntry = (chunk) => /[\\/]panel[\\/]entry\.tsx$/.test(chunk.facadeModuleId ?? '');

// Not Vite's library mode: that keeps whitespace in ES output. A plain build, exports kept, is
// fully minified in every format. Returns rolldown's output (chunks with their imports).
async function bundle({ entry, fileName, format, outDir = dist, external, define = {}, plugins = [], treeshake }) {
  const result = await build({
    ...shared,
    define: { ...shared.define, ...define },
    plugins,
    build: {
      outDir,
      emptyOutDir: false,
      // ES2022 keeps the core's #private fields native: down-levelled to WeakMaps they cost
      // 1.4 KiB gzip in the initial chunk. Private methods need Safari 15+ / Chrome 84+.
      target: 'es2022',
      // Browsers with logical properties (inset-inline-*): older targets make the CSS minifier
      // expand each one into long :lang() lists, several KiB for nothing.
      cssTarget: ['chrome100', 'edge100', 'firefox100', 'safari16'],
      // THREADLINE_NO_MINIFY=1: readable names in CPU profiles (for finding what a long task runs).
      minify: !process.env.THREADLINE_NO_MINIFY,
      sourcemap: false,
      reportCompressedSize: false,
      copyPublicDir: false,
      modulePreload: false,
      rolldownOptions: {
        input: typeof entry === 'string' ? join(root, entry) : entry,
        external,
        ...(treeshake ? { treeshake } : {}),
        // ES: the main module may export more than `start`, so rolldown can fold the modules it
        // shares with the panel and the on-demand chunks into it (one file on page load, not three).
        preserveEntrySignatures: format === 'iife' ? 'exports-only' : 'allow-extension',
        output: {
          format,
          entryFileNames: fileName,
          chunkFileNames: (chunk) => (isPanelEntry(chunk) ? 'threadline-panel-[hash].js' : 'tl-[name]-[hash].js'),
          // The panel's chunk runs nearly every function it holds as the panel first draws. V8's
          // explicit compile hint (Chrome 136+; other engines see a comment) compiles them all as
          // the chunk downloads, off the main thread, instead of one by one on it as the first
          // render calls them: the first renders' tasks took about half the CPU time at 4×.
          // Preact's chunk too (loaded with the panel only): its first run in the page compiled
          // its functions on the main thread, inside the first renders' tasks.
          postBanner: (chunk) => (isPanelEntry(chunk) || chunk.moduleIds.some((id) => /[\\/]preact[\\/]/.test(id)) ? '//# allFunctionsCalledOnLoad' : ''),
          // engine.io (the connection under socket.io) is the chunk of core's socket-engine entry
          // itself, not a chunk shared behind a one-line facade: main.ts imports it a task before
          // the socket chunk, which imports it (as does long-polling's) — one fetch, no hop.
          ...(format === 'iife' ? { codeSplitting: false } : { codeSplitting: { groups: [{ name: 'socket-engine', test: SOCKET_ENGINE }] } }),
        },
      },
    },
  });
  return (Array.isArray(result) ? result[0] : result).output.filter((o) => o.type === 'chunk');
}

// The widget's modules first: the bootstrap needs the list of the main module's static imports.
const chunks = await bundle({
  entry: { 'threadline-main': join(root, 'src/script/main.ts') },
  fileName: '[name].js',
  format: 'es',
  plugins: [trimEngine, plainDynamicImport],
});
if (process.env.THREADLINE_ANALYZE) for (const c of chunks) for (const [id, m] of Object.entries(c.modules)) console.log("MOD", c.fileName, m.renderedLength, id.replace(/^.*node_modules\//, "").replace(/^.*packages\//, ""));
const byName = new Map(chunks.map((c) => [c.fileName, c]));
/** A chunk and everything it imports statically: what the browser fetches when it is imported. */
const closure = (fileName, into = new Set()) => {
  if (into.has(fileName)) return into;
  into.add(fileName);
  for (const dep of byName.get(fileName)?.imports ?? []) closure(dep, into);
  return into;
};
const main = closure('threadline-main.js');
// threadline.js imports threadline-main.js alone: everything a page needs at load must be in it
// (shared modules are folded in, see preserveEntrySignatures), or the page waits on a waterfall.
if (main.size !== 1) throw new Error(`threadline-main.js imports other chunks statically: ${[...main].join(', ')}`);
await bundle({ entry: 'src/script/entry.ts', fileName: 'threadline.js', format: 'iife' });
await bundle({ entry: 'src/script/loader.ts', fileName: 'loader.js', format: 'iife' });
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

// Parts, by when a page loads them: `initial` on page load, `connect` when the client first
// connects (socket.io, fetched once storage is open, after the page's load), `panel` on first
// open (with the core's parts the open panel uses at once), `onDemand` only when a feature needs
// it (named after the source files they hold).
const initial = new Set(['threadline.js', ...main]);
const socketChunk = chunks.find((c) => c.moduleIds.some((id) => /[\\/]core[\\/]src[\\/]transport[\\/]socketio-transport\.ts$/.test(id)));
if (!socketChunk || initial.has(socketChunk.fileName)) throw new Error('socket.io must be a chunk of its own, loaded when the client connects');
// Evaluated in two tasks (main.ts): engine.io in the socket-engine entry's own chunk, imported by
// the socket chunk; long-polling's modules in neither.
const engineChunk = chunks.find((c) => c.moduleIds.some((id) => /[\\/]core[\\/]src[\\/]transport[\\/]socket-engine\.ts$/.test(id)));
const holds = (c, re) => c.moduleIds.some((id) => re.test(id));
if (!engineChunk || !holds(engineChunk, /engine\.io-client[\\/]build[\\/]esm[\\/]socket\.js$/) || !socketChunk.imports.includes(engineChunk.fileName)) {
  throw new Error('engine.io must be the socket-engine entry\'s own chunk, imported by the socket chunk');
}
if ([engineChunk, socketChunk].some((c) => holds(c, /polling-xhr|[\\/]core[\\/]src[\\/]transport[\\/]polling\.ts$/))) throw new Error('long-polling must stay out of the socket chunks');
const connect = [...closure(socketChunk.fileName)].filter((f) => !initial.has(f));
const panelChunk = chunks.find((c) => c.fileName.startsWith('threadline-panel-'));
const panel = [...closure(panelChunk.fileName)].filter((f) => !initial.has(f));
const onDemand = {};
for (const c of chunks) {
  if (initial.has(c.fileName) || panel.includes(c.fileName) || connect.includes(c.fileName)) continue;
  const sources = c.moduleIds.filter((id) => !id.includes('node_modules') && !id.startsWith('\0')).map((id) => id.replace(/^.*[\\/]packages[\\/]/, ''));
  // The core's conversation commands, sending loop and HTTP code load as soon as the open panel
  // is used (opening a thread marks it read; the composer sends): counted with the panel.
  if (sources.length && sources.every((f) => /^core\/src\/(conversation\/|outbox\/|http\.ts$)/.test(f))) panel.push(c.fileName);
  else onDemand[c.fileName] = sources.length ? sources : c.moduleIds.map((id) => id.replace(/^.*[\\/]node_modules[\\/]/, ''));
}
const parts = { stub: ['loader.js'], initial: [...initial], connect, panel, onDemand };
writeFileSync(join(dist, 'parts.json'), JSON.stringify(parts, null, 2) + '\n');

// Precompressed siblings of the script-tag bundle (not dist/lib: an npm user's bundler makes its
// own). The reference server sends them as they are (packages/server/src/http/widget.ts, which
// compresses a file itself when its sibling is missing or stale). Brotli quality 11 and gzip -9,
// the most each does: slow per byte, so paid here once, ~0.3 s on the thread pool, rather than by
// every server that starts.
const { constants } = zlib;
const bundleFiles = readdirSync(dist).filter((f) => /\.(js|css)$/.test(f));
await Promise.all(
  bundleFiles.flatMap((f) => {
    const data = readFileSync(join(dist, f));
    const brotli = { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } };
    return [
      promisify(zlib.brotliCompress)(data, brotli).then((out) => writeFileSync(join(dist, `${f}.br`), out)),
      promisify(zlib.gzip)(data, { level: constants.Z_BEST_COMPRESSION }).then((out) => writeFileSync(join(dist, `${f}.gz`), out)),
    ];
  }),
);

const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const line = (label, files) => {
  const raw = files.reduce((n, f) => n + readFileSync(join(dist, f)).length, 0);
  const gzip = files.reduce((n, f) => n + gz(f), 0);
  console.log(`${label.padEnd(10)} ${(raw / 1024).toFixed(2).padStart(7)} KiB raw ${(gzip / 1024).toFixed(2).padStart(7)} KiB gzip  ${files.join(' ')}`);
};
line('stub', parts.stub);
line('initial', parts.initial);
line('connect', parts.connect);
line('panel', parts.panel);
for (const [file, sources] of Object.entries(onDemand)) line('on demand', [file]), console.log(`           ${sources.join(', ')}`);
console.log(`precompressed ${bundleFiles.length} files: .br and .gz beside each`);
