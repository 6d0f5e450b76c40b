/**
 * Who handles a thread: the brand's bot, the queue (waiting for a person) or one of its agents.
 * Every change leaves a `thread.assigned` system message in the thread (kind `event`, its `meta`
 * an `AssignmentEvent`) and a `thread.assigned` webhook. See docs/protocol.md ("Assignee").
 */

export type AssigneeKind = 'bot' | 'queue' | 'agent';

/** Who handles a thread, as its visitor sees it: an agent by display name only. */
export type ThreadAssignee = { kind: 'bot' } | { kind: 'queue' } | { kind: 'agent'; name: string };

/** Who handles a thread, as the brand sees it: with the agent's id and since when. */
export type AgentAssignee = ThreadAssignee & {
  /** The brand's own id of the agent (with `agent`). */
  id?: string;
  /** When the thread got this assignee (ISO 8601); null for a thread not moved since before assignees existed. */
  since: string | null;
};

/** Who made a change: the visitor (asked for a person), the server itself (`bot_limit`), or an API caller. */
export type AssignedBy = { kind: 'visitor' } | { kind: 'system' } | { kind: 'agent' | 'bot'; name?: string };

/**
 * Why: `handoff_requested` (the visitor's message carried `handoff: true`), `handoff_words` (it was
 * a handoff word such as "human" or "人工"), `bot_limit` (the bot had answered two messages in a
 * row), or what the API caller gave (`assigned` when it gave nothing).
 */
export type AssignmentReason = 'handoff_requested' | 'handoff_words' | 'bot_limit' | 'assigned' | (string & {});

/** `meta` of a `thread.assigned` system message. */
export interface AssignmentEvent {
  event: 'thread.assigned';
  from: ThreadAssignee;
  to: ThreadAssignee;
  by: AssignedBy;
  reason: AssignmentReason;
}

/** The `AssignmentEvent` a message carries, if it is a `thread.assigned` system message. */
export function assignmentOf(message: { kind: string; meta?: Record<string, unknown> }): AssignmentEvent | null {
  const meta = message.meta;
  return message.kind === 'event' && meta?.event === 'thread.assigned' && typeof meta.to === 'object' && meta.to !== null ? (meta as unknown as AssignmentEvent) : null;
}
