import type { AgentThread, AgentVisitor, AssignmentEvent, Message } from '@threadline/protocol';
import { waitingSince, type StatusFilter } from '../inbox/inbox-state.js';
import { assignmentLine, pagePath, shortTime, visitorLabel, waitedFor } from '../text/format.js';
import { PaneBoundary } from './PaneBoundary.js';

export interface ThreadListProps {
  threads: AgentThread[];
  visitors: Record<string, AgentVisitor>;
  typing: Record<string, boolean>;
  selectedId: string | null;
  filter: StatusFilter;
  loaded: boolean;
  hasMore: boolean;
  onFilter(filter: StatusFilter): void;
  onSelect(threadId: string): void;
  onLoadMore(): void;
  /** The signed-in agent's name: only their own messages preview as "You: ". */
  agentName?: string;
  /** Threads waiting for a person (the Queue's count). */
  queued?: number;
  now?: number;
}

const FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'queue', label: 'Queue' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

/**
 * One line for the list: who wrote it when it was the brand — "You: " for the signed-in agent's
 * own messages, the author's name for a colleague's or a bot's (the away reply, an integration) —
 * then the text or what was attached.
 */
export function preview(m: Message | null, agentName?: string): string {
  if (!m) return 'No messages yet';
  const a = m.author;
  const who =
    a.kind === 'visitor' || a.kind === 'system'
      ? ''
      : a.kind === 'agent' && agentName !== undefined && a.name === agentName
        ? 'You: '
        : `${a.name ?? (a.kind === 'bot' ? 'Bot' : 'Agent')}: `;
  if (m.kind === 'event' && m.meta?.event === 'thread.assigned') return assignmentLine(m.meta as unknown as AssignmentEvent);
  if (m.kind === 'rating') return `Rated ${String((m.meta as { score?: number } | undefined)?.score ?? '')}/5`;
  if (m.text.trim()) return who + m.text.replace(/\s+/g, ' ').trim();
  const n = m.attachments.length;
  const first = m.attachments[0];
  if (!first) return who + '(empty message)';
  const what = first.mime.startsWith('image/') ? 'Photo' : first.mime.startsWith('audio/') ? 'Voice clip' : 'File';
  return `${who}${what}${n > 1 ? ` + ${n - 1} more` : ''}`;
}

export function ThreadList(props: ThreadListProps) {
  const { threads, visitors, typing, selectedId, filter, now = Date.now() } = props;
  return (
    <nav class="thread-list" aria-label="Conversations">
      <div class="filter" role="radiogroup" aria-label="Show">
        {FILTERS.map((f) => (
          <label key={f.value} class={f.value === filter ? 'chip chip-on' : 'chip'}>
            <input type="radio" name="status-filter" value={f.value} checked={f.value === filter} onChange={() => props.onFilter(f.value)} />
            {f.label}
            {f.value === 'queue' && props.queued ? <span class="count">{props.queued}</span> : null}
          </label>
        ))}
      </div>
      {!props.loaded ? (
        <p class="empty">Loading conversations…</p>
      ) : threads.length === 0 ? (
        <p class="empty">
          {filter === 'resolved'
            ? 'No resolved conversations.'
            : filter === 'queue'
              ? 'Nobody is waiting for a person. A conversation lands here when a shopper asks for one, or the bot hands it over.'
              : 'No conversations yet. When a shopper writes from the shop, it appears here at once.'}
        </p>
      ) : (
        <ul>
          {threads.map((t) => (
            <li key={t.id}>
              {/* One thread whose data cannot be shown must not empty the list; it can still be opened. */}
              <PaneBoundary
                label="Conversation"
                what=""
                resetKey={t}
                fallback={() => (
                  <button type="button" class={`thread-item row-error${t.id === selectedId ? ' selected' : ''}`} onClick={() => props.onSelect(t.id)}>
                    <span class="ti-name">Conversation …{t.id.slice(-4)}</span>
                    <span class="ti-preview">Its summary could not be shown. Open it to see the messages.</span>
                  </button>
                )}
              >
                <ThreadItem thread={t} visitor={visitors[t.visitor.id] ?? t.visitor} typing={!!typing[t.id]} selected={t.id === selectedId} now={now} agentName={props.agentName} onSelect={props.onSelect} />
              </PaneBoundary>
            </li>
          ))}
        </ul>
      )}
      {props.hasMore && (
        <button type="button" class="btn btn-ghost load-more" onClick={props.onLoadMore}>
          Load older conversations
        </button>
      )}
    </nav>
  );
}

interface ThreadItemProps {
  thread: AgentThread;
  visitor: AgentVisitor;
  typing: boolean;
  selected: boolean;
  now: number;
  agentName?: string | undefined;
  onSelect(threadId: string): void;
}

function ThreadItem({ thread: t, visitor: v, typing, selected, now, agentName, onSelect }: ThreadItemProps) {
  const unread = t.unread > 0;
  const page = v.context.page;
  return (
    <button
      type="button"
      class={`thread-item${selected ? ' selected' : ''}${unread ? ' unread' : ''}`}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(t.id)}
    >
      <span class="ti-top">
        <span class={`presence${v.online ? ' on' : ''}`} title={v.online ? 'Online now' : 'Offline'} aria-hidden="true" />
        <span class="ti-name">{visitorLabel(v)}</span>
        <span class="ti-time">{shortTime(t.updatedAt, now)}</span>
      </span>
      <span class="ti-preview">{typing ? <em>typing…</em> : preview(t.lastMessage, agentName)}</span>
      <span class="ti-meta">
        {t.status === 'resolved' && <span class="tag">Resolved</span>}
        {t.status === 'open' && t.assignee?.kind === 'queue' && <span class="tag tag-wait">{waitedFor(waitingSince(t), now)}</span>}
        {t.assignee?.kind === 'bot' && <span class="tag tag-bot">Bot</span>}
        {t.assignee?.kind === 'agent' && <span class="tag">{t.assignee.name === agentName ? 'Yours' : t.assignee.name}</span>}
        {t.campaign && <span class="tag tag-campaign">Campaign: {t.campaign}</span>}
        {page && <span class="ti-page">{pagePath(page.url)}</span>}
        {unread && (
          <span class="badge" aria-label={`${t.unread} unread`}>
            {t.unread}
          </span>
        )}
      </span>
      <span class="visually-hidden">
        {v.online ? 'Online.' : 'Offline.'} {unread ? `${t.unread} unread.` : ''}
      </span>
    </button>
  );
}
