import type { Client, ProactivePrompt } from '@threadline/core';
import { Launcher } from '../components/Launcher.js';
import { Toast } from '../components/Toast.js';
import { format } from '../i18n/locale.js';
import type { LauncherStrings } from '../i18n/launcher-strings.js';
import { useStore } from '../state/use-store.js';
import type { UiStore } from '../state/ui.js';

export interface LauncherRootProps {
  client: Client;
  ui: UiStore;
  strings: LauncherStrings;
  brandName: string;
  brandAvatarUrl?: string | undefined;
  onIntent: () => void;
  onToggle: () => void;
  /** The launcher button, so focus can return to it when the panel closes. */
  buttonRef?: { current: HTMLButtonElement | null };
  /** The corner box, measured to keep clear of `data-threadline-avoid` elements. */
  cornerRef?: { current: HTMLDivElement | null };
}

/** The part of the widget that exists before the first open: launcher, badge, proactive toast. */
export function LauncherRoot({ client, ui, strings, brandName, brandAvatarUrl, onIntent, onToggle, buttonRef, cornerRef }: LauncherRootProps) {
  const open = useStore(ui, (s) => s.open);
  const unread = useStore(client, (s) => s.totalUnread);
  const prompt = useStore(client, (s) => firstToast(s.proactive));

  return (
    <div class="corner" ref={cornerRef}>
      {prompt && !open && (
        <Toast
          prompt={prompt}
          fallbackName={brandName}
          fallbackAvatar={brandAvatarUrl}
          labels={{ reply: strings.reply, dismiss: strings.dismiss, from: format(strings.toastFrom, { name: prompt.author.name ?? brandName }) }}
          onShown={(id) => client.markProactiveShown(id)}
          onDismiss={(id) => client.dismissProactive(id)}
          onReply={(id, quickReply) => {
            client.openProactive(id);
            if (quickReply !== undefined) {
              const threadId = client.replyProactive(id, { text: quickReply, quickReply });
              ui.dispatch(threadId ? { type: 'navigate', route: { name: 'thread', threadId } } : { type: 'navigate', route: { name: 'compose', promptId: id } });
            } else {
              ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: id } });
            }
            ui.dispatch({ type: 'open' });
          }}
        />
      )}
      <Launcher
        open={open}
        unread={unread}
        buttonRef={buttonRef}
        labels={{ open: strings.open, close: strings.close, unread: format(strings.unread, { count: unread }) }}
        onToggle={onToggle}
        onIntent={onIntent}
      />
    </div>
  );
}

/** The toast shows the oldest waiting prompt meant for a toast; `open` prompts open the panel instead. */
function firstToast(prompts: readonly ProactivePrompt[]): ProactivePrompt | null {
  return prompts.find((p) => p.display === 'toast') ?? null;
}
