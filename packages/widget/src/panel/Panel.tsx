import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LIMITS } from '@threadline/protocol';
import type { Attachment, QuickReply, Snapshot } from '@threadline/core';
import { yieldToPage } from '@threadline/core/bare';
import { Avatar } from '../components/Avatar.js';
import { Banner } from '../components/Banner.js';
import { Composer } from '../components/Composer.js';
import { Conversation } from '../components/Conversation.js';
import { BackIcon, CloseIcon } from '../components/icons.js';
import { Inbox } from '../components/Inbox.js';
import { Rating } from '../components/Rating.js';
import { RichText } from '../components/RichText.js';
import { RichSlot } from '../components/rich-slot.js';
import { TypingIndicator } from '../components/TypingIndicator.js';
import { createI18n, type I18n } from '../i18n/i18n.js';
import { useStore } from '../state/use-store.js';
import type { Route } from '../state/ui.js';
import { canRecord, mediaRecorder } from '../voice/recorder.js';
import type { PanelContext } from './context.js';
import { useComposer } from './use-composer.js';
import { AvailabilitySlot, NotifySlot, useHandoff } from './notify-slot.js';
import { useModalOnPhones } from './modal.js';
import { useContinueLink } from './continue-link.js';
import { HomeTop } from './Home.js';

const NO_MESSAGES: Snapshot['messages'][string] = [];
/** How much of the panel is drawn (see Panel). */
const SHELL = 0;
const BODY = 1;
const DRAWN = 2;

/**
 * The panel: header, connection banner, then the inbox or one thread. With `shellFirst`, each
 * opening draws in three tasks, each after a frame: the shell (header, banner, an empty body),
 * then the body (the inbox, or a thread's composer), then a thread's message list. On a phone the
 * whole panel at once was one long task of ~60 ms. The body and the list stay empty for a frame
 * each, under the panel's rise animation: no "no messages" flash, and no spinner that would
 * only blink.
 */
export function Panel({ ctx, shellFirst = false }: { ctx: PanelContext; shellFirst?: boolean }) {
  const i18n = useMemo(() => createI18n(ctx.locale), [ctx.locale]);
  const { open, route } = useStore(ctx.ui);
  const hasThreads = useStore(ctx.client, (s) => s.threads.length > 0);
  useContinueLink(ctx);
  const section = useRef<HTMLElement>(null);
  useModalOnPhones(section, open);
  const [stage, setStage] = useState(shellFirst ? SHELL : DRAWN);
  useEffect(() => {
    if (!open) {
      if (shellFirst) setStage(SHELL);
      return;
    }
    if (stage < DRAWN) return afterNextFrame(() => setStage(stage + 1));
  }, [open, stage]);
  if (!open) return null;
  // With no thread yet, the inbox would be an empty list: go straight to writing.
  const shown: Route = route.name === 'inbox' && !hasThreads ? { name: 'compose' } : route;
  const title = ctx.brandName ?? i18n.t('title');
  return (
    <section class="panel" role="dialog" aria-label={title} tabIndex={-1} ref={section}>
      {/* A div, not <header>: inside a dialog a header would count as a second page banner. */}
      <div class="header">
        {shown.name !== 'inbox' && hasThreads && (
          <button type="button" class="icon-btn" aria-label={i18n.t('back')} onClick={() => ctx.ui.dispatch({ type: 'navigate', route: { name: 'inbox' } })}>
            <BackIcon />
          </button>
        )}
        {(ctx.brandName || ctx.brandAvatarUrl) && <Avatar name={title} url={ctx.brandAvatarUrl} />}
        <h2>
          <bdi>{title}</bdi>
        </h2>
        <button type="button" class="icon-btn" aria-label={i18n.t('close')} onClick={ctx.close}>
          <CloseIcon />
        </button>
      </div>
      <ConnectionBanner ctx={ctx} i18n={i18n} />
      {stage === SHELL ? (
        <div class="body" aria-busy="true" />
      ) : shown.name === 'inbox' ? (
        <InboxScreen ctx={ctx} i18n={i18n} />
      ) : shown.name === 'thread' ? (
        <ThreadScreen key={shown.threadId} ctx={ctx} i18n={i18n} threadId={shown.threadId} listDrawn={stage === DRAWN} />
      ) : (
        <ThreadScreen key={`new-${shown.promptId ?? ''}`} ctx={ctx} i18n={i18n} threadId={null} promptId={shown.promptId} listDrawn={stage === DRAWN} />
      )}
    </section>
  );
}

/** Runs `fn` in a task after the next frame has been drawn; returns the cancel function. */
function afterNextFrame(fn: () => void): () => void {
  let live = true;
  const next = () => void yieldToPage().then(() => live && fn());
  if (typeof requestAnimationFrame !== 'function') {
    const timer = setTimeout(next, 16);
    return () => ((live = false), clearTimeout(timer));
  }
  const frame = requestAnimationFrame(next);
  return () => ((live = false), cancelAnimationFrame(frame));
}

function ConnectionBanner({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const connection = useStore(ctx.client, (s) => s.connection);
  const fellBack = useStore(ctx.ui, (s) => s.storageFallback);
  return <Banner connection={connection} storageFallback={fellBack} i18n={i18n} />;
}

function InboxScreen({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const threads = useStore(ctx.client, (s) => s.threads);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => list.current?.querySelector<HTMLElement>('button.inbox-row, .footer button')?.focus(), []);
  return (
    <div class="body" ref={list}>
      <Inbox
        threads={threads}
        i18n={i18n}
        brandName={ctx.brandName ?? i18n.t('team')}
        brandAvatarUrl={ctx.brandAvatarUrl}
        greeting={ctx.greeting ?? i18n.t('greeting')}
        showBrand={!!(ctx.brandName || ctx.brandAvatarUrl)}
        hero={<HomeTop ctx={ctx} i18n={i18n} />}
        onOpen={(threadId) => ctx.ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId } })}
        onNew={() => ctx.ui.dispatch({ type: 'navigate', route: { name: 'compose' } })}
      />
    </div>
  );
}

interface ThreadScreenProps {
  ctx: PanelContext;
  i18n: I18n;
  /** null: a new conversation, created on its first message. */
  threadId: string | null;
  promptId?: string | undefined;
  /** False: the message list's place is kept empty (drawn in the next slice, see Panel). */
  listDrawn?: boolean;
}

function ThreadScreen({ ctx, i18n, threadId, promptId, listDrawn = true }: ThreadScreenProps) {
  const { client, ui } = ctx;
  const thread = useStore(client, (s) => (threadId ? (s.threads.find((t) => t.id === threadId) ?? null) : null));
  const messages = useStore(client, (s) => (threadId ? (s.messages[threadId] ?? NO_MESSAGES) : NO_MESSAGES));
  const uploads = useStore(client, (s) => s.uploads);
  const typing = useStore(client, (s) => (threadId ? s.typing[threadId] : undefined));
  const maxBytes = useStore(client, (s) => s.session?.maxUploadBytes ?? LIMITS.defaultMaxUploadBytes);
  const prompt = useStore(client, (s) => (promptId ? s.proactive.find((p) => p.id === promptId) : undefined));
  const prefill = useMemo(() => {
    const text = ui.getSnapshot().prefill;
    if (text !== null) ui.dispatch({ type: 'prefillTaken' });
    return text;
  }, []);
  const composer = useComposer(ctx.drafts, threadId ?? (promptId ? `prompt-${promptId}` : 'new'), i18n, maxBytes, prefill);
  const field = useRef<HTMLTextAreaElement | null>(null);
  const [dragging, setDragging] = useState(false);
  const recorder = ctx.recorder ?? (canRecord() ? mediaRecorder : undefined);
  const touch = useMemo(() => ctx.coarsePointer ?? (typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches), []);
  const brandName = ctx.brandName ?? i18n.t('team');

  useEffect(() => {
    // Focus moves into the panel. On touch screens the field is not focused by itself: that
    // would pop the keyboard over the conversation the visitor came to read.
    if (touch) field.current?.closest<HTMLElement>('.panel')?.focus();
    else field.current?.focus();
    if (threadId) void client.openThread(threadId);
  }, []);
  // Reading the thread while the panel shows it clears its unread count, here and on other devices.
  useEffect(() => {
    if (threadId && thread && thread.unread > 0 && document.visibilityState !== 'hidden') client.markRead(threadId);
  }, [threadId, thread?.unread, messages.length]);

  const send = (message = composer.take()) => {
    if (!message) return;
    const files = message.files ?? [];
    if (threadId) {
      const clientId = client.send(threadId, message);
      if (clientId && files.length) ctx.previews?.add(clientId, files);
      return;
    }
    const id = promptId ? client.replyProactive(promptId, message) : client.startThread(message);
    if (!id) return;
    // A new thread's first message: its clientId is the one the core just queued there.
    const first = client.getSnapshot().messages[id]?.at(-1);
    if (first?.clientId && files.length) ctx.previews?.add(first.clientId, files);
    ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: id } });
  };
  const quickReply = (q: QuickReply) => send({ text: q.label, quickReply: q.value ?? q.label });
  const resolveUrl = (a: Attachment) => client.attachmentUrl(a);
  const handoff = useHandoff(thread, messages);

  const typingName = typing && typing.until > Date.now() ? (typing.author.name ?? brandName) : null;
  const intro = prompt ? (
    <div class="log">
      <div class="group">
        <Avatar name={prompt.author.name ?? brandName} url={prompt.author.avatarUrl ?? ctx.brandAvatarUrl} />
        <div class="group-body">
          <span class="author">
            <bdi>{prompt.author.name ?? brandName}</bdi>
            {prompt.author.kind === 'bot' && <span class="bot-tag">{i18n.t('bot')}</span>}
          </span>
          <div class="bubble" dir="auto">
            <RichText text={prompt.text} />
          </div>
          {/* Its blocks answer like a message's: a button or its form starts the thread from the prompt (`send`). */}
          {prompt.blocks && <RichSlot message={prompt} locale={i18n.locale} onSend={send} resolveUrl={resolveUrl} />}
        </div>
      </div>
    </div>
  ) : threadId === null ? (
    <HomeTop ctx={ctx} i18n={i18n} />
  ) : (
    <div class="greeting">
      {(ctx.brandName || ctx.brandAvatarUrl) && <Avatar name={brandName} url={ctx.brandAvatarUrl} />}
      <p dir="auto">
        {ctx.greeting ?? i18n.t('greeting')}
        <AvailabilitySlot ctx={ctx} i18n={i18n} />
      </p>
    </div>
  );

  return (
    <div
      class="body"
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (e.dataTransfer?.files.length) composer.addFiles([...e.dataTransfer.files]);
      }}
    >
      {!listDrawn ? (
        <div class="body" aria-busy="true" />
      ) : (
        <Conversation
          messages={messages}
          uploads={uploads}
          i18n={i18n}
          brandName={brandName}
          brandAvatarUrl={ctx.brandAvatarUrl}
          hasOlder={thread?.hasOlder ?? false}
          loadingOlder={thread?.loadingOlder ?? false}
          onLoadOlder={() => threadId && void client.loadOlder(threadId)}
          onQuickReply={quickReply}
          onSend={send}
          systemText={handoff?.assignedText(i18n.locale)}
          resolved={thread?.status === 'resolved'}
          resolveUrl={resolveUrl}
          previewOf={ctx.previews?.get}
          storedPreview={(clientId, index) => client.pendingFileUrl(clientId, index)}
          onRetry={(id) => client.retry(id)}
          onDiscard={(id) => {
            client.discard(id);
            ctx.previews?.release(id);
          }}
          intro={intro}
          outro={
            <>
              {threadId && <NotifySlot ctx={ctx} i18n={i18n} messages={messages} />}
              {handoff && thread && <handoff.Handoff ctx={ctx} i18n={i18n} thread={thread} messages={messages} />}
              {typingName && <TypingIndicator name={typingName} i18n={i18n} />}
              {thread?.status === 'resolved' && (
                <>
                  <p class="closed-note">{i18n.t('resolved')}</p>
                  <Rating i18n={i18n} rated={thread.rating} onRate={(score, comment) => threadId && client.rate(threadId, score, comment)} />
                </>
              )}
            </>
          }
        />
      )}
      <Composer
        i18n={i18n}
        text={composer.text}
        files={composer.files}
        error={composer.error}
        onText={(t) => {
          composer.setText(t);
          if (threadId && t) client.setTyping(threadId, true);
        }}
        onAddFiles={composer.addFiles}
        onRemoveFile={composer.removeFile}
        onVoice={composer.addVoice}
        onSend={() => send()}
        recorder={recorder}
        camera={touch}
        textareaRef={field}
      />
      {dragging && <div class="drop">{i18n.t('dropHere')}</div>}
    </div>
  );
}
