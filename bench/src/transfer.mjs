// pnpm --filter @threadline/bench run transfer — the bytes the widget costs a shop's visitors on the
// wire, as the reference server sends it (packages/server/dist, started on 127.0.0.1 serving
// packages/widget/dist at /widget/).
//
// Each request is a raw HTTP/1.1 exchange over a socket; a row counts every byte of the
// responses (status line, headers, body; no TLS, no TCP), for three kinds of client:
// - no Accept-Encoding (a client that takes no compression);
// - `gzip, deflate` (what browsers offer over plain HTTP to a host other than localhost);
// - `gzip, deflate, br, zstd` (Chromium and Firefox over HTTPS, and Chromium to localhost).
// Every body is decoded and compared with the file in dist/: the bench fails on a wrong answer.
// Visits:
// - first page load: the install snippet's `threadline.js`, the `threadline-main.js` it imports
//   and the socket.io chunk (dist/parts.json `connect`) fetched when the client first connects
//   (`loader.js` when the page uses it instead of the inline snippet is its own row);
// - first open of the panel: the panel part of dist/parts.json;
// - a page load a minute later, and a day later: what the first responses' Cache-Control lets
//   the browser take from its cache without asking (fresh), the rest asked again with
//   If-None-Match / If-Modified-Since (a 304 costs its headers).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { basename, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { kib, saveResult, table } from './lib/common.mjs';
import { serverBuilt, startServer } from './lib/server-proc.mjs';
import { widgetParts } from './ours.mjs';

const CLIENTS = [
  { label: 'no Accept-Encoding', acceptEncoding: null },
  { label: '`gzip, deflate`', acceptEncoding: 'gzip, deflate' },
  { label: '`gzip, deflate, br, zstd`', acceptEncoding: 'gzip, deflate, br, zstd' },
];
const ORIGIN = 'https://shop.example';

/** One GET on a fresh connection; resolves with the response's bytes, status, headers and decoded body. */
function get(url, headers) {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const h = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = raw.subarray(split + 4);
      if (/chunked/i.test(h['transfer-encoding'] ?? '')) body = dechunk(body);
      resolve({ bytes: raw.length, status, headers: h, body });
    });
    const lines = [`GET ${pathname} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    // write, not end: a half-closed socket may be closed by the server before it answers.
    socket.write(lines.join('\r\n') + '\r\n\r\n');
  });
}

function dechunk(buf) {
  const out = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!size) return Buffer.concat(out);
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function decode(res) {
  const enc = res.headers['content-encoding'];
  if (!enc || enc === 'identity') return res.body;
  if (enc === 'br') return zlib.brotliDecompressSync(res.body);
  if (enc === 'gzip') return zlib.gunzipSync(res.body);
  if (enc === 'deflate') return zlib.inflateSync(res.body);
  throw new Error(`unexpected Content-Encoding ${enc}`);
}

/** Seconds the response may be used without asking again (max-age; 0 without one). */
const maxAge = (res) => Number(/max-age=(\d+)/.exec(res.headers['cache-control'] ?? '')?.[1] ?? 0);

/** A later page load `afterSeconds` after `first`: fresh responses cost nothing, stale ones are revalidated. */
async function revisit(base, first, afterSeconds, client) {
  let bytes = 0;
  const revalidated = [];
  for (const [file, res] of first) {
    if (maxAge(res) > afterSeconds) continue;
    const conditional = res.headers.etag ? { 'If-None-Match': res.headers.etag } : res.headers['last-modified'] ? { 'If-Modified-Since': res.headers['last-modified'] } : {};
    const again = await get(`${base}/widget/${file}`, { ...requestHeaders(client), ...conditional });
    bytes += again.bytes;
    revalidated.push(`${file} ${again.status}`);
  }
  return { bytes, revalidated };
}

const requestHeaders = (client) => ({ Origin: ORIGIN, ...(client.acceptEncoding ? { 'Accept-Encoding': client.acceptEncoding } : {}) });

export async function runTransfer({ quiet = false } = {}) {
  const parts = widgetParts();
  if (!parts?.initial.length || !serverBuilt()) {
    const md = `Not measured: ${[!parts?.initial.length && 'packages/widget/dist', !serverBuilt() && 'packages/server/dist'].filter(Boolean).join(' and ')} not built (run \`pnpm build\`).`;
    if (!quiet) console.log(md);
    return { md };
  }
  const name = (f) => relative(parts.dist, f).split('\\').join('/');
  const initial = parts.initial.map(name);
  const connect = (parts.connect ?? []).map(name);
  const visits = [
    { label: 'Page load: bootstrap and main module', files: initial },
    ...(connect.length ? [{ label: 'Page load: socket.io, when the client first connects', files: connect }] : []),
    { label: 'First page load in all (install snippet, widget connected)', files: [...initial, ...connect], total: true },
    { label: 'First page load, `loader.js` instead of the inline snippet: add', files: parts.stub.map(name) },
    { label: 'First open of the panel', files: parts.panel.map(name) },
  ];
  const server = await startServer({ env: { THREADLINE_WIDGET_DIR: parts.dist } });
  const results = [];
  const perFile = [];
  try {
    for (const client of CLIENTS) {
      const first = new Map();
      const row = {};
      for (const visit of visits) {
        let bytes = 0;
        if (visit.total) {
          row[visit.label] = visit.files.reduce((n, f) => n + first.get(f).bytes, 0);
          continue;
        }
        for (const file of visit.files) {
          const res = await get(`${server.url}/widget/${file}`, requestHeaders(client));
          if (res.status !== 200) throw new Error(`GET /widget/${file}: ${res.status}`);
          if (!decode(res).equals(readFileSync(`${parts.dist}/${file}`))) throw new Error(`GET /widget/${file} (${client.label}): the decoded body is not the file`);
          bytes += res.bytes;
          first.set(file, res);
          if (client === CLIENTS.at(-1)) {
            perFile.push([file, kib(res.body.length), res.headers['content-encoding'] ?? 'identity', kib(res.bytes), `\`${res.headers['cache-control'] ?? '—'}\``, res.headers.etag ? 'yes' : '—']);
          }
        }
        row[visit.label] = bytes;
      }
      // Return visits replay the install snippet's page with the panel opened before: everything cached.
      const minute = await revisit(server.url, first, 60, client);
      const day = await revisit(server.url, first, 86_400, client);
      row.minute = minute;
      row.day = day;
      results.push({ client: client.label, row });
    }
  } finally {
    await server.stop();
    server.cleanup();
  }

  const rows = [
    ...visits.map((v) => [v.total ? `**${v.label}**` : v.label, v.total ? 'the page-load rows above' : v.files.join(', '), ...results.map((r) => (v.total ? `**${kib(r.row[v.label])}**` : kib(r.row[v.label])))]),
    ['Page load a minute later (panel opened before)', 'revalidated: ' + (results.at(-1).row.minute.revalidated.join(', ') || 'none'), ...results.map((r) => kib(r.row.minute.bytes))],
    ['Page load a day later (panel opened before)', 'revalidated: ' + (results.at(-1).row.day.revalidated.join(', ') || 'none'), ...results.map((r) => kib(r.row.day.bytes))],
  ];
  const md = [
    table(['Visit', 'Files', ...CLIENTS.map((c) => c.label)], rows, ['l', 'l', 'r', 'r', 'r']),
    '',
    `Bytes received, headers included (HTTP/1.1 over loopback, no TLS), from the reference server serving \`${basename(parts.dist)}/\` at \`/widget/\`; the columns are the client's \`Accept-Encoding\`. Every body is decoded and checked against its file.`,
    'Later page loads: a response whose `max-age` has not run out is taken from the browser cache (0 B); the others are asked again with their validator, and a `304 Not Modified` costs its headers.',
    'Until the server sent these files compressed and cached (docs/server.md, "The widget\'s files"), every client got the first column, and every later page load asked for every file again (`max-age=0`).',
    '',
    `Per file, client \`${CLIENTS.at(-1).acceptEncoding}\`:`,
    '',
    table(['File', 'Body', 'Encoding', 'On the wire', 'Cache-Control', 'ETag'], perFile, ['l', 'r', 'l', 'r', 'l', 'l']),
  ].join('\n');
  if (!quiet) {
    console.log('\n## Widget transfer (`pnpm --filter @threadline/bench run transfer`)\n');
    console.log(md);
  }
  saveResult('transfer', { markdown: md, results: results.map((r) => ({ client: r.client, ...r.row })) });
  return { md, results };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runTransfer().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
