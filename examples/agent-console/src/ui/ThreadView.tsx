import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AgentThread, AgentVisitor, AssignmentEvent, Attachment, Message } from '@threadline/protocol';
import type { PendingReply, ThreadMessages } from '../inbox/inbox-state.js';
import { describeError } from '../api/api-error.js';
import { assignmentLine, clockTime, dayLabel, fullTime, visitorLabel, waitedFor } from '../text/format.js';
import { waitingSince } from '../inbox/inbox-state.js';
import { AttachmentView } from './AttachmentView.js';
import { Composer } from './Composer.js';
import { MessageText } from './MessageText.js';
import { AnswerMeta, MessageBlocks } from './MessageBlocks.js';

export interface ThreadViewProps {
  thread: AgentThread;
  visitor: AgentVisitor;
  messages: ThreadMessages | undefined;
  pending: PendingReply[];
  visitorTyping: boolean;
  onLoadEarlier(): Promise<void>;
  onSend(text: string, attachments: Attachment[]): void;
  onRetry(clientId: string): void;
  onDiscard(clientId: string): void;
  onTyping(): void;
  onStatus(action: 'resolve' | 'reopen'): Promise<void>;
  onBack?(): void;
  /** Takes the thread, gives it to a colleague by name, or hands it back to the bot. Without it, no assignment bar. */
  onAssign?(to: 'me' | 'bot' | { name: string }): Promise<void>;
  /** The signed-in agent's name ("Assigned to you"). */
  agentName?: string;
  /** Colleagues a thread can be given to (the app's team, by name). */
  team?: string[];
  /** The app has a bot: a thread can be handed back to it. */
  botEnabled?: boolean;
  now?: number;
}

type Row = { kind: 'day'; key: string; label: string } | { kind: 'message'; key: string; message: Message };

/** Day separators are derived here, at render time. */
export function withDays(messages: Message[]): Row[] {
  const rows: Row[] = [];
  let day = '';
  for (const m of messages) {
    const label = dayLabel(m.createdAt);
    if (label !== day) {
      day = label;
      rows.push({ kind: 'day', key: `day-${m.seq}`, label });
    }
    rows.push({ kind: 'message', key: m.id, message: m });
  }
  return rows;
}

function authorName(m: Message, visitor: AgentVisitor): string {
  if (m.author.kind === 'visitor') return visitorLabel(visitor);
  if (m.author.kind === 'bot') return m.author.name ?? 'Bot';
  if (m.author.kind === 'system') return 'System';
  return m.author.name ?? 'Agent';
}

export function ThreadView(props: ThreadViewProps) {
  const { thread, visitor, messages, pending } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const items = messages?.items ?? [];
  const lastAgentSeq = [...items].reverse().find((m) => m.author.kind === 'agent' || m.author.kind === 'bot')?.seq;

  // Follow the conversation while the agent is at the bottom; leave them alone when reading back.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [items.length, pending.length, props.visitorTyping, thread.id]);
  useLayoutEffect(() => {
    stick.current = true;
    setError(null);
  }, [thread.id]);
  // Images and players grow after their file arrives; keep the bottom in view while following.
  useEffect(() => {
    const el = scroller.current;
    const content = el?.firstElementChild;
    if (!el || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [thread.id]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const loadEarlier = () => {
    const el = scroller.current;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    stick.current = false;
    void run(async () => {
      await props.onLoadEarlier();
      // Keep the message the agent was looking at in place.
      requestAnimationFrame(() => el && (el.scrollTop = el.scrollHeight - fromBottom));
    });
  };

  const resolved = thread.status === 'resolved';
  return (
    <section class="thread-view" aria-label={`Conversation with ${visitorLabel(visitor)}`}>
      <header class="tv-header">
        {props.onBack && (
          <button type="button" class="btn btn-ghost btn-small tv-back" onClick={props.onBack}>
            ← Back
          </button>
        )}
        <div class="tv-title">
          <h2>{visitorLabel(visitor)}</h2>
          <p>
            <span class={`presence${visitor.online ? ' on' : ''}`} aria-hidden="true" />
            {visitor.online ? 'Online now' : visitor.lastSeenAt ? `Last seen ${fullTime(visitor.lastSeenAt)}` : 'Offline'}
            {thread.campaign && <span class="tag tag-campaign">Reply to campaign “{thread.campaign}”</span>}
            {thread.rating && <span class="tag">Rated {thread.rating.score}/5</span>}
          </p>
        </div>
        <span class={`status status-${thread.status}`}>{resolved ? 'Resolved' : 'Open'}</span>
        <button type="button" class={`btn ${resolved ? '' : 'btn-success'}`} disabled={busy} onClick={() => run(() => props.onStatus(resolved ? 'reopen' : 'resolve'))}>
          {resolved ? 'Reopen' : 'Resolve'}
        </button>
      </header>
      {props.onAssign && <AssignBar {...props} busy={busy} run={run} />}
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div
        class="messages"
        ref={scroller}
        tabIndex={0}
        role="log"
        aria-label="Messages"
        aria-live="polite"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        <div class="messages-inner">
        {messages?.hasEarlier && (
          <button type="button" class="btn btn-ghost btn-small earlier" onClick={loadEarlier} disabled={busy}>
            Load earlier messages
          </button>
        )}
        {!messages && <p class="empty">Loading messages…</p>}
        {withDays(items).map((row) =>
          row.kind === 'day' ? (
            <p key={row.key} class="day" role="separator">
              {row.label}
            </p>
          ) : (
            <MessageItem key={row.key} message={row.message} visitor={visitor} read={row.message.seq === lastAgentSeq ? thread.visitorReadSeq >= row.message.seq : undefined} />
          ),
        )}
        {pending.map((p) => (
          <div key={p.clientId} class={`msg msg-out pending${p.status === 'failed' ? ' failed' : ''}`}>
            <div class="bubble">
              {p.text && (
                <p class="msg-text">
                  <MessageText text={p.text} />
                </p>
              )}
              {p.attachments.map((a) => (
                <p key={a.id} class="att-pending">
                  Attachment: {a.name}
                </p>
              ))}
            </div>
            <p class="msg-meta" role={p.status === 'failed' ? 'alert' : undefined}>
              {p.status === 'sending' ? (
                'Sending…'
              ) : (
                <>
                  Not sent: {p.error}{' '}
                  <button type="button" class="btn btn-small" onClick={() => props.onRetry(p.clientId)}>
                    Retry
                  </button>{' '}
                  <button type="button" class="btn btn-small btn-ghost" onClick={() => props.onDiscard(p.clientId)}>
                    Discard
                  </button>
                </>
              )}
            </p>
          </div>
        ))}
        {props.visitorTyping && (
          <p class="typing" aria-live="polite">
            <span class="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {visitorLabel(visitor)} is typing…
          </p>
        )}
        </div>
      </div>
      <Composer threadId={thread.id} onSend={props.onSend} onTyping={props.onTyping} />
      {resolved && <p class="composer-note">This conversation is resolved. A reply is delivered, but the shopper's own next message reopens it.</p>}
    </section>
  );
}

/** Who handles the thread, and what the agent can do about it: take it, give it to a colleague, hand it back to the bot. */
function AssignBar(props: ThreadViewProps & { busy: boolean; run: (fn: () => Promise<void>) => Promise<void> }) {
  const { thread, agentName, busy, run, now = Date.now() } = props;
  const [colleague, setColleague] = useState('');
  const a = thread.assignee;
  if (!a || thread.status === 'resolved' || !props.onAssign) return null;
  const assign = props.onAssign;
  const mine = a.kind === 'agent' && a.name === agentName;
  const others = (props.team ?? []).filter((n) => n !== agentName && !(a.kind === 'agent' && a.name === n));
  const label =
    a.kind === 'bot' ? 'The bot is handling this conversation' : a.kind === 'queue' ? `Waiting for a person · ${waitedFor(waitingSince(thread), now).replace('Waiting ', '')}` : mine ? 'Assigned to you' : `Assigned to ${a.name}`;
  return (
    <div class={`assign-bar assign-${a.kind}`} role="group" aria-label="Who handles this conversation">
      <span class="assign-label">{label}</span>
      <span class="assign-actions">
        {!mine && (
          <button type="button" class="btn btn-primary btn-small" disabled={busy} onClick={() => run(() => assign('me'))}>
            Assign to me
          </button>
        )}
        {others.length > 0 && (
          <form
            class="assign-to"
            onSubmit={(e) => {
              e.preventDefault();
              if (colleague) void run(() => assign({ name: colleague }));
            }}
          >
            <label>
              <span class="visually-hidden">Reassign to</span>
              <select value={colleague} onChange={(e) => setColleague(e.currentTarget.value)} disabled={busy}>
                <option value="">Reassign to…</option>
                {others.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="btn btn-small" disabled={busy || !colleague}>
              Reassign
            </button>
          </form>
        )}
        {props.botEnabled && a.kind !== 'bot' && (
          <button type="button" class="btn btn-ghost btn-small" disabled={busy} onClick={() => run(() => assign('bot'))}>
            Hand back to bot
          </button>
        )}
      </span>
    </div>
  );
}

function MessageItem({ message: m, visitor, read }: { message: Message; visitor: AgentVisitor; read: boolean | undefined }) {
  if (m.author.kind === 'system' || m.kind === 'event') {
    const event = m.kind === 'event' && m.meta?.event === 'thread.assigned' ? (m.meta as unknown as AssignmentEvent) : null;
    return (
      <p class={`msg-system${event ? ' msg-assigned' : ''}`}>
        {event ? assignmentLine(event) : <MessageText text={m.text} />} <time dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
      </p>
    );
  }
  if (m.kind === 'rating') {
    const meta = (m.meta ?? {}) as { score?: number; comment?: string };
    return (
      <p class="msg-system msg-rating">
        {visitorLabel(visitor)} rated the conversation <strong>{meta.score ?? '?'}/5</strong>
        {meta.comment ? `: “${meta.comment}”` : ''} <time dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
      </p>
    );
  }
  const out = m.author.kind !== 'visitor';
  const campaign = m.kind === 'proactive' ? (m.meta as { campaign?: string } | undefined)?.campaign : undefined;
  return (
    <div class={`msg ${out ? 'msg-out' : 'msg-in'}${m.kind === 'proactive' ? ' msg-proactive' : ''}`}>
      <p class="msg-author">
        {authorName(m, visitor)}
        {m.author.kind === 'bot' && <span class="tag tag-bot">Bot</span>}
        {m.kind === 'proactive' && <span class="tag tag-campaign">Proactive{campaign ? ` · ${campaign}` : ''}</span>}
        {/* A reply by email (docs/notifications.md), and the brand's away auto-reply outside hours. */}
        {(m.meta as { via?: string } | undefined)?.via === 'email' && <span class="tag tag-email">By email</span>}
        {(m.meta as { away?: boolean } | undefined)?.away === true && <span class="tag">Away message</span>}
      </p>
      <div class="bubble">
        {m.text && (
          <p class="msg-text">
            <MessageText text={m.text} />
          </p>
        )}
        {m.attachments.map((a) => (
          <AttachmentView key={a.id} attachment={a} />
        ))}
        {m.blocks && m.blocks.length > 0 && <MessageBlocks blocks={m.blocks} />}
        {!out && <AnswerMeta meta={m.meta} />}
        {m.quickReplies && m.quickReplies.length > 0 && (
          <p class="quick-replies">
            {m.quickReplies.map((q) => (
              <span key={q.label} class="tag">
                {q.label}
              </span>
            ))}
          </p>
        )}
      </div>
      <p class="msg-meta">
        <time dateTime={m.createdAt} title={fullTime(m.createdAt)}>
          {clockTime(m.createdAt)}
        </time>
        {read !== undefined && <span class={read ? 'read' : ''}>{read ? ' · Read' : ' · Delivered'}</span>}
      </p>
    </div>
  );
}

