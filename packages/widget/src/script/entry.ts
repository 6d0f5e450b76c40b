/**
 * The script-tag bundle (`threadline.js`). It replaces the queue stub with the real command
 * function at once, so nothing else queues up, but runs the queued calls — and so creates the
 * widget, opens storage and the socket — only when the browser is idle.
 */
import { createClient } from '@threadline/core';
import { createCommandRunner } from '../commands.js';
import { whenIdle } from '../idle.js';
import type { PanelModule } from '../panel/context.js';
import { createWidget } from '../widget.js';

type Stub = ((...args: unknown[]) => void) & { q?: ArrayLike<unknown>[]; loaded?: true };

const w = window as unknown as { Threadline?: Stub };

if (!w.Threadline?.loaded) {
  // The panel chunk sits beside this file, wherever it is served from.
  const script = document.currentScript as HTMLScriptElement | null;
  const base = script?.src || document.querySelector<HTMLScriptElement>('script[src*="threadline.js"]')?.src || location.href;
  const panelUrl = new URL('threadline-panel.js', base).href;

  const runner = createCommandRunner({
    mount: (options, events, report) =>
      createWidget(options, {
        createClient,
        // A runtime URL, not a module the bundler should follow: the panel is its own build.
        loadPanel: () => import(/* @vite-ignore */ panelUrl) as Promise<PanelModule>,
        events,
        report,
      }),
  });

  let pending: ArrayLike<unknown>[] | null = [...(w.Threadline?.q ?? [])];
  const api: Stub = function Threadline(...args: unknown[]) {
    if (pending) pending.push(args);
    else runner.run(args);
  };
  api.loaded = true;
  w.Threadline = api;

  whenIdle(() => {
    const calls = pending ?? [];
    pending = null;
    calls.forEach((call) => runner.run(call));
  });
}
