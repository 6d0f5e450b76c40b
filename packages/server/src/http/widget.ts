import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

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

/**
 * Serves the widget bundle at `/widget/`. Shops on other origins load it with a script tag and
 * its chunks with dynamic import(), which is a CORS request: hence `Access-Control-Allow-Origin: *`
 * on these public files only. The entry keeps a stable URL (short cache); hashed chunks are immutable.
 */
export async function serveWidget(app: FastifyInstance, assets: WidgetAssets): Promise<void> {
  if ('missing' in assets) {
    app.get('/widget/*', { schema: { hide: true } }, async (_req, reply) => reply.status(404).send({ error: { code: 'not_found', message: assets.missing } }));
    return;
  }
  await app.register(fastifyStatic, {
    root: assets.dir,
    prefix: '/widget/',
    decorateReply: false,
    index: false,
    setHeaders(res, file) {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
      res.setHeader('x-content-type-options', 'nosniff');
      const hashed = /[.-][\w-]{8,}\.(js|css|mjs)$/.test(path.basename(file)) && !/^threadline(\.[a-z]+)?\.js$/.test(path.basename(file));
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    },
  });
}
