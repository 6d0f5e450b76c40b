import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/harness.js';
import { locateWidget } from './widget.js';

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
