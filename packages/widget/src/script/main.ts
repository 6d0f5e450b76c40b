/**
 * The widget's main module (`threadline-main.js`), loaded by `threadline.js`: the command runner,
 * the launcher and the core. Queued calls run — and so the widget mounts, opens storage and the
 * socket — only when the browser is idle. The panel and the core's on-demand parts are chunks of
 * their own, imported when first needed; so is socket.io (~11 KiB gzip), fetched when the client
 * first connects, once storage is open: the page's load never waits on it, and a page waiting for
 * consent never fetches it.
 */
import type { ClientOptions } from '@threadline/core';
import { createBareClient, lazyTransport, yieldToPage } from '@threadline/core/bare';
import { createCommandRunner } from '../commands.js';
import { whenIdle } from '../idle.js';
import { createWidget } from '../widget.js';
import type { MainModule } from './bootstrap.js';

// engine.io's modules first, socket.io's in a later task: evaluated at once, the ~35 KB of socket
// code made a long task on a phone (core's socket-engine.ts).
const socket = lazyTransport(() =>
  import('@threadline/core/socket-engine')
    .then(() => yieldToPage())
    .then(() => import('@threadline/core/socket'))
    .then((m) => m.socketIoTransport()),
);
const createClient = (options: ClientOptions) => createBareClient({ ...options, transport: options.transport ?? socket });

export const start: MainModule['start'] = (queue, live) => {
  const runner = createCommandRunner({
    mount: (options, events, report) => createWidget(options, { createClient, loadPanel: () => import('../panel/entry.js'), events, report }),
  });
  // One queued call per task (`boot` mounts in slices of its own, and the page's `update` and
  // `track` calls that follow it create the client's units): calls the page makes meanwhile join
  // the queue (the bootstrap keeps queueing until `live`), so the order is kept.
  const next = () => {
    const call = queue.shift();
    if (!call) return live((c) => runner.run(c));
    runner.run(call);
    void yieldToPage().then(next);
  };
  whenIdle(next);
};
