/**
 * Getting the shopper's attention while the tab is in the background: the brand's unread messages
 * as a count in the page title (`(2) Trail Runner Jacket`), taken off once they are read, and,
 * where the page opted in (`notifications: true`) and the shopper allowed it, a browser
 * notification per message. A chunk of its own, loaded by the first brand message that arrives
 * while the tab is hidden (see widget.tsx): most page views never load it.
 */
import type { Client, MessageView } from '@threadline/core';
import type { WidgetOptions } from './options.js';
import type { UiStore } from './state/ui.js';

/** Our prefix on the page's title; the rest is the page's own, which it may change meanwhile. */
const PREFIX = /^\(\d+\) /;

export interface Attention {
  /** A brand message arrived while the tab was hidden. */
  heard(message: MessageView): void;
  /** Asks the shopper's permission for browser notifications (opted in, not asked yet); call within a click. */
  ask(): void;
  destroy(): void;
}

/** A notification's words, here rather than in the initial part's word list. */
const WORDS: Record<string, { team: string; attachment: string }> = {
  en: { team: 'Team', attachment: 'Attachment' },
  'zh-CN': { team: '客服', attachment: '附件' },
  'zh-TW': { team: '客服', attachment: '附件' },
  ar: { team: 'الفريق', attachment: 'مرفق' },
  he: { team: 'הצוות', attachment: 'קובץ מצורף' },
};

/**
 * `options.notifications`: a notification per message too. A click on one brings the tab forward
 * with that conversation open (`ui`).
 */
export function createAttention(client: Client, doc: Document, options: WidgetOptions, locale: string, ui: UiStore): Attention {
  const words = WORDS[locale] ?? WORDS.en!;
  const notify = options.notifications === true;
  const allowed = () => notify && typeof Notification === 'function' && Notification.permission === 'granted';
  let shown = false;
  const notifications = new Set<Notification>();

  const setTitle = (count: number) => {
    const page = doc.title.replace(PREFIX, '');
    doc.title = count > 0 ? `(${count}) ${page}` : page;
    shown = count > 0;
  };
  // Read (here or on another device): the title is the page's again; a new unread count follows.
  const off = client.subscribe(() => {
    if (!shown) return;
    const total = client.getSnapshot().totalUnread;
    if (total === 0) {
      setTitle(0);
      for (const n of notifications) n.close();
      notifications.clear();
    } else if (!doc.title.startsWith(`(${total}) `)) setTitle(total);
  });

  return {
    heard(message) {
      if (!doc.hidden) return;
      setTitle(Math.max(1, client.getSnapshot().totalUnread));
      if (!allowed()) return;
      try {
        const n = new Notification(message.author.name ?? options.brandName ?? words.team, {
          body: message.text || words.attachment,
          // One notification per thread: a newer message replaces the older one.
          tag: `threadline:${message.threadId}`,
          ...(options.brandAvatarUrl ? { icon: options.brandAvatarUrl } : {}),
        });
        notifications.add(n);
        n.onclick = () => {
          doc.defaultView?.focus();
          ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: message.threadId } });
          ui.dispatch({ type: 'open' });
          n.close();
        };
        n.onclose = () => notifications.delete(n);
      } catch {
        // Some browsers (Chrome on Android) allow notifications only from a service worker: the
        // title still says it.
      }
    },
    ask() {
      if (notify && typeof Notification === 'function' && Notification.permission === 'default') {
        // Older Safari answers through a callback and returns nothing.
        void Promise.resolve(Notification.requestPermission()).catch(() => undefined /* no answer is an answer: nothing is shown */);
      }
    },
    destroy() {
      off();
      if (shown) setTitle(0);
      for (const n of notifications) n.close();
    },
  };
}
