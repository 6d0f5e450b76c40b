import type { Client, ClientError, ClientEventMap, ClientOptions, Identity, VisitorContext } from '@threadline/core';
import type { Attention } from './attention.js';
import { inSlices, yieldToPage } from '@threadline/core/bare';
import { clearDrafts } from './drafts-storage.js';
import type { Emitter } from './emitter.js';
import { createHost, type Host } from './host.js';
import { whenIdle } from './idle.js';
import { LAUNCHER_STRINGS } from './i18n/launcher-strings.js';
import { isRtl, resolveLocale } from './i18n/locale.js';
import { createLauncherRoot, type LauncherRoot } from './launcher/launcher-root.js';
import { watchAvoidZones } from './avoid.js';
import { resolveTheme, themeCss, type WidgetOptions } from './options.js';
import type { PanelModule } from './panel/context.js';
import { createUiStore, type UiStore } from './state/ui.js';
import launcherCss from './styles/launcher.css?inline';

/** Errors the widget itself reports, besides the core's. */
export type WidgetErrorCode = ClientError['code'] | 'unknown_command' | 'bad_options' | 'handler_failed' | 'panel_failed' | 'toast_failed';

export interface WidgetError {
  code: WidgetErrorCode;
  message: string;
}

/** Events of `on(event, handler)`. */
export interface WidgetEventMap {
  /** Threads from storage are on screen (before the network answers). */
  ready: Record<string, never>;
  open: Record<string, never>;
  close: Record<string, never>;
  unreadChange: ClientEventMap['unreadChange'];
  message: ClientEventMap['message'];
  proactive: ClientEventMap['proactive'];
  storageFallback: ClientEventMap['storageFallback'];
  error: WidgetError;
}

export type WidgetEventName = keyof WidgetEventMap;

/** What `identify` accepts: a verified identity plus display profile and attributes. */
export type IdentifyInput = Identity & { attributes?: NonNullable<VisitorContext['attributes']> };

/** What `update` accepts. Without `page`, the current location is reported. */
export interface UpdateInput {
  attributes?: NonNullable<VisitorContext['attributes']>;
  page?: VisitorContext['page'];
  cart?: VisitorContext['cart'];
}

/** A mounted widget: the same commands as the script-tag API, as methods. */
export interface Widget {
  open(): void;
  close(): void;
  toggle(): void;
  /** Opens a new conversation, optionally with text ready in the composer. */
  showNewMessage(text?: string): void;
  identify(input: IdentifyInput): void;
  update(input?: UpdateInput): void;
  track(name: string, props?: Record<string, string | number | boolean | null>): void;
  /**
   * The shopper consented (for a widget booted with `consent: false`): storage and the socket
   * start now, and what `update`, `track` and `identify` kept in memory is sent. To withdraw
   * consent, `shutdown()` (it erases the device) and mount again with `consent: false`; the
   * script tag's `Threadline('consent', false)` does both.
   */
  consent(): void;
  on<K extends WidgetEventName>(event: K, handler: (payload: WidgetEventMap[K]) => void): () => void;
  off<K extends WidgetEventName>(event: K, handler: (payload: WidgetEventMap[K]) => void): void;
  /** Logout: removes the widget and erases this visitor's local threads, outbox and drafts. */
  shutdown(): Promise<void>;
  /** Removes the widget and every listener, timer and socket; keeps local data. */
  destroy(): void;
  /** The headless client underneath, for anything the widget does not cover. */
  readonly client: Client;
}

export interface WidgetDeps {
  createClient: (options: ClientOptions) => Client;
  loadPanel: () => Promise<PanelModule>;
  events: Emitter<WidgetEventMap>;
  report: (error: WidgetError) => void;
  /** @default whenIdle */
  schedule?: (fn: () => void) => () => void;
  /**
   * Yields to the page between the mount's steps (the shadow root and its styles, then the
   * launcher), so no step forms a long task; null draws everything at once (tests).
   * @default yieldToPage
   */
  pause?: (() => Promise<void>) | null;
}

/** Options that shape the widget only; every other option is the core's and is passed through. */
type WidgetOnlyKey = Exclude<keyof WidgetOptions, keyof ClientOptions>;

/** The widget-only options, taken out before the rest goes to the core. A name the core also takes is a type error here… */
const WIDGET_KEYS = ['notifications', 'theme', 'brandColor', 'position', 'offset', 'zIndex', 'greeting', 'brandName', 'brandAvatarUrl', 'container'] as const satisfies readonly WidgetOnlyKey[];
// …and a widget option missing from the list is one here, so none can leak into the core's options.
type EveryWidgetKeyListed<Missing extends never = Exclude<WidgetOnlyKey, (typeof WIDGET_KEYS)[number]>> = Missing;

/**
 * Mounts the widget in steps, each a task of its own: the client, then the shadow root and its
 * styles, then the launcher; the client starts when the browser is idle after that. A method
 * called before the first step creates the client at once, so the widget works from the start.
 * The panel is loaded on first open (or first hover/focus of the launcher) and drawn once the
 * mount is done.
 */
export function createWidget(options: WidgetOptions, deps: WidgetDeps): Widget {
  const doc = (options.container ?? document.body).ownerDocument;
  const schedule = deps.schedule ?? whenIdle;
  const locale = resolveLocale(options.locale);
  const strings = LAUNCHER_STRINGS[locale];
  const theme = resolveTheme(options);
  // The core reports the visitor's own language tag to the brand, not the UI language we picked.
  // The client is created waiting (consent: false) and started below when the browser is idle, so
  // storage and the socket never compete with the page's own load, from the script tag or npm.
  const clientOptions: ClientOptions & Partial<Pick<WidgetOptions, WidgetOnlyKey>> = { ...options, consent: false };
  for (const key of WIDGET_KEYS) delete clientOptions[key];
  const ui: UiStore = createUiStore();
  const subs: Array<() => void> = [];
  let made: Client | null = null;
  /** The client, created with its event forwarding on first use (the mount's first step at the latest). */
  const client = (): Client => made ?? (made = createForwardingClient());
  /** Set by the mount's steps below; null until then (and the methods allow for that). */
  let host: Host | null = null;
  let launcher: LauncherRoot | null = null;
  let destroyed = false;

  const launcherMount = doc.createElement('div');
  const panelMount = doc.createElement('div');
  // The corner mirrors with the page (position 'right' is the left corner of a right-to-left
  // page), not with the widget's language; `.left` puts it at the root's inline start.
  const atStart = (theme.position === 'left') !== (doc.documentElement.dir === 'rtl') !== isRtl(locale);
  const syncRootClass = () => {
    if (host) host.root.className = `root${atStart ? ' left' : ''}${ui.getSnapshot().open ? ' is-open' : ''}`;
  };

  const close = () => {
    const hadFocus = host !== null && doc.activeElement === host.element;
    ui.dispatch({ type: 'close' });
    if (hadFocus) launcher?.button.focus();
  };
  const toggle = () => (ui.getSnapshot().open ? close() : ui.dispatch({ type: 'open' }));

  // --- panel, loaded once ---
  let panel: Promise<PanelModule> | null = null;
  let unmountPanel: (() => void) | null = null;
  const pause = deps.pause === undefined ? yieldToPage : deps.pause;
  // The import in a task of its own: its synchronous part (the module request) is not added to
  // the click's or the hover's input task.
  const loadPanel = () => {
    panel ??= (pause ? pause() : Promise.resolve()).then(() => deps.loadPanel()).catch((error: unknown) => {
      panel = null;
      deps.report({ code: 'panel_failed', message: `could not load the panel: ${String(error)}` });
      throw error;
    });
    return panel;
  };
  const showPanel = () => {
    if (unmountPanel) return;
    Promise.all([loadPanel(), mounted]).then(
      ([mod]) => {
        if (unmountPanel || destroyed || !host) return;
        unmountPanel = mod.renderPanel(panelMount, {
          client: client(),
          ui,
          locale,
          brandName: options.brandName,
          brandAvatarUrl: options.brandAvatarUrl,
          greeting: options.greeting,
          appId: options.appId,
          addStyles: host.addStyles,
          close,
        });
      },
      () => ui.dispatch({ type: 'close' }),
    );
  };

  // --- ui → events, panel, page ---
  let wasOpen = false;
  subs.push(
    ui.subscribe(() => {
      const { open } = ui.getSnapshot();
      syncRootClass();
      if (open === wasOpen) return;
      wasOpen = open;
      if (open) {
        // Opening is an interaction: a consent-first client starts now.
        void client().start();
        // Opted in to browser notifications: the permission is asked while the click is fresh.
        if (options.notifications) void attend().then((a) => a?.ask());
        showPanel();
      }
      deps.events.emit(open ? 'open' : 'close', {});
    }),
  );

  // --- core events → widget events ---
  function createForwardingClient(): Client {
    const c = deps.createClient(clientOptions);
    const forward = <K extends 'message' | 'proactive' | 'unreadChange' | 'storageFallback'>(name: K) =>
      subs.push(c.on(name, (payload) => deps.events.emit(name, payload as WidgetEventMap[K])));
    forward('message');
    // A brand message while the tab is in the background: the title's count (attention.ts).
    subs.push(c.on('message', ({ message }) => void (!message.own && doc.hidden && attend().then((a) => a?.heard(message)))));
    forward('unreadChange');
    forward('storageFallback');
    subs.push(c.on('storageFallback', () => ui.dispatch({ type: 'storageFallback' })));
    subs.push(
      c.on('proactive', (payload) => {
        deps.events.emit('proactive', payload);
        if (payload.prompt.display === 'open') {
          c.reportProactive(payload.prompt.id, 'shown');
          ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: payload.prompt.id } });
          ui.dispatch({ type: 'open' });
        }
      }),
      c.on('error', (error) => deps.events.emit('error', error)),
      c.on('ready', () => deps.events.emit('ready', {})),
    );
    return c;
  }

  // --- attention: its chunk comes with the first brand message heard while the tab is hidden ---
  let attention: Promise<Attention | null> | null = null;
  const attend = () =>
    (attention ??= import('./attention.js').then(
      (m) => (destroyed ? null : m.createAttention(client(), doc, options, locale, ui)),
      // Not loaded (network): nothing shows in the title this time; the next message tries again.
      () => (attention = null),
    ));
  subs.push(() => void attention?.then((a) => a?.destroy()));

  // Escape closes from anywhere inside the widget.
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && ui.getSnapshot().open) {
      e.stopPropagation();
      close();
    }
  };

  const mountHost = () => {
    const h = createHost(options.container ?? doc.body, locale);
    host = h;
    h.addStyles(launcherCss);
    h.addStyles(themeCss(theme));
    h.root.append(panelMount, launcherMount);
    syncRootClass();
    h.shadow.addEventListener('keydown', onKey as EventListener);
    subs.push(() => h.shadow.removeEventListener('keydown', onKey as EventListener));
  };
  const mountLauncher = () => {
    const h = host!;
    launcher = createLauncherRoot(launcherMount, {
      client: client(),
      ui,
      strings,
      locale,
      brandName: options.brandName,
      brandAvatarUrl: options.brandAvatarUrl,
      onIntent: () => void loadPanel().catch(() => undefined /* reported in loadPanel */),
      onToggle: toggle,
      addStyles: h.addStyles,
      onError: (error) => deps.report({ code: 'toast_failed', message: `could not load the proactive toast: ${String(error)}` }),
    });
    // Keep the corner off elements marked data-threadline-avoid (small screens only).
    subs.push(watchAvoidZones(launcher.corner, h.addStyles('')));
    // Opened from an email's continue link: the panel opens and takes the link (panel/continue-link.ts).
    // A microtask later: the mount's last step, which `open` waits for, is done by then.
    if (doc.location.hash.includes('tl-continue=')) queueMicrotask(() => ui.dispatch({ type: 'open' }));
    // Nothing costly before the browser is idle: storage and the socket start then.
    if (options.consent !== false) {
      subs.push(
        schedule(() => {
          const c = client();
          void c.start().then(() => c.updateContext({ page: currentPage(doc) }));
        }),
      );
    }
  };
  // Each step a task of its own (on a phone the three together were one long task of ~50 ms).
  const mounted = inSlices([() => void client(), mountHost, mountLauncher], pause, () => destroyed).catch((error: unknown) => {
    deps.report({ code: 'internal_client', message: `could not draw the widget: ${String(error)}` });
    throw error;
  });
  mounted.catch(() => undefined /* reported above; showPanel sees the rejection and closes */);

  const teardown = () => {
    if (destroyed) return;
    destroyed = true;
    subs.splice(0).forEach((off) => off());
    unmountPanel?.();
    launcher?.destroy();
    host?.remove();
  };

  return {
    get client() {
      return client();
    },
    open: () => ui.dispatch({ type: 'open' }),
    close,
    toggle,
    showNewMessage: (text) => ui.dispatch({ type: 'compose', text }),
    identify(input) {
      const { attributes, ...identity } = input;
      void client().identify(identity as Identity);
      if (attributes) client().updateContext({ attributes });
    },
    update(input = {}) {
      client().updateContext({ ...input, page: input.page ?? currentPage(doc) });
    },
    track: (name, props) => client().track(name, props),
    consent() {
      const c = client();
      void c.start().then(() => c.updateContext({ page: currentPage(doc) }));
    },
    on: (event, handler) => deps.events.on(event, handler),
    off: (event, handler) => deps.events.off(event, handler),
    async shutdown() {
      teardown();
      clearDrafts(options.appId);
      // A client never created (shut down before the mount's first step) still erases the device.
      await client().shutdown();
    },
    destroy() {
      teardown();
      made?.destroy();
    },
  };
}

function currentPage(doc: Document): NonNullable<VisitorContext['page']> {
  return { url: doc.location?.href ?? '', title: doc.title, referrer: doc.referrer };
}
