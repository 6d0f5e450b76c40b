/** Row ⇄ wire conversions. The only place that knows both shapes. */
import { canonicalLocale, type AgentAssignee, type AgentVisitor, type Attachment, type Author, type Block, type Message, type ProactiveMessage, type QuickReply, type Thread, type VisitorContext } from '@threadline/protocol';
import type { FilesTable, MessagesTable, ProactiveTable, ThreadsTable, VisitorsTable } from '../db/schema.js';
import { assigneeOf } from './assignment.js';

/** Epoch ms as ISO 8601. Columns come back as numbers from both engines (db/postgres.ts parses bigint), so no conversion here. */
export const iso = (ms: number | null | undefined): string => new Date(ms ?? 0).toISOString();

function parse<T>(json: string | null | undefined, fallback: T): T {
  if (!json) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    // A corrupt JSON column must not take a thread down; the fallback is an empty value.
    return fallback;
  }
}

export function toMessage(row: MessagesTable): Message {
  const author: Author = { kind: row.author_kind };
  if (row.author_name) author.name = row.author_name;
  if (row.author_avatar) author.avatarUrl = row.author_avatar;
  const message: Message = {
    id: row.id,
    clientId: row.client_id,
    threadId: row.thread_id,
    seq: row.seq,
    author,
    text: row.text,
    attachments: parse<Attachment[]>(row.attachments, []),
    kind: row.kind,
    createdAt: iso(row.created_at),
  };
  const quickReplies = parse<QuickReply[] | null>(row.quick_replies, null);
  if (quickReplies?.length) message.quickReplies = quickReplies;
  const blocks = parse<Block[] | null>(row.blocks, null);
  if (blocks?.length) message.blocks = blocks;
  const meta = parse<Record<string, unknown> | null>(row.meta, null);
  if (meta) message.meta = meta;
  return message;
}

export function toThread(row: ThreadsTable, last: MessagesTable | undefined, unread: number): Thread {
  return {
    id: row.id,
    status: row.status,
    lastSeq: row.last_seq,
    lastMessage: last ? toMessage(last) : null,
    unread,
    visitorReadSeq: row.visitor_read_seq,
    agentReadSeq: row.agent_read_seq,
    campaign: row.campaign,
    rating:
      row.rating_score === null
        ? null
        : row.rating_comment
          ? { score: row.rating_score, comment: row.rating_comment }
          : { score: row.rating_score },
    assignee: assigneeOf(row),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Who handles the thread, as the brand sees it (with the agent's id and since when). */
export function agentAssigneeOf(row: Pick<ThreadsTable, 'assignee_kind' | 'assignee_id' | 'assignee_name' | 'assigned_at'>): AgentAssignee {
  const since = row.assigned_at === null ? null : iso(row.assigned_at);
  return row.assignee_kind === 'agent' ? { kind: 'agent', id: row.assignee_id ?? '', name: row.assignee_name ?? '', since } : { kind: row.assignee_kind, since };
}

export function toAttachment(row: FilesTable): Attachment {
  const a: Attachment = { id: row.id, name: row.name, mime: row.mime, size: row.size, url: `/v1/files/${row.id}` };
  if (row.width !== null) a.width = row.width;
  if (row.height !== null) a.height = row.height;
  if (row.duration_ms !== null) a.durationMs = row.duration_ms;
  return a;
}

export function toProactive(row: ProactiveTable): ProactiveMessage {
  const p: ProactiveMessage = {
    id: row.id,
    text: row.text,
    display: row.display,
    campaign: row.campaign,
    author: parse<Author>(row.author, { kind: 'bot' }),
    expiresAt: row.expires_at === null ? null : iso(row.expires_at),
    createdAt: iso(row.created_at),
  };
  const quickReplies = parse<QuickReply[] | null>(row.quick_replies, null);
  if (quickReplies?.length) p.quickReplies = quickReplies;
  const blocks = parse<Block[] | null>(row.blocks, null);
  if (blocks?.length) p.blocks = blocks;
  return p;
}

/**
 * The stored context as agents get it. Locales are validated since context.update checks BCP 47;
 * one stored before that (such as "x!") would make `Intl` throw in agent tools, so it is left out.
 */
function agentContext(row: Pick<VisitorsTable, 'context'>): VisitorContext {
  const context = parse<VisitorContext>(row.context, {});
  if (context.locale === undefined) return context;
  const locale = typeof context.locale === 'string' ? canonicalLocale(context.locale) : null;
  const { locale: _stored, ...rest } = context;
  return locale ? { ...rest, locale } : rest;
}

/** What the inbox shows of a visitor: the columns `toAgentVisitor` reads. */
export type AgentVisitorRow = Pick<VisitorsTable, 'id' | 'user_id' | 'name' | 'email' | 'context' | 'last_seen_at'>;

export function toAgentVisitor(row: AgentVisitorRow, online: boolean): AgentVisitor {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    email: row.email,
    context: agentContext(row),
    online,
    lastSeenAt: row.last_seen_at === null ? null : iso(row.last_seen_at),
  };
}

export function visitorContext(row: VisitorsTable): VisitorContext {
  return parse<VisitorContext>(row.context, {});
}
