import type { ComponentChildren } from 'preact';
import type { MessageView, ThreadView } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import { Avatar } from './Avatar.js';

export interface InboxProps {
  threads: readonly ThreadView[];
  i18n: I18n;
  brandName: string;
  brandAvatarUrl?: string | undefined;
  greeting: string;
  /** Show the brand's avatar beside the greeting (when a brand name or avatar was configured). */
  showBrand?: boolean;
  /** Drawn instead of the greeting, with "Recent conversations" over the list: the first screen (HomeHero). */
  hero?: ComponentChildren;
  onOpen: (threadId: string) => void;
  onNew: () => void;
}

/** The visitor's threads, newest first, with previews and unread counts. */
export function Inbox({ threads, i18n, brandName, brandAvatarUrl, greeting, showBrand = true, hero, onOpen, onNew }: InboxProps) {
  return (
    <div class="body">
      <div class="scroll">
        {hero ?? (
          <div class="greeting">
            {showBrand && <Avatar name={brandName} url={brandAvatarUrl} />}
            <p dir="auto">{greeting}</p>
          </div>
        )}
        {hero && threads.length > 0 && (
          <h3 class="inbox-heading">
            {i18n.t('recent')}
          </h3>
        )}
        {threads.length === 0 ? (
          <p class="empty">{i18n.t('inboxEmpty')}</p>
        ) : (
          <ul class="inbox-list" aria-label={i18n.t('inboxLabel')}>
            {threads.map((t) => {
              const last = t.lastMessage;
              const name = last && !last.own && last.author.name ? last.author.name : brandName;
              return (
                <li key={t.id}>
                  <button type="button" class={`inbox-row${t.unread ? ' is-unread' : ''}`} onClick={() => onOpen(t.id)}>
                    <Avatar name={name} url={last && !last.own ? (last.author.avatarUrl ?? brandAvatarUrl) : brandAvatarUrl} />
                    <span class="inbox-main">
                      <span class="inbox-top">
                        <span class="inbox-name">
                          <bdi>{name}</bdi>
                        </span>
                        <time class="inbox-time" dateTime={t.updatedAt}>
                          {i18n.stamp(t.updatedAt)}
                        </time>
                      </span>
                      <span class="inbox-preview" dir={last?.own ? undefined : 'auto'}>
                        {last?.own && `${i18n.t('you')}: `}
                        <bdi>{preview(last, i18n, false)}</bdi>
                      </span>
                    </span>
                    {t.unread > 0 && (
                      <span class="unread-count">
                        <span aria-hidden="true">{t.unread}</span>
                        <span class="sr-only">{i18n.t('unread', { count: t.unread })}</span>
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <div class="footer">
        <button type="button" class="btn btn-primary" onClick={onNew}>
          {i18n.t('newConversation')}
        </button>
      </div>
    </div>
  );
}

/**
 * One line: the text, or what was attached; "You: " before the visitor's own (unless `withYou` is
 * false: the inbox puts it outside the text's own isolated direction).
 */
export function preview(m: MessageView | null, i18n: I18n, withYou = true): string {
  if (!m) return '';
  const files = [...m.attachments.map((a) => a.mime), ...m.pendingFiles.map((f) => f.mime)];
  const body =
    m.text.replace(/\s+/g, ' ').trim() ||
    (files.length === 0
      ? ''
      : files[0]!.startsWith('image/')
        ? i18n.t('photo')
        : files[0]!.startsWith('audio/')
          ? i18n.t('voiceClip')
          : i18n.t('attachment'));
  return m.own && withYou ? `${i18n.t('you')}: ${body}` : body;
}
