// Threadline's own artefacts for the benchmarks: the widget's built parts, @threadline/core
// bundled alone, and "the floor" — only what we import from preact, socket.io-client and
// idb-keyval, so the tables show how much of our size is our own code.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BENCH_DIR, CORE_DIR, ROOT_DIR, WIDGET_DIR, bundle, readJson } from './lib/common.mjs';

const FLOOR_LIBS = ['preact', 'preact/hooks', 'preact/jsx-runtime', 'socket.io-client', 'idb-keyval'];

/** Used until the sources import anything from the floor libraries. */
const DEFAULT_IMPORTS = {
  preact: ['h', 'render'],
  'preact/hooks': ['useState', 'useEffect', 'useRef', 'useCallback', 'useMemo'],
  'socket.io-client': ['io'],
  'idb-keyval': ['get', 'set', 'del', 'createStore', 'update', 'entries', 'keys', 'delMany'],
};

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (name === 'node_modules' || name === 'test' || name === '__tests__') continue;
      walk(p, out);
    } else if (/\.(ts|tsx|js|jsx|mjs)$/.test(name) && !/\.(test|spec)\.[jt]sx?$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

/**
 * Named value imports from the floor libraries across packages/core/src and packages/widget/src.
 * Type-only imports are skipped; TSX files with the automatic runtime add preact/jsx-runtime.
 */
export function scanFloorImports() {
  const found = {};
  const add = (mod, name) => {
    (found[mod] ??= new Set()).add(name);
  };
  let tsx = false;
  const files = [...walk(join(CORE_DIR, 'src')), ...walk(join(WIDGET_DIR, 'src'))];
  const re = /import\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    if (f.endsWith('.tsx')) tsx = true;
    for (const m of src.matchAll(re)) {
      const [, typeOnly, clause, mod] = m;
      if (typeOnly || !FLOOR_LIBS.includes(mod)) continue;
      const named = clause.match(/\{([^}]*)\}/);
      if (named) {
        for (const part of named[1].split(',')) {
          const p = part.trim();
          if (!p || p.startsWith('type ')) continue;
          add(mod, p.split(/\s+as\s+/)[0].trim());
        }
      }
      const def = clause.replace(/\{[^}]*\}/, '').replace(/,/g, ' ').trim();
      if (def.startsWith('* as')) add(mod, '*');
      else if (def) add(mod, 'default');
    }
  }
  const tsconfig = readJson(join(WIDGET_DIR, 'tsconfig.json'));
  if (tsx && tsconfig?.compilerOptions?.jsxImportSource === 'preact') {
    for (const n of ['jsx', 'jsxs', 'Fragment']) add('preact/jsx-runtime', n);
  }
  const scanned = Object.keys(found).length > 0;
  const imports = {};
  for (const mod of FLOOR_LIBS) {
    const names = found[mod] ? [...found[mod]] : scanned ? [] : (DEFAULT_IMPORTS[mod] ?? []);
    if (names.length) imports[mod] = names.sort();
  }
  // The floor always holds the three libraries' entry points we cannot do without.
  imports.preact ??= ['h', 'render'];
  if (!imports.preact.includes('render')) imports.preact.push('render');
  imports['socket.io-client'] ??= ['io'];
  imports['idb-keyval'] ??= DEFAULT_IMPORTS['idb-keyval'];
  return { imports, scanned, files: files.length };
}

/** Directory whose node_modules a package should be resolved from: the one of our packages that depends on it. */
function ownerDir(mod) {
  const base = mod.startsWith('preact') ? 'preact' : mod;
  for (const dir of [WIDGET_DIR, CORE_DIR]) {
    if (existsSync(join(dir, 'node_modules', base, 'package.json'))) return dir;
  }
  return BENCH_DIR;
}

/** esbuild plugin: resolve the floor libraries from the package that really uses them. */
const ownerResolve = {
  name: 'owner-resolve',
  setup(build) {
    build.onResolve({ filter: /^(preact|socket\.io-client|idb-keyval)(\/.*)?$/ }, async (args) => {
      if (args.pluginData?.owned) return undefined;
      const dir = ownerDir(args.path);
      if (args.importer && !args.importer.endsWith('.entry.ts')) return undefined;
      const r = await build.resolve(args.path, { resolveDir: dir, kind: args.kind, pluginData: { owned: true } });
      return r.errors.length ? undefined : { path: r.path };
    });
  },
};

export async function buildFloor() {
  const { imports, scanned } = scanFloorImports();
  let src = '';
  const names = [];
  let i = 0;
  for (const [mod, list] of Object.entries(imports)) {
    for (const n of list) {
      const local = `f${i++}`;
      if (n === '*') src += `import * as ${local} from '${mod}';\n`;
      else if (n === 'default') src += `import ${local} from '${mod}';\n`;
      else src += `import { ${n} as ${local} } from '${mod}';\n`;
      names.push(local);
    }
  }
  src += `(window as any).__floor = [${names.join(', ')}];\n`;
  const { outfile } = await bundle({ name: 'floor', contents: src, plugins: [ownerResolve] });
  const versions = {};
  for (const base of ['preact', 'socket.io-client', 'idb-keyval']) {
    versions[base] = readJson(join(ownerDir(base), 'node_modules', base, 'package.json'))?.version ?? '?';
  }
  return { files: [outfile], imports, scanned, versions };
}

/**
 * @threadline/core bundled alone (with protocol, socket.io-client and idb-keyval) as an app's
 * bundler would: esbuild, ESM with code splitting, so its on-demand parts (sending, conversation,
 * HTTP, schema upgrade, long-polling) are chunks of their own. `files` is every chunk (the whole
 * core, what peers' SDKs are compared with); `initial` the entry and its static imports.
 */
export async function buildCore() {
  const entry = join(CORE_DIR, 'src', 'index.ts');
  if (!existsSync(entry)) return null;
  try {
    const esbuild = await import('esbuild');
    const outdir = join(BENCH_DIR, 'results', 'bundles', 'threadline-core');
    rmSync(outdir, { recursive: true, force: true });
    const result = await esbuild.build({
      entryPoints: { index: entry },
      bundle: true,
      splitting: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      conditions: ['source'],
      outdir,
      metafile: true,
      legalComments: 'none',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    });
    const outputs = result.metafile.outputs;
    const files = Object.keys(outputs).filter((f) => f.endsWith('.js')).map((f) => resolve(f));
    const initial = new Set();
    const walkStatic = (f) => {
      if (initial.has(f)) return;
      initial.add(f);
      for (const i of outputs[f].imports) if (i.kind === 'import-statement') walkStatic(i.path);
    };
    walkStatic(Object.keys(outputs).find((f) => f.endsWith('/index.js')));
    // Until core really opens a socket, its bundle is a scaffold, not something to compare with.
    const complete = Object.keys(result.metafile.inputs).some((f) => f.includes('socket.io-client'));
    return { files, initial: [...initial].map((f) => resolve(f)), complete };
  } catch (err) {
    return { error: String(err.message ?? err).split('\n')[0] };
  }
}

/**
 * The widget's built parts, read from packages/widget/dist. The loader stub, the initial chunk(s)
 * a page loads, the panel chunk(s) loaded on first open and the chunks loaded on demand. A manifest
 * at dist/parts.json ({ stub: [...], initial: [...], panel: [...], onDemand: { file: [sources] } },
 * paths relative to dist/, written by the widget build) wins when present;
 * otherwise files are classified by name.
 */
export function widgetParts() {
  const dist = join(WIDGET_DIR, 'dist');
  if (!existsSync(dist)) return null;
  const manifest = readJson(join(dist, 'parts.json')) ?? readJson(join(dist, 'size-manifest.json'));
  if (manifest && (manifest.stub || manifest.initial || manifest.panel)) {
    const abs = (l) => (Array.isArray(l) ? l : l ? [l] : []).map((f) => join(dist, f)).filter(existsSync);
    // Chunks loaded only when a feature needs them (e.g. long-polling where WebSocket is blocked).
    const onDemand = Object.entries(manifest.onDemand ?? {}).map(([file, sources]) => ({ files: abs(file), sources }));
    return { dist, stub: abs(manifest.stub), initial: abs(manifest.initial), connect: abs(manifest.connect), panel: abs(manifest.panel), onDemand, source: 'dist/parts.json' };
  }
  const all = walk(dist).filter((f) => /\.m?js$/.test(f) && !f.includes(`${join(dist, 'lib')}/`));
  const rel = (f) => relative(dist, f);
  const stub = all.filter((f) => /(^|[/._-])(stub|loader|snippet)([._-]|$)/i.test(rel(f)));
  const panel = all.filter((f) => !stub.includes(f) && /panel/i.test(rel(f)));
  const initial = all.filter((f) => !stub.includes(f) && !panel.includes(f));
  if (!stub.length && !initial.length && !panel.length) return null;
  return { dist, stub, initial, panel, source: 'file names in dist/' };
}

export function relToRoot(f) {
  return relative(ROOT_DIR, f);
}
