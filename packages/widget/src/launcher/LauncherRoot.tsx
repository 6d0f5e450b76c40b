import { Component } from 'preact';
import type { Client, ProactivePrompt } from '@threadline/core';
import { Launcher } from '../components/Launcher.js';
import { Toast } from '../components/Toast.js';
import { format } from '../i18n/locale.js';
import type { LauncherStrings } from '../i18n/launcher-strings.js';
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

interface View {
  open: boolean;
  unread: number;
  prompt: ProactivePrompt | null;
}

/**
 * The part of the widget that exists before the first open: launcher, badge, proactive toast.
 *
 * A class with explicit subscriptions rather than the `useStore` hook the panel uses: it keeps
 * preact/hooks (about 1.3 KiB gzipped) out of the initial chunk. It re-renders only when one of
 * the three values it shows changes.
 */
export class LauncherRoot extends Component<LauncherRootProps, View> {
  private readonly off: Array<() => void> = [];
  private shownId: string | null = null;
  override state = this.read();

  private read(): View {
    const snap = this.props.client.getSnapshot();
    return { open: this.props.ui.getSnapshot().open, unread: snap.totalUnread, prompt: firstToast(snap.proactive) };
  }

  override componentDidMount() {
    const sync = () => {
      const next = this.read();
      const now = this.state;
      if (next.open !== now.open || next.unread !== now.unread || next.prompt !== now.prompt) this.setState(next);
    };
    this.off.push(this.props.client.subscribe(sync), this.props.ui.subscribe(sync));
    sync();
    this.reportShown();
  }

  override componentDidUpdate() {
    this.reportShown();
  }

  override componentWillUnmount() {
    this.off.splice(0).forEach((off) => off());
  }

  /** A prompt counts as shown (against its campaign's cap) once it is on screen. */
  private reportShown() {
    const { prompt, open } = this.state;
    if (prompt && !open && prompt.id !== this.shownId) {
      this.shownId = prompt.id;
      this.props.client.markProactiveShown(prompt.id);
    }
  }

  private reply = (id: string, quickReply?: string) => {
    const { client, ui } = this.props;
    client.openProactive(id);
    const threadId = quickReply !== undefined ? client.replyProactive(id, { text: quickReply, quickReply }) : null;
    ui.dispatch({ type: 'navigate', route: threadId ? { name: 'thread', threadId } : { name: 'compose', promptId: id } });
    ui.dispatch({ type: 'open' });
  };

  override render() {
    const { client, strings, brandName, brandAvatarUrl, onIntent, onToggle, buttonRef, cornerRef } = this.props;
    const { open, unread, prompt } = this.state;
    return (
      <div class="corner" ref={cornerRef}>
        {prompt && !open && (
          <Toast
            prompt={prompt}
            fallbackName={brandName}
            fallbackAvatar={brandAvatarUrl}
            labels={{ reply: strings.reply, dismiss: strings.dismiss, from: format(strings.toastFrom, { name: prompt.author.name ?? brandName }) }}
            onDismiss={(id) => client.dismissProactive(id)}
            onReply={this.reply}
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
}

/** The toast shows the oldest waiting prompt meant for a toast; `open` prompts open the panel instead. */
function firstToast(prompts: readonly ProactivePrompt[]): ProactivePrompt | null {
  return prompts.find((p) => p.display === 'toast') ?? null;
}
