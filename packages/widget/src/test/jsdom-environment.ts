/**
 * Vitest's built-in `jsdom` environment imports jsdom from wherever vitest is installed, and in
 * this workspace that can be a jsdom release needing a newer Node than our floor (20.19). This
 * environment uses the widget's own jsdom devDependency instead.
 */
import { JSDOM, VirtualConsole } from 'jsdom';
import type { Environment } from 'vitest/runtime';
import { populateGlobal } from 'vitest/runtime';

export default {
  name: 'widget-jsdom',
  viteEnvironment: 'client',
  setup(global: Record<string, unknown>) {
    // axe-core probes canvas for icon ligatures; jsdom reports that as "not implemented" noise.
    const virtualConsole = new VirtualConsole();
    virtualConsole.sendTo(console, { omitJSDOMErrors: true });
    virtualConsole.on('jsdomError', (e: Error) => {
      if (!/Not implemented/.test(e.message)) console.error(e);
    });
    const dom = new JSDOM('<!DOCTYPE html>', { url: 'http://localhost:3000/', pretendToBeVisual: true, virtualConsole });
    const { keys, originals } = populateGlobal(global, dom.window, { bindFunctions: true });
    return {
      teardown(g: Record<string, unknown>) {
        dom.window.close();
        keys.forEach((key) => delete g[key]);
        originals.forEach((v, k) => (g[k as string] = v));
      },
    };
  },
} satisfies Environment;
