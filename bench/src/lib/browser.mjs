// Debian Chromium (the journeys' launcher, examples/e2e/support/chromium.mjs), plus a tiny static
// server on 127.0.0.1.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname } from 'node:path';
import { launchChromium as launchDebianChromium } from '../../../examples/e2e/support/chromium.mjs';

/**
 * Chromium for a benchmark: nothing but loopback resolves, so peers that call home fail fast instead of leaving the machine.
 * `extraArgs` go to the browser too (e.g. `--remote-debugging-port` for Lighthouse).
 */
export function launchChromium(extraArgs = []) {
  return launchDebianChromium(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost', ...extraArgs]);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/**
 * A static server: `routes` maps a URL prefix to a directory or to a function returning
 * { body, type } (or null for 404). Longest prefix wins.
 */
export async function startStaticServer(routes) {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    for (const prefix of prefixes) {
      if (!path.startsWith(prefix)) continue;
      const target = routes[prefix];
      const rest = path.slice(prefix.length);
      if (typeof target === 'function') {
        const out = target(rest, url);
        if (!out) break;
        res.writeHead(200, { 'content-type': out.type ?? TYPES[extname(rest)] ?? 'text/plain', 'cache-control': 'no-store' });
        res.end(out.body);
        return;
      }
      const file = `${target}/${rest.replace(/^\/+/, '')}`;
      if (!rest.includes('..') && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=3600' });
        createReadStream(file).pipe(res);
        return;
      }
      break;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Main-thread figures from a Chromium trace.
 * - scriptMs: EvaluateScript / FunctionCall / v8.evaluateModule events whose URL matches, merged
 *   so nested events count once, on renderer main threads.
 * - busyMs: top-level RunTask time on renderer main threads.
 * - cpuLongTasks: those tasks whose main-thread CPU time (the trace's thread duration) is 50 ms or
 *   more, as [start µs, CPU ms]. DevTools' CPU throttling keeps the thread busy, so at 4× a task's
 *   CPU time is what it lasts on an idle machine; on a shared one its wall time also holds the
 *   time the renderer waited for a core, which the long-task observer counts.
 * `from`/`to` (trace µs) restrict the window; `matchPage` picks the page's renderer processes by
 * URL; `TimeStamp` marks are returned by message.
 */
export function analyseTrace(buf, matchUrl, { from = -Infinity, to = Infinity, matchPage = () => true } = {}) {
  const { traceEvents = [] } = typeof buf === 'object' && !Buffer.isBuffer(buf) ? buf : JSON.parse(buf.toString('utf8'));
  // Renderer processes that loaded something of the page's origin (a trace covers the browser).
  const pids = new Set();
  for (const e of traceEvents) {
    const d = e.args?.data ?? e.args?.beginData;
    const url = d?.url ?? d?.documentURL;
    if (typeof url === 'string' && matchPage(url)) pids.add(e.pid);
  }
  const mainThreads = new Set();
  for (const e of traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && pids.has(e.pid)) mainThreads.add(`${e.pid}:${e.tid}`);
  }
  const marks = {};
  const cpuLongTasks = [];
  const scriptSpans = new Map();
  const busySpans = new Map();
  const push = (map, key, s, d) => {
    if (!map.has(key)) map.set(key, []);
    map.get(key).push([s, s + d]);
  };
  for (const e of traceEvents) {
    if (e.name === 'TimeStamp' && e.args?.data?.message) marks[e.args.data.message] = e.ts;
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || !mainThreads.has(key) || e.ts < from || e.ts > to) continue;
    if (e.name === 'RunTask') {
      push(busySpans, key, e.ts, e.dur ?? 0);
      if ((e.tdur ?? 0) >= 50_000) cpuLongTasks.push([e.ts, e.tdur / 1000]);
    }
    if (e.name === 'EvaluateScript' || e.name === 'FunctionCall' || e.name === 'v8.evaluateModule') {
      const url = e.args?.data?.url ?? '';
      if (url && matchUrl(url)) push(scriptSpans, key, e.ts, e.dur ?? 0);
    }
  }
  const merged = (map) => {
    let total = 0;
    for (const spans of map.values()) {
      spans.sort((a, b) => a[0] - b[0]);
      let [cs, ce] = [null, null];
      for (const [s, e] of spans) {
        if (cs === null) [cs, ce] = [s, e];
        else if (s <= ce) ce = Math.max(ce, e);
        else {
          total += ce - cs;
          [cs, ce] = [s, e];
        }
      }
      if (cs !== null) total += ce - cs;
    }
    return total / 1000;
  };
  return { scriptMs: merged(scriptSpans), busyMs: merged(busySpans), marks, cpuLongTasks };
}
