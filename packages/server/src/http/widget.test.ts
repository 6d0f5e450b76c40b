import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, type Harness } from '../test/harness.js';
import { IMMUTABLE, SHORT_LIVED, locateWidget, negotiateCoding, type Coding } from './widget.js';

/** A project with `node_modules/@threadline/server` and, when asked, the widget beside it. */
function install(options: { widget: boolean; built?: boolean }): string {
  const root = tempDir();
  const scope = path.join(root, 'node_modules', '@threadline');
  fs.mkdirSync(path.join(scope, 'server', 'dist', 'http'), { recursive: true });
  if (options.widget) {
    const widget = path.join(scope, 'widget');
    fs.mkdirSync(path.join(widget, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(widget, 'package.json'), JSON.stringify({ name: '@threadline/widget', exports: { './dist/*': './dist/*' } }));
    if (options.built !== false) fs.writeFileSync(path.join(widget, 'dist', 'threadline.js'), '');
  }
  return root;
}

/** Where the server's http/widget.js sits in that project. */
const serverModule = (root: string) => pathToFileURL(path.join(root, 'node_modules', '@threadline', 'server', 'dist', 'http', 'widget.js')).href;

describe('locating the widget', () => {
  it('serves the directory it is given', () => {
    const dir = tempDir();
    expect(locateWidget(dir)).toEqual({ dir });
    expect(locateWidget(path.join(dir, 'nope'))).toEqual({ missing: expect.stringContaining('THREADLINE_WIDGET_DIR') });
  });

  it('finds the installed @threadline/widget package beside the server, outside this repository', () => {
    const root = install({ widget: true });
    expect(locateWidget(undefined, serverModule(root))).toEqual({ dir: path.join(root, 'node_modules', '@threadline', 'widget', 'dist') });
  });

  it('says how to install the widget when it is not there, or not built', () => {
    expect(locateWidget(undefined, serverModule(install({ widget: false })))).toEqual({ missing: expect.stringMatching(/add @threadline\/widget/) });
    expect(locateWidget(undefined, serverModule(install({ widget: true, built: false })))).toEqual({ missing: expect.stringMatching(/add @threadline\/widget/) });
  });

  it("finds this repository's packages/widget from the server's source", () => {
    const found = locateWidget(undefined);
    const widget = path.resolve(import.meta.dirname, '../../../widget/dist');
    expect(found).toEqual(fs.existsSync(path.join(widget, 'threadline.js')) ? { dir: widget } : { missing: 'the widget is not built: run "pnpm build"' });
  });
});

/** A built widget's top-level files (compressible text), written to `dir`. */
function writeBundle(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const name of ['loader.js', 'threadline.js', 'threadline-main.js', 'threadline-panel-WDM8JkRg.js', 'tl-sender--q6d086h.js']) {
    const lines = Array.from({ length: 400 }, (_, i) => `export const ${name.replace(/\W/g, '_')}_${i} = "line ${i} of ${name}";`);
    files[name] = Buffer.from(lines.join('\n'));
    fs.writeFileSync(path.join(dir, name), files[name]);
  }
  return files;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** As received, not decoded. */
  body: Buffer;
}

/** A GET (or HEAD) with exactly these headers: node:http adds no Accept-Encoding and decodes nothing, unlike fetch. */
function request(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject)
      .end();
  });
}

const decoded = (a: Answer) =>
  a.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(a.body) : a.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(a.body) : a.body;

describe('choosing the content coding', () => {
  const all: Coding[] = ['br', 'gzip', 'identity'];

  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['BR;Q=1.0, GZip;q=0.9', 'br'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['gzip;q=0.2, *;q=0.1', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['identity;q=1, br;q=0.5', 'identity'],
    ['deflate', 'identity'],
    ['', 'identity'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['br;q=2, gzip', 'gzip'],
    ['br;q=abc, gzip;q=0.1', 'gzip'],
  ])('%j gets %s', (header, coding) => {
    expect(negotiateCoding(header, all)).toBe(coding);
  });

  it('sends identity when there is no Accept-Encoding, or nothing acceptable, or only identity is available', () => {
    expect(negotiateCoding(undefined, all)).toBe('identity');
    expect(negotiateCoding('*;q=0', all)).toBe('identity');
    expect(negotiateCoding('br', ['identity'])).toBe('identity');
    expect(negotiateCoding('br, gzip', ['gzip', 'identity'])).toBe('gzip');
  });
});

describe('serving the widget at /widget/', () => {
  let h: Harness;
  let dir: string;
  let files: Record<string, Buffer>;
  const url = (name: string) => `${h.url}/widget/${name}`;

  beforeAll(async () => {
    dir = tempDir();
    files = writeBundle(dir);
    h = await startServer({ widgetDir: dir });
  });
  afterAll(() => h.close());

  it('sends brotli to a browser that accepts it, with its Content-Encoding, Content-Length and Vary', async () => {
    const a = await request(url('threadline-main.js'), { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(a.status).toBe(200);
    expect(a.headers['content-encoding']).toBe('br');
    expect(a.headers['content-length']).toBe(String(a.body.length));
    expect(a.headers.vary).toBe('Accept-Encoding');
    expect(a.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(a.body.length).toBeLessThan(files['threadline-main.js']!.length / 3);
    expect(decoded(a)).toEqual(files['threadline-main.js']);
  });

  it('sends gzip to a client that takes gzip and not brotli, or rates gzip higher', async () => {
    for (const accept of ['gzip, deflate', 'br;q=0.1, gzip;q=0.9']) {
      const a = await request(url('threadline-main.js'), { 'accept-encoding': accept });
      expect(a.headers['content-encoding']).toBe('gzip');
      expect(a.headers['content-length']).toBe(String(a.body.length));
      expect(decoded(a)).toEqual(files['threadline-main.js']);
    }
  });

  it('sends the file as it is to a client that accepts no compression', async () => {
    for (const headers of [{} as Record<string, string>, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }, { 'accept-encoding': 'deflate' }]) {
      const a = await request(url('threadline-main.js'), headers);
      expect(a.status).toBe(200);
      expect(a.headers['content-encoding']).toBeUndefined();
      expect(a.headers.vary).toBe('Accept-Encoding');
      expect(a.headers['content-length']).toBe(String(files['threadline-main.js']!.length));
      expect(a.body).toEqual(files['threadline-main.js']);
    }
  });

  it('makes hashed chunks immutable for a year', async () => {
    for (const name of ['threadline-panel-WDM8JkRg.js', 'tl-sender--q6d086h.js']) {
      const a = await request(url(name), { 'accept-encoding': 'br' });
      expect(a.headers['cache-control']).toBe(IMMUTABLE);
      expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    }
  });

  it('keeps threadline.js, threadline-main.js and loader.js short-lived, and answers 304 to their ETag', async () => {
    for (const name of ['threadline.js', 'threadline-main.js', 'loader.js']) {
      for (const accept of ['br', 'gzip', 'identity']) {
        const first = await request(url(name), { 'accept-encoding': accept });
        expect(first.headers['cache-control']).toBe(SHORT_LIVED);
        const etag = first.headers.etag!;
        expect(etag).toMatch(/^"[\w-]+"$/);
        const again = await request(url(name), { 'accept-encoding': accept, 'if-none-match': `"other", W/${etag}` });
        expect(again.status).toBe(304);
        expect(again.body.length).toBe(0);
        expect(again.headers).toMatchObject({ etag, vary: 'Accept-Encoding', 'cache-control': SHORT_LIVED, 'access-control-allow-origin': '*' });
      }
    }
    expect(SHORT_LIVED).toMatch(/^public, max-age=\d{1,3}$/);
  });

  it('gives each coding its own ETag, so a cached gzip body is not confirmed for a brotli request', async () => {
    const gzip = await request(url('threadline-main.js'), { 'accept-encoding': 'gzip' });
    const br = await request(url('threadline-main.js'), { 'accept-encoding': 'br', 'if-none-match': gzip.headers.etag! });
    expect(br.status).toBe(200);
    expect(br.headers.etag).not.toBe(gzip.headers.etag);
  });

  it('lets pages on any origin import the files, with nosniff', async () => {
    for (const name of Object.keys(files)) {
      const a = await request(url(name), { origin: 'https://some-shop.example', 'accept-encoding': 'br' });
      expect(a.status).toBe(200);
      expect(a.headers).toMatchObject({ 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin', 'x-content-type-options': 'nosniff' });
    }
  });

  it("answers HEAD with the GET's headers and no body", async () => {
    const get = await request(url('threadline-main.js'), { 'accept-encoding': 'br' });
    const head = await request(url('threadline-main.js'), { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers).toMatchObject({ 'content-length': get.headers['content-length'], 'content-encoding': 'br', etag: get.headers.etag });
  });

  it('serves only the bundle: not the npm library in dist/lib, not other files, nothing outside the directory', async () => {
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'index.js'), 'export {}');
    fs.writeFileSync(path.join(dir, 'parts.json'), '{}');
    for (const p of ['lib/index.js', 'parts.json', 'missing.js', '..%2Fsecret.js', '%2e%2e/x.js', 'threadline-main.js.br', 'lib']) {
      expect((await request(url(p))).status, p).toBe(404);
    }
  });

  it('sends the build\'s .br and .gz siblings when they are the file compressed', async () => {
    const sub = tempDir();
    const bundle = writeBundle(sub);
    // Compressed at a low level: what the server would make itself (the maximum) is different.
    const br = zlib.brotliCompressSync(bundle['threadline-main.js']!, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
    const gz = zlib.gzipSync(bundle['threadline-main.js']!, { level: 1 });
    fs.writeFileSync(path.join(sub, 'threadline-main.js.br'), br);
    fs.writeFileSync(path.join(sub, 'threadline-main.js.gz'), gz);
    const other = await startServer({ widgetDir: sub });
    try {
      expect((await request(`${other.url}/widget/threadline-main.js`, { 'accept-encoding': 'br' })).body).toEqual(br);
      expect((await request(`${other.url}/widget/threadline-main.js`, { 'accept-encoding': 'gzip' })).body).toEqual(gz);
    } finally {
      await other.close();
    }
  });

  it('compresses a file itself when its sibling is missing or left from another build', async () => {
    const sub = tempDir();
    const bundle = writeBundle(sub);
    fs.writeFileSync(path.join(sub, 'threadline-main.js.br'), zlib.brotliCompressSync(Buffer.from('an older build')));
    fs.writeFileSync(path.join(sub, 'threadline-main.js.gz'), 'not gzip at all');
    const other = await startServer({ widgetDir: sub });
    try {
      for (const [name, accept] of [['threadline-main.js', 'br'], ['threadline-main.js', 'gzip'], ['threadline.js', 'br']] as const) {
        const a = await request(`${other.url}/widget/${name}`, { 'accept-encoding': accept });
        expect(a.headers['content-encoding']).toBe(accept);
        expect(decoded(a)).toEqual(bundle[name]);
      }
    } finally {
      await other.close();
    }
  });

  it('serves a file rebuilt while the server runs, with a new ETag, and a removed one no more', async () => {
    const before = await request(url('loader.js'), { 'accept-encoding': 'br' });
    const rebuilt = Buffer.from(`${files['loader.js']}\n// rebuilt`);
    fs.writeFileSync(path.join(dir, 'loader.js'), rebuilt);
    fs.writeFileSync(path.join(dir, 'loader.js.br'), zlib.brotliCompressSync(rebuilt));
    const after = await request(url('loader.js'), { 'accept-encoding': 'br', 'if-none-match': before.headers.etag! });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(decoded(after)).toEqual(rebuilt);
    fs.rmSync(path.join(dir, 'tl-sender--q6d086h.js'));
    expect((await request(url('tl-sender--q6d086h.js'))).status).toBe(404);
  });
});

describe("this repository's built widget", () => {
  const dist = path.resolve(import.meta.dirname, '../../../widget/dist');
  const parts = fs.existsSync(path.join(dist, 'parts.json'))
    ? (JSON.parse(fs.readFileSync(path.join(dist, 'parts.json'), 'utf8')) as { stub: string[]; initial: string[]; connect?: string[]; panel: string[]; onDemand: Record<string, unknown> })
    : null;
  let h: Harness;
  beforeAll(async () => {
    if (parts) h = await startServer({ widgetDir: dist });
  });
  afterAll(() => h?.close());

  // `pnpm test` builds first; run alone before a build, there is nothing to check.
  it.skipIf(!parts)('is served with its entries short-lived and every chunk the build hashes immutable', async () => {
    const entries = [...parts!.stub, ...parts!.initial];
    const chunks = [...(parts!.connect ?? []), ...parts!.panel, ...Object.keys(parts!.onDemand)];
    expect(entries.sort()).toEqual(['loader.js', 'threadline-main.js', 'threadline.js']);
    for (const name of [...entries, ...chunks]) {
      const a = await request(`${h.url}/widget/${name}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
      expect(a.status, name).toBe(200);
      expect(a.headers['cache-control'], name).toBe(entries.includes(name) ? SHORT_LIVED : IMMUTABLE);
      expect(a.headers['content-encoding'], name).toBe('br');
      expect(decoded(a), name).toEqual(fs.readFileSync(path.join(dist, name)));
    }
  });
});
