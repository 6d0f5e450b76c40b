import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** The widget's script-tag bootstrap: the file that says a built widget is there. */
const ENTRY = '@threadline/widget/dist/threadline.js';

/** The directory to serve at `/widget/`, or why there is none (the answer of every `/widget/` request). */
export type WidgetAssets = { dir: string } | { missing: string };

/**
 * Finds the widget's built files:
 *
 * 1. `widgetDir` (`THREADLINE_WIDGET_DIR`) when set;
 * 2. the `@threadline/widget` package installed beside this one: `node_modules/@threadline/widget`
 *    in this package's directory or one above it, as Node looks up a dependency, then the file
 *    through the package's own exports (`./dist/*`);
 * 3. this repository's own `packages/widget`, resolved through its exports the same way. pnpm
 *    links only declared dependencies, and the server does not declare the widget: the widget's
 *    and the core's tests start this server, so the dependency would make a build cycle.
 *
 * `from` is the module that looks (tests point it into a fake install).
 */
export function locateWidget(widgetDir: string | undefined, from: string = import.meta.url): WidgetAssets {
  if (widgetDir) return fs.existsSync(widgetDir) ? { dir: widgetDir } : { missing: `the widget directory ${widgetDir} does not exist (THREADLINE_WIDGET_DIR)` };
  const here = path.dirname(fileURLToPath(from));
  const installed = installedManifest(here);
  if (installed) {
    const dir = entryDir(installed);
    if (dir) return { dir };
  }
  // The same depth from src/http and dist/http.
  const checkout = path.resolve(here, '../../../widget/package.json');
  if (!installed && isWidgetManifest(checkout)) {
    const dir = entryDir(checkout);
    return dir ? { dir } : { missing: 'the widget is not built: run "pnpm build"' };
  }
  return { missing: 'the widget is not installed (or not built): add @threadline/widget beside @threadline/server, or set THREADLINE_WIDGET_DIR' };
}

/** `node_modules/@threadline/widget/package.json` in `dir` or the nearest directory above it that has one. */
function installedManifest(dir: string): string | null {
  for (;;) {
    const manifest = path.join(dir, 'node_modules', '@threadline', 'widget', 'package.json');
    if (fs.existsSync(manifest)) return manifest;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The directory of the widget's entry, resolved by name from inside the package (a package may
 * import itself through its exports), or null when it is not exported or not built.
 */
function entryDir(manifest: string): string | null {
  try {
    return path.dirname(createRequire(manifest).resolve(ENTRY));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // Not built (no such file), or a widget too old to export its files.
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return null;
    throw err;
  }
}

function isWidgetManifest(file: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown }).name === '@threadline/widget';
  } catch (err) {
    // No such file (a published server has no sibling packages/), or not JSON: not the checkout.
    if ((err as { code?: unknown }).code === 'ENOENT' || err instanceof SyntaxError) return false;
    throw err;
  }
}


// ─── Serving ────────────────────────────────────────────────────────────────────────────────

/** A content coding the widget's files are sent in. */
export type Coding = 'br' | 'gzip' | 'identity';

/** By preference when the client rates codings alike: the smallest first. */
const PREFERENCE: readonly Coding[] = ['br', 'gzip', 'identity'];

/** The siblings packages/widget/scripts/build.mjs writes beside each file (`threadline-main.js.br`, `.gz`). */
const SIBLING = { br: '.br', gzip: '.gz' } as const;

/** What `/widget/` serves: the script-tag bundle at the top of dist/ (not the npm library in dist/lib, nor build metadata). */
const SERVED = /^\w[\w.-]*\.(js|css)$/;

/**
 * Names that carry a content hash: packages/widget/scripts/build.mjs names its chunks
 * `threadline-panel-[hash].js` and `tl-[name]-[hash].js` (rolldown's hash: 8 of [A-Za-z0-9_-], so
 * `tl-sender--q6d086h.js` is `sender` + `-q6d086h`). New content gets a new name, so what is at such
 * a URL never changes. Any other name keeps its URL across releases.
 */
const HASHED = /^(threadline-panel|tl-[\w.-]+)-[\w-]{8}\.(js|css)$/;

/** Cache-Control of hashed chunks: a year, and not revalidated when the shopper reloads. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Cache-Control of the files that keep their name (`loader.js`, `threadline.js`,
 * `threadline-main.js`): fresh for 5 minutes, so the pages a shopper browses meanwhile take the
 * widget from the cache without a request; then revalidated with the ETag (a 304 of a few hundred
 * bytes). A release reaches returning shoppers within 5 minutes.
 */
export const SHORT_LIVED = 'public, max-age=300';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

interface Representation {
  readonly body: Buffer;
  /**
   * Strong, and one per coding (RFC 9110 §8.8.3: the representations differ in their bytes). Made
   * from the content, not the file's mtime, so every node behind a load balancer gives the same one.
   */
  readonly etag: string;
}

interface Asset {
  readonly type: string;
  readonly cacheControl: string;
  /** identity always; br and gzip when they are smaller. */
  readonly representations: Partial<Record<Coding, Representation>>;
}

/**
 * Compresses as the widget build does (packages/widget/scripts/build.mjs: brotli quality 11, gzip
 * level 9; slow, but once per file). zlib runs it on libuv's thread pool, off the event loop.
 */
function compress(coding: 'br' | 'gzip', data: Buffer): Promise<Buffer> {
  const { constants } = zlib;
  return coding === 'br'
    ? promisify(zlib.brotliCompress)(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      })
    : promisify(zlib.gzip)(data, { level: constants.Z_BEST_COMPRESSION });
}

/** Decompresses at most `limit` bytes (a sibling that inflates to more is not the file anyway). */
function decompress(coding: 'br' | 'gzip', data: Buffer, limit: number): Promise<Buffer> {
  return coding === 'br' ? promisify(zlib.brotliDecompress)(data, { maxOutputLength: limit }) : promisify(zlib.gunzip)(data, { maxOutputLength: limit });
}

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as { code?: string }).code ?? '');

/**
 * The widget's files in memory with their compressed forms, each read (and compressed, when the
 * build left no `.br`/`.gz` sibling) on its first request, and again when the file changes on disk:
 * every request checks the file's size, mtime and inode, so a widget rebuilt while the server runs
 * is served at once, and a file that is gone is a 404.
 */
class WidgetFiles {
  readonly #dir: string;
  readonly #log: FastifyBaseLogger;
  readonly #files = new Map<string, { version: string; asset: Promise<Asset> }>();

  constructor(dir: string, log: FastifyBaseLogger) {
    this.#dir = dir;
    this.#log = log;
  }

  /** The file `name` (a plain file name in the directory), or null when there is none. */
  async get(name: string): Promise<Asset | null> {
    const file = path.join(this.#dir, name);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch (err) {
      if (!isMissing(err)) throw err;
      this.#files.delete(name);
      return null;
    }
    if (!stat.isFile()) return null;
    const version = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    const cached = this.#files.get(name);
    if (cached?.version === version) return cached.asset;
    const asset = this.#load(name, file);
    this.#files.set(name, { version, asset });
    asset.catch(() => {
      // The request waiting on it answers 500 with the error; this only lets the next one try again.
      if (this.#files.get(name)?.asset === asset) this.#files.delete(name);
    });
    return asset;
  }

  async #load(name: string, file: string): Promise<Asset> {
    const identity = await fs.promises.readFile(file);
    const tag = createHash('sha256').update(identity).digest('base64url').slice(0, 27);
    const representations: Asset['representations'] = { identity: { body: identity, etag: `"${tag}"` } };
    for (const coding of ['br', 'gzip'] as const) {
      const body = (await this.#sibling(file, coding, identity)) ?? (await compress(coding, identity));
      // A file of a few bytes can come out larger.
      if (body.length < identity.length) representations[coding] = { body, etag: `"${tag}-${coding}"` };
    }
    return {
      type: TYPES[path.extname(name)] ?? 'application/octet-stream',
      cacheControl: HASHED.test(name) ? IMMUTABLE : SHORT_LIVED,
      representations,
    };
  }

  /** The build's compressed sibling of `file`, when there is one and it decompresses to the file's bytes. */
  async #sibling(file: string, coding: 'br' | 'gzip', identity: Buffer): Promise<Buffer | null> {
    const sibling = file + SIBLING[coding];
    let body: Buffer;
    try {
      body = await fs.promises.readFile(sibling);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    const decoded = await decompress(coding, body, identity.length + 1).catch((err: Error) => err);
    if (decoded instanceof Buffer && decoded.equals(identity)) return body;
    // Left from another build (a dist copied over an older one), or damaged: never sent for this
    // file. Said once per version of the file; it is compressed here instead and still served right.
    const why = decoded instanceof Error ? decoded.message : 'it holds other content';
    this.#log.warn(`widget: ${path.basename(sibling)} is not ${path.basename(file)} compressed (${why}); compressing ${path.basename(file)} in memory instead`);
    return null;
  }
}

/**
 * The coding to send for an `Accept-Encoding` value (RFC 9110 §12.5.3), among `available`:
 * - the one the client rates highest (`;q=`), `*` standing for every coding it does not name,
 *   `q=0` meaning "not this one" (an entry with a malformed q-value is ignored);
 * - no header, or an empty one: identity;
 * - identity is acceptable unless refused (`identity;q=0`, or `*;q=0` without naming identity);
 *   not named, it ranks with the lowest coding the client names;
 * - between equal ratings, the smallest: br, then gzip, then identity;
 * - nothing acceptable: identity, which RFC 9110 allows (a client that cannot read it is no worse
 *   off than with a 406, and one that can gets the script).
 */
export function negotiateCoding(header: string | undefined, available: readonly Coding[]): Coding {
  const rated = new Map<string, number>();
  for (const item of (header ?? '').split(',')) {
    const [token, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (!token) continue;
    const qParam = params.find((p) => /^q\s*=/.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.replace(/^q\s*=\s*/, ''));
    if (!(q >= 0 && q <= 1)) continue;
    const coding = token === 'x-gzip' ? 'gzip' : token;
    if (!rated.has(coding)) rated.set(coding, q);
  }
  const star = rated.get('*');
  const lowestNamed = Math.min(1, ...[...rated.values()].filter((q) => q > 0));
  const rate = (c: Coding) => rated.get(c) ?? star ?? (c === 'identity' ? lowestNamed : 0);
  let best: Coding = 'identity';
  let bestQ = 0;
  for (const coding of PREFERENCE) {
    if (!available.includes(coding)) continue;
    const q = rate(coding);
    if (q > bestQ) [best, bestQ] = [coding, q];
  }
  return best;
}

/** Whether `If-None-Match` is `*` or names `etag` (weak comparison, RFC 9110 §13.1.2). */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: @fastify/cors leaves the route alone (it reads this option; its types do not declare it). */
    cors?: false;
  }
}

/**
 * Serves the widget bundle at `/widget/`, from memory, precompressed (brotli or gzip by the
 * request's `Accept-Encoding`, `Vary: Accept-Encoding`), with an ETag and a 304 for a matching
 * `If-None-Match`; hashed chunks are immutable, the files that keep their name short-lived (see
 * IMMUTABLE and SHORT_LIVED). Shops on other origins load it with a script tag and its chunks with
 * dynamic import(), which is a CORS request: hence `Access-Control-Allow-Origin: *` on these public
 * files (and not the API's per-origin check, which would look the origin up for every chunk).
 *
 * Not @fastify/static: it applies `setHeaders` and then its own headers over them, so the
 * Cache-Control set there became `public, max-age=0`; its precompressed mode sends no `Vary`; and
 * it reads the files on every request. These are a dozen small files, kept in memory.
 */
export async function serveWidget(app: FastifyInstance, assets: WidgetAssets): Promise<void> {
  if ('missing' in assets) {
    app.get('/widget/*', { schema: { hide: true } }, async (_req, reply) => reply.status(404).send({ error: { code: 'not_found', message: assets.missing } }));
    return;
  }
  const files = new WidgetFiles(assets.dir, app.log);
  app.get<{ Params: { file: string } }>('/widget/:file', { schema: { hide: true }, config: { cors: false } }, async (req, reply) => {
    const name = req.params.file;
    const asset = SERVED.test(name) ? await files.get(name) : null;
    if (!asset) return reply.status(404).send({ error: { code: 'not_found', message: `the widget has no file ${name}` } });
    const coding = negotiateCoding(req.headers['accept-encoding'], Object.keys(asset.representations) as Coding[]);
    const chosen = asset.representations[coding]!;
    reply
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'Accept-Encoding')
      .header('cache-control', asset.cacheControl)
      .header('etag', chosen.etag);
    if (notModified(req.headers['if-none-match'], chosen.etag)) return reply.status(304).send();
    if (coding !== 'identity') reply.header('content-encoding', coding);
    return reply.type(asset.type).header('content-length', chosen.body.length).send(chosen.body);
  });
}
