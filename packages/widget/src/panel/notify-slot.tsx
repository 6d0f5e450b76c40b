import type { MessageView, ThreadView } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import { useStore } from '../state/use-store.js';
import type { PanelContext } from './context.js';
import { lazyChunk } from '../components/lazy-chunk.js';

/**
 * The notify chunk, once loaded (`wanted`: only then is it fetched). Without it nothing is shown:
 * the conversation works without the ask and the line.
 */
const useNotify = lazyChunk(() => import('./notify.js'));

/** The email ask's place in a conversation: its code is fetched once the shopper has written here on a server that emails. */
export function NotifySlot({ ctx, i18n, messages }: { ctx: PanelContext; i18n: I18n; messages: readonly MessageView[] }) {
  const emails = useStore(ctx.client, (s) => s.session?.notifyEmail !== undefined && !s.session.notifyIdentified);
  const m = useNotify(emails && messages.some((x) => x.own));
  return m ? <m.NotifyPrompt ctx={ctx} i18n={i18n} messages={messages} /> : null;
}

/** "Usually replies within …" / "We're back at 9:00" under the greeting, once its chunk is here. */
export function AvailabilitySlot({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const m = useNotify(true);
  return m ? <m.AvailabilityNote ctx={ctx} i18n={i18n} /> : null;
}

/** The team's faces and names on the first screen, once the chunk and the app's settings are here. */
export function TeamSlot({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const m = useNotify(true);
  return m ? <m.TeamNote ctx={ctx} i18n={i18n} /> : null;
}

/**
 * The handoff's chunk (panel/Handoff.tsx) for a thread a bot handles, or one with an assignment
 * in it (its lines are worded there): null until it is here, and for any other thread.
 */
export function useHandoff(thread: ThreadView | null, messages: readonly MessageView[]): typeof import('./notify.js') | null {
  return useNotify(thread?.assignee?.kind === 'bot' || messages.some((m) => m.kind === 'event'));
}
