// Shared helpers for the benchmarks: paths, compression, esbuild bundling, tables, results.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROOT_DIR = resolve(BENCH_DIR, '..');
export const OUT_DIR = join(BENCH_DIR, '.out');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const WIDGET_DIR = join(ROOT_DIR, 'packages', 'widget');
export const CORE_DIR = join(ROOT_DIR, 'packages', 'core');
export const SERVER_DIR = join(ROOT_DIR, 'packages', 'server');
export const NM = join(BENCH_DIR, 'node_modules');

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Raw, gzip -9 and brotli q11 sizes of a buffer. */
export function sizesOf(buf) {
  const raw = buf.length;
  const gzip = gzipSync(buf, { level: 9 }).length;
  const brotli = brotliCompressSync(buf, {
    params: {
      [zc.BROTLI_PARAM_QUALITY]: 11,
      [zc.BROTLI_PARAM_MODE]: zc.BROTLI_MODE_TEXT,
      [zc.BROTLI_PARAM_SIZE_HINT]: raw,
    },
  }).length;
  return { raw, gzip, brotli };
}

export function sizesOfFiles(files) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) {
    const s = sizesOf(readFileSync(f));
    total.raw += s.raw;
    total.gzip += s.gzip;
    total.brotli += s.brotli;
  }
  return total;
}

export function addSizes(...list) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const s of list) {
    if (!s) continue;
    total.raw += s.raw;
    total.gzip += s.gzip;
    total.brotli += s.brotli;
  }
  return total;
}

export function kib(bytes) {
  if (bytes == null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 2 : 1)} KiB`;
}

export function ms(v, digits = 0) {
  if (v == null || Number.isNaN(v)) return '—';
  return `${v.toFixed(digits)} ms`;
}

export function median(values) {
  const v = values.filter((x) => x != null && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function percentile(values, p) {
  const v = values.filter((x) => x != null && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const idx = Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1));
  return v[idx];
}

/** A GitHub-flavoured markdown table. */
export function table(headers, rows, align) {
  const a = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = a.map((x) => (x === 'r' ? '---:' : x === 'c' ? ':---:' : '---'));
  const line = (cells) => `| ${cells.map((c) => String(c ?? '—').replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(sep), ...rows.map(line)].join('\n');
}

/**
 * Bundle an entry with esbuild: minified IIFE for browsers, production defines.
 * `stdin` is the entry source, resolved from `resolveDir`.
 */
export async function bundle({ name, contents, resolveDir = BENCH_DIR, plugins = [], conditions, globalName }) {
  const esbuild = await import('esbuild');
  const outfile = join(ensureDir(join(OUT_DIR, 'bundles')), `${name}.js`);
  const result = await esbuild.build({
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: `${name}.entry.ts` },
    bundle: true,
    minify: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2020',
    outfile,
    write: true,
    legalComments: 'none',
    logLevel: 'silent',
    conditions,
    metafile: true,
    define: {
      'process.env.NODE_ENV': '"production"',
      global: 'globalThis',
    },
    plugins,
  });
  return { outfile, metafile: result.metafile, warnings: result.warnings };
}

export function machineInfo() {
  const c = cpus();
  return {
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadavg1: Number(loadavg()[0].toFixed(1)),
  };
}

export function saveResult(name, data) {
  ensureDir(RESULTS_DIR);
  const payload = { name, date: new Date().toISOString(), machine: machineInfo(), ...data };
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(payload, null, 2));
  // Other work on a shared machine moves timings: the 1-minute load average goes with the figures.
  if (data.markdown) writeFileSync(join(RESULTS_DIR, `${name}.md`), `${data.markdown}\n\nMachine load average (1 min) when this finished: ${payload.machine.loadavg1} on ${payload.machine.cores} cores.`);
  return payload;
}

export function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function exists(p) {
  return existsSync(p);
}

export function pkgVersion(name, from = NM) {
  const j = readJson(join(from, name, 'package.json'));
  return j?.version ?? '?';
}
