import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { MessageView, QuickReply, UploadProgress } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import { groupMessages } from '../panel/group.js';
import { MessageGroup, type MessageActions } from './MessageGroup.js';
import { RichText } from './RichText.js';

/** Messages kept in the DOM at once; scrolling moves this window, so long threads stay smooth. */
export const WINDOW_MAX = 120;
const WINDOW_START = 60;
const STEP = 30;
const EDGE_PX = 80;

export interface ConversationProps extends MessageActions {
  messages: readonly MessageView[];
  uploads: Readonly<Record<string, readonly UploadProgress[]>>;
  i18n: I18n;
  brandName: string;
  brandAvatarUrl?: string | undefined;
  /** Older messages exist beyond the loaded ones. */
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onQuickReply: (reply: QuickReply) => void;
  /** The thread is resolved: its last quick replies are not offered any more. */
  resolved?: boolean;
  /** Above the first message: the greeting, or the proactive prompt being answered. */
  intro?: ComponentChildren;
  /** Below the last message: typing indicator, rating. */
  outro?: ComponentChildren;
  /** The words of a system line in the shopper's language (a `thread.assigned` event), else its own text. */
  systemText?: ((m: MessageView) => string | undefined) | undefined;
}

/**
 * The message log of one thread: a `log` region announced politely, grouped by author and day,
 * showing a window of at most WINDOW_MAX messages that slides as the visitor scrolls.
 */
export function Conversation(props: ConversationProps) {
  const { messages, i18n, hasOlder, loadingOlder, onLoadOlder } = props;
  const scroller = useRef<HTMLDivElement>(null);
  // The window counts from the newest message, so older pages prepended do not move it.
  const [fromEnd, setFromEnd] = useState(0);
  const [size, setSize] = useState(WINDOW_START);
  const anchor = useRef<{ key: string; top: number } | null>(null);
  const stick = useRef(true);
  const lastKey = useRef<string | undefined>(undefined);

  const len = messages.length;
  const end = Math.max(0, len - fromEnd);
  const start = Math.max(0, end - size);
  const visible = messages.slice(start, end);
  const items = groupMessages(visible);
  const lastQuick = fromEnd === 0 && !props.resolved ? quickRepliesOf(messages[len - 1]) : undefined;

  const rememberAnchor = () => {
    const el = scroller.current;
    const first = el?.querySelector<HTMLElement>('[data-key]');
    anchor.current = first && el ? { key: first.dataset.key!, top: first.getBoundingClientRect().top } : null;
  };

  // Keep what the visitor looks at in place when rows are added above; follow the newest otherwise.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // The visitor's own new message brings the view down to it, wherever they had scrolled.
    const last = messages[len - 1];
    if (last && last.key !== lastKey.current && lastKey.current !== undefined && last.own) {
      stick.current = true;
      anchor.current = null;
      if (fromEnd > 0) setFromEnd(0);
    }
    lastKey.current = last?.key;
    const a = anchor.current;
    anchor.current = null;
    if (a) {
      const same = [...el.querySelectorAll<HTMLElement>('[data-key]')].find((n) => n.dataset.key === a.key);
      if (same) el.scrollTop += same.getBoundingClientRect().top - a.top;
      return;
    }
    if (stick.current) el.scrollTop = el.scrollHeight;
  });

  // What grows after it is drawn (an image decoded, the voice player's chunk arriving, the field
  // growing under it) must not push the newest message and its quick replies under the composer.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    for (const child of el.children) observer.observe(child);
    return () => observer.disconnect();
  }, [lastQuick !== undefined, start === 0 && !hasOlder]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    stick.current = nearBottom && fromEnd === 0;
    if (el.scrollTop < EDGE_PX) {
      if (start > 0) {
        rememberAnchor();
        const grown = size + STEP;
        if (grown > WINDOW_MAX) {
          setFromEnd(fromEnd + (grown - WINDOW_MAX));
          setSize(WINDOW_MAX);
        } else setSize(grown);
      } else if (hasOlder && !loadingOlder) {
        rememberAnchor();
        onLoadOlder();
      }
    } else if (nearBottom && fromEnd > 0) {
      setFromEnd(Math.max(0, fromEnd - STEP));
    }
  };

  const jump = () => {
    stick.current = true;
    setFromEnd(0);
    setSize(WINDOW_START);
  };

  return (
    <div class="body">
      {/* Focusable, so the keyboard can scroll a thread with nothing focusable in it (a resolved one). */}
      <div class="scroll" ref={scroller} onScroll={onScroll} tabIndex={0}>
        {loadingOlder && <div class="older">{i18n.t('olderLoading')}</div>}
        {start === 0 && !hasOlder && props.intro}
        <div class="log" role="log" aria-live="polite" aria-relevant="additions" aria-label={i18n.t('messagesLog')}>
          {items.map((item) =>
            item.type === 'day' ? (
              <div key={item.key} class="day">
                {i18n.day(item.iso)}
              </div>
            ) : item.type === 'system' ? (
              <div key={item.key} class="bubble system" dir="auto" data-key={item.message.key}>
                <RichText text={props.systemText?.(item.message) ?? item.message.text} />
              </div>
            ) : (
              <MessageGroup
                key={item.key}
                own={item.own}
                authorName={item.own ? i18n.t('you') : (item.author.name ?? props.brandName)}
                bot={item.author.kind === 'bot'}
                avatarUrl={item.author.avatarUrl ?? props.brandAvatarUrl}
                messages={item.messages}
                uploads={props.uploads}
                i18n={i18n}
                resolveUrl={props.resolveUrl}
                previewOf={props.previewOf}
                storedPreview={props.storedPreview}
                onRetry={props.onRetry}
                onDiscard={props.onDiscard}
                onSend={props.onSend}
                thread={messages}
              />
            ),
          )}
        </div>
        {lastQuick && (
          <div class="quick-replies" role="group" aria-label={i18n.t('quickReplies')}>
            {lastQuick.map((q) => (
              <button key={q.label} type="button" class="btn" dir="auto" onClick={() => props.onQuickReply(q)}>
                {q.label}
              </button>
            ))}
          </div>
        )}
        {fromEnd === 0 && props.outro}
      </div>
      {fromEnd > 0 && (
        <button type="button" class="btn btn-primary jump" onClick={jump}>
          {i18n.t('jumpToNewest')}
        </button>
      )}
    </div>
  );
}

/** Quick replies are offered only under the newest message, and only if it is the brand's. */
function quickRepliesOf(m: MessageView | undefined): readonly QuickReply[] | undefined {
  return m && !m.own && m.quickReplies?.length ? m.quickReplies : undefined;
}
