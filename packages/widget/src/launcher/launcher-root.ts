import type { Client, ProactivePrompt } from '@threadline/core';
import { format, type Locale } from '../i18n/locale.js';
import type { LauncherStrings } from '../i18n/launcher-strings.js';
import type { UiStore } from '../state/ui.js';
import { h } from './dom.js';
import { createLauncherView, type LauncherViewProps } from './launcher-view.js';
import type { ToastModule } from './toast.js';
import type { ToastView, ToastViewProps } from './toast-view.js';

export interface LauncherRootProps {
  client: Client;
  ui: UiStore;
  strings: LauncherStrings;
  /** Picks the toast's words (toast-strings.ts, loaded with the toast). */
  locale: Locale;
  brandName?: string | undefined;
  brandAvatarUrl?: string | undefined;
  onIntent: () => void;
  onToggle: () => void;
  /** Adds a stylesheet to the shadow root (the toast's, once loaded). */
  addStyles?: (css: string) => void;
  /** A toast could not be loaded (it is tried again at the next prompt change). */
  onError?: (error: unknown) => void;
  /**
   * The toast's code, loaded when a prompt is first to be shown. A module returned synchronously
   * is used at once (tests).
   * @default () => import('./toast.js')
   */
  loadToast?: () => ToastModule | Promise<ToastModule>;
}

export interface LauncherRoot {
  /** The launcher button, so focus can return to it when the panel closes. */
  readonly button: HTMLButtonElement;
  /** The corner box, measured to keep clear of `data-threadline-avoid` elements. */
  readonly corner: HTMLElement;
  /** Unsubscribes and removes every node and listener. */
  destroy(): void;
}

interface View {
  open: boolean;
  unread: number;
  prompt: ProactivePrompt | null;
}

/**
 * The part of the widget that exists before the first open: launcher, badge, proactive toast.
 *
 * Plain DOM, not Preact: this is the initial chunk (threadline.js, loaded on every shop page),
 * and Preact would be about 4.3 KiB gzip of it to draw one button and one toast. Preact comes
 * with the panel, on first open. The views (launcher-view.ts, toast-view.ts) take props; this
 * container subscribes to the client and the ui store and updates them only when one of the
 * three values it shows changes.
 */
export function createLauncherRoot(parent: HTMLElement, props: LauncherRootProps): LauncherRoot {
  const { client, ui, strings } = props;
  const doc = parent.ownerDocument;
  const read = (): View => {
    const snap = client.getSnapshot();
    return { open: ui.getSnapshot().open, unread: snap.totalUnread, prompt: firstToast(snap.proactive) };
  };
  let view = read();
  let shownId: string | null = null;

  const reply = (id: string, quickReply?: string) => {
    client.reportProactive(id, 'opened');
    const threadId = quickReply !== undefined ? client.replyProactive(id, { text: quickReply, quickReply }) : null;
    ui.dispatch({ type: 'navigate', route: threadId ? { name: 'thread', threadId } : { name: 'compose', promptId: id } });
    ui.dispatch({ type: 'open' });
  };
  const launcherProps = ({ open, unread }: View): LauncherViewProps => ({
    open,
    unread,
    labels: { open: strings.open, close: strings.close, unread: format(strings.unread, { count: unread }) },
    onToggle: props.onToggle,
    onIntent: props.onIntent,
  });
  const toastProps = (prompt: ProactivePrompt, mod: ToastModule): ToastViewProps => ({
    prompt,
    brandName: props.brandName,
    brandAvatarUrl: props.brandAvatarUrl,
    words: mod.TOAST_STRINGS[props.locale],
    onDismiss: (id) => client.reportProactive(id, 'dismissed'),
    onReply: reply,
  });

  const corner = h(doc, 'div', { class: 'corner' });
  parent.append(corner);
  const launcher = createLauncherView(corner, launcherProps(view));
  let toast: ToastView | null = null;
  let toastModule: ToastModule | null = null;
  let loadingToast = false;
  let destroyed = false;

  const useToastModule = (mod: ToastModule) => {
    toastModule = mod;
    props.addStyles?.(mod.toastCss);
  };
  /** Starts loading the toast's code; renders again when it is there. */
  const loadToast = () => {
    if (loadingToast) return;
    loadingToast = true;
    try {
      const result = (props.loadToast ?? (() => import('./toast.js')))();
      if (!(result instanceof Promise)) return void useToastModule(result);
      result.then(
        (mod) => {
          loadingToast = false;
          if (destroyed) return;
          useToastModule(mod);
          render();
        },
        (error: unknown) => {
          loadingToast = false;
          if (!destroyed) props.onError?.(error);
        },
      );
    } catch (error) {
      loadingToast = false;
      props.onError?.(error);
    }
  };

  const render = () => {
    const { open, prompt } = view;
    launcher.update(launcherProps(view));
    if (prompt && !open) {
      if (!toastModule) loadToast();
      if (toast && toastModule) toast.update(toastProps(prompt, toastModule));
      else if (toastModule) toast = toastModule.createToastView(corner, toastProps(prompt, toastModule), corner.firstChild);
    } else {
      toast?.destroy();
      toast = null;
    }
    reportShown();
  };

  /** A prompt counts as shown (against its campaign's cap) once it is on screen. */
  const reportShown = () => {
    const { prompt, open } = view;
    if (toast && prompt && !open && prompt.id !== shownId) {
      shownId = prompt.id;
      client.reportProactive(prompt.id, 'shown');
    }
  };

  const sync = () => {
    const next = read();
    if (next.open === view.open && next.unread === view.unread && next.prompt === view.prompt) return;
    view = next;
    render();
  };
  const subs = [client.subscribe(sync), ui.subscribe(sync)];
  render();

  return {
    button: launcher.button,
    corner,
    destroy() {
      destroyed = true;
      subs.splice(0).forEach((off) => off());
      toast?.destroy();
      toast = null;
      launcher.destroy();
      corner.remove();
    },
  };
}

/** The toast shows the oldest waiting prompt meant for a toast; `open` prompts open the panel instead. */
function firstToast(prompts: readonly ProactivePrompt[]): ProactivePrompt | null {
  return prompts.find((p) => p.display === 'toast') ?? null;
}
