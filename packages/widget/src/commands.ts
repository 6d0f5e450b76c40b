import { createEmitter, type Emitter } from './emitter.js';
import { checkOptions, type WidgetOptions } from './options.js';
import type { Widget, WidgetError, WidgetEventMap, WidgetEventName } from './widget.js';

/** The script-tag API: `Threadline(command, ...args)`. */
export type CommandName =
  | 'boot'
  | 'shutdown'
  | 'open'
  | 'close'
  | 'toggle'
  | 'showNewMessage'
  | 'identify'
  | 'update'
  | 'track'
  | 'consent'
  | 'on'
  | 'off';

const COMMANDS = new Set<string>(['boot', 'shutdown', 'open', 'close', 'toggle', 'showNewMessage', 'identify', 'update', 'track', 'consent', 'on', 'off']);
const EVENTS = new Set<string>(['ready', 'open', 'close', 'unreadChange', 'message', 'proactive', 'storageFallback', 'error']);

export interface CommandRunnerDeps {
  mount(options: WidgetOptions, events: Emitter<WidgetEventMap>, report: (e: WidgetError) => void): Widget;
  warn?: (message: string) => void;
}

export interface CommandRunner {
  /** Runs one call; never throws. */
  run(args: ArrayLike<unknown>): void;
  readonly widget: Widget | null;
}

/**
 * Turns `Threadline(...)` calls into widget methods. Calls other than `boot`/`on`/`off` made
 * before `boot` wait for it, so their order is kept. Problems are reported as a console warning
 * and an `error` event, never as an exception into the page.
 */
export function createCommandRunner(deps: CommandRunnerDeps): CommandRunner {
  const warn = deps.warn ?? ((m: string) => console.warn(m));
  const report = (error: WidgetError) => {
    warn(`[Threadline] ${error.code}: ${error.message}`);
    // Emitting `error` from a failing `error` handler would loop: handler failures only warn.
    if (error.code !== 'handler_failed') events.emit('error', error);
  };
  const events = createEmitter<WidgetEventMap>((event, err) =>
    report({ code: 'handler_failed', message: `a handler of "${String(event)}" threw: ${String(err)}` }),
  );
  let widget: Widget | null = null;
  /** The options of the last boot: withdrawing consent boots again with them. */
  let booted: WidgetOptions | null = null;
  /** Consent was withdrawn: boot again with these once the device is erased (unless the page boots or shuts down first). */
  let rebooting: WidgetOptions | null = null;
  let waiting: unknown[][] = [];

  const exec = (name: string, args: unknown[]) => {
    if (name === 'on' || name === 'off') {
      const [event, handler] = args;
      if (typeof event !== 'string' || !EVENTS.has(event) || typeof handler !== 'function') {
        report({ code: 'bad_options', message: `${name}(event, handler) needs one of ${[...EVENTS].join(', ')} and a function` });
        return;
      }
      events[name](event as WidgetEventName, handler as (p: unknown) => void);
      return;
    }
    if (name === 'boot') {
      if (widget) {
        report({ code: 'bad_options', message: 'already booted: call shutdown before booting again' });
        return;
      }
      const { options, problems } = checkOptions(args[0]);
      problems.forEach((p) => report({ code: 'bad_options', message: `${p.option}: ${p.message}` }));
      if (!options) return;
      booted = options;
      rebooting = null;
      widget = deps.mount(options, events, report);
      const queued = waiting;
      waiting = [];
      queued.forEach((call) => run(call));
      return;
    }
    if (!widget) {
      if (name === 'shutdown') {
        rebooting = null;
        return;
      }
      waiting.push([name, ...args]);
      return;
    }
    const w = widget;
    switch (name) {
      case 'shutdown':
        widget = null;
        void w.shutdown();
        return;
      case 'open':
      case 'close':
      case 'toggle':
        w[name]();
        return;
      case 'showNewMessage':
        if (args[0] !== undefined && typeof args[0] !== 'string') {
          report({ code: 'bad_options', message: 'showNewMessage(text?) takes a string' });
          return;
        }
        w.showNewMessage(args[0]);
        return;
      case 'identify': {
        const input = args[0] as Record<string, unknown> | undefined;
        const hmac = typeof input?.userId === 'string' && typeof input.userHash === 'string';
        const jwt = typeof input?.jwt === 'string';
        if (!input || hmac === jwt) {
          report({ code: 'bad_options', message: 'identify needs { userId, userHash } or { jwt }' });
          return;
        }
        w.identify(input as unknown as Parameters<Widget['identify']>[0]);
        return;
      }
      case 'update':
        if (args[0] !== undefined && (typeof args[0] !== 'object' || args[0] === null)) {
          report({ code: 'bad_options', message: 'update takes { attributes?, page?, cart? }' });
          return;
        }
        w.update(args[0] as Parameters<Widget['update']>[0]);
        return;
      case 'track':
        if (typeof args[0] !== 'string' || !args[0]) {
          report({ code: 'bad_options', message: 'track(name, props?) needs an event name' });
          return;
        }
        w.track(args[0], args[1] as Parameters<Widget['track']>[1]);
        return;
      case 'consent': {
        if (typeof args[0] !== 'boolean') {
          report({ code: 'bad_options', message: 'consent(granted) takes true or false' });
          return;
        }
        if (args[0]) return w.consent();
        // Withdrawn: erase the device as shutdown does, then show the launcher again, waiting for
        // consent. Calls made meanwhile queue as before a boot and run after it, in order.
        rebooting = { ...booted!, consent: false };
        widget = null;
        void w.shutdown().then(() => {
          const options = rebooting;
          rebooting = null;
          if (options && !widget) exec('boot', [options]);
        });
        return;
      }
    }
  };

  function run(call: ArrayLike<unknown>) {
    const [name, ...args] = Array.from(call);
    if (typeof name !== 'string' || !COMMANDS.has(name)) {
      report({ code: 'unknown_command', message: `unknown command ${JSON.stringify(name)}` });
      return;
    }
    try {
      exec(name, args);
    } catch (error) {
      // Last line of defence: the host page never sees our exceptions.
      report({ code: 'internal_client', message: `${name} failed: ${String(error)}` });
    }
  }

  return {
    run,
    get widget() {
      return widget;
    },
  };
}
