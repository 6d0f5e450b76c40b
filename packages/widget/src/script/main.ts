/**
 * The widget's main module (`threadline-main.js`), loaded by `threadline.js`: the command runner,
 * the launcher and the core. Queued calls run — and so the widget mounts, opens storage and the
 * socket — only when the browser is idle. The panel and the core's on-demand parts are chunks of
 * their own, imported when first needed.
 */
import { createClient } from '@threadline/core';
import { createCommandRunner } from '../commands.js';
import { whenIdle } from '../idle.js';
import { createWidget } from '../widget.js';
import type { MainModule } from './bootstrap.js';

export const start: MainModule['start'] = (queue, live) => {
  const runner = createCommandRunner({
    mount: (options, events, report) => createWidget(options, { createClient, loadPanel: () => import('../panel/entry.js'), events, report }),
  });
  whenIdle(() => {
    const calls = queue.splice(0);
    live((call) => runner.run(call));
    calls.forEach((call) => runner.run(call));
  });
};
