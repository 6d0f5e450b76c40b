import type { MessageView, OutgoingMessage, UploadProgress } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import { AttachmentView, PendingFileView, type ResolveUrl } from './Attachments.js';
import { Avatar } from './Avatar.js';
import { RichText } from './RichText.js';
import { RichSlot } from './rich-slot.js';

export interface MessageActions {
  resolveUrl: ResolveUrl;
  /** A local picture of a photo still uploading, if this tab has one. */
  previewOf?: ((clientId: string, index: number) => string | undefined) | undefined;
  /** A queued photo read back from storage (after a reload): an object URL, or null. */
  storedPreview?: ((clientId: string, index: number) => Promise<string | null>) | undefined;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  /** Answers a message's blocks: a reply or handoff button, a form. */
  onSend?: ((message: OutgoingMessage) => void) | undefined;
  /** The whole thread (a form shows as answered once the answer is in it). */
  thread?: readonly MessageView[] | undefined;
}

export interface MessageGroupProps extends MessageActions {
  own: boolean;
  authorName: string;
  /** The author is a bot (`author.kind`): its name carries a "Bot" tag, so nobody mistakes it for a person. */
  bot?: boolean;
  avatarUrl?: string | undefined;
  messages: readonly MessageView[];
  uploads: Readonly<Record<string, readonly UploadProgress[]>>;
  i18n: I18n;
}

/** Consecutive messages of one author: name and avatar once, then bubbles, statuses under them. */
export function MessageGroup({ own, authorName, bot = false, avatarUrl, messages, uploads, i18n, ...actions }: MessageGroupProps) {
  const last = messages[messages.length - 1];
  return (
    <div class={`group${own ? ' own' : ''}`}>
      {!own && <Avatar name={authorName} url={avatarUrl} />}
      <div class="group-body">
        {/* A <bdi>: the name keeps its own direction, and the line the widget's alignment. */}
        <span class={own ? 'sr-only' : 'author'}>
          <bdi>{authorName}</bdi>
          {bot && <span class="bot-tag">{i18n.t('bot')}</span>}
        </span>
        {messages.map((m) => (
          <MessageItem key={m.key} message={m} uploads={uploads[m.clientId ?? ''] ?? []} i18n={i18n} showStatus={m === last || m.state === 'failed'} {...actions} />
        ))}
      </div>
    </div>
  );
}

interface MessageItemProps extends MessageActions {
  message: MessageView;
  uploads: readonly UploadProgress[];
  i18n: I18n;
  showStatus: boolean;
}

function MessageItem({ message: m, uploads, i18n, showStatus, resolveUrl, previewOf, storedPreview, onRetry, onDiscard, onSend, thread }: MessageItemProps) {
  const failed = m.state === 'failed';
  const score = ratingScore(m);
  return (
    <div class={`msg is-${m.state}`} data-key={m.key}>
      {score !== null ? (
        <div class="bubble rated">
          <span class="rated-stars" role="img" aria-label={i18n.t('rated', { score })}>
            {'★'.repeat(score)}
            <span class="rated-off">{'★'.repeat(5 - score)}</span>
          </span>
          {m.text && (
            <p class="rated-comment" dir="auto">
              <RichText text={m.text} />
            </p>
          )}
        </div>
      ) : m.text && (
        // dir="auto": the text's own direction (an English message in an Arabic widget, or the reverse).
        <div class="bubble" dir="auto">
          <RichText text={m.text} />
        </div>
      )}
      {m.blocks && <RichSlot message={m} thread={thread} locale={i18n.locale} onSend={onSend} resolveUrl={resolveUrl} />}
      {m.attachments.map((a) => (
        <div key={a.id} class={`bubble media${a.mime.startsWith('audio/') ? ' audio' : ''}`}>
          <AttachmentView attachment={a} resolve={resolveUrl} i18n={i18n} />
        </div>
      ))}
      {m.pendingFiles
        .filter((f) => !f.attachment)
        .map((f) => (
          <div key={`p${f.index}`} class="bubble media">
            <PendingFileView
              file={f}
              previewUrl={m.clientId ? previewOf?.(m.clientId, f.index) : undefined}
              loadPreview={m.clientId && storedPreview ? () => storedPreview(m.clientId!, f.index) : undefined}
              progress={uploads.find((u) => u.index === f.index)}
              failed={failed}
              i18n={i18n}
              onCancel={() => m.clientId && onDiscard(m.clientId)}
            />
          </div>
        ))}
      {m.own && showStatus && <Status message={m} i18n={i18n} onRetry={onRetry} onDiscard={onDiscard} />}
      {!m.own && showStatus && (
        <div class="meta">
          <time dateTime={m.createdAt}>{i18n.time(m.createdAt)}</time>
        </div>
      )}
    </div>
  );
}

function Status({ message: m, i18n, onRetry, onDiscard }: { message: MessageView; i18n: I18n; onRetry: (id: string) => void; onDiscard: (id: string) => void }) {
  if (m.state === 'failed' && m.clientId) {
    const id = m.clientId;
    return (
      <div class="meta failed" role="alert">
        <span>
          {i18n.t('failed')}
          {' · '}
          {errorText(m, i18n)}
        </span>
        <button type="button" class="link-btn" onClick={() => onRetry(id)}>
          {i18n.t('retry')}
        </button>
        <button type="button" class="link-btn" onClick={() => onDiscard(id)}>
          {i18n.t('delete')}
        </button>
      </div>
    );
  }
  return (
    <div class="meta">
      <time dateTime={m.createdAt}>{i18n.time(m.createdAt)}</time>
      <span>· {i18n.t(m.state === 'sending' ? 'sending' : m.state === 'read' ? 'read' : 'sent')}</span>
    </div>
  );
}

/** The score of a `rating` message (1–5, from its meta), else null: drawn as stars, not as a bubble of its comment. */
function ratingScore(m: MessageView): number | null {
  const score = m.kind === 'rating' ? m.meta?.score : undefined;
  return typeof score === 'number' && Number.isInteger(score) && score >= 1 && score <= 5 ? score : null;
}

/** Readable words for an error code; the wire message is for developers, not shoppers. */
function errorText(m: MessageView, i18n: I18n): string {
  switch (m.error?.code) {
    case 'payload_too_large':
    case 'file_too_large':
      return i18n.t('errorTooLarge');
    case 'unsupported_media_type':
      return i18n.t('errorType');
    case 'rate_limited':
      return i18n.t('errorRateLimited');
    default:
      return i18n.t('errorGeneric');
  }
}
