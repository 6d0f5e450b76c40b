/**
 * Who handles a thread, as rows and messages: the pure rules the append applies inside its
 * transaction (handoff by the visitor, the bot's two-answers limit) and the `thread.assigned`
 * system message every change leaves in the thread. The settings and the REST calls are in
 * services/assignment.ts; docs/server.md ("Who handles a thread") is the contract.
 */
import type { AssigneeKind, AssignedBy, AssignmentEvent, AssignmentReason, ThreadAssignee } from '@threadline/protocol';
import type { ThreadsTable } from '../db/schema.js';
import type { NewMessage } from './sql-store.js';

/** An app's bot, as the append needs it (services/assignment.ts reads it from the app's settings). */
export interface BotPolicy {
  /** New threads go to the bot, and a bot's message on a thread it does not handle is refused. */
  enabled: boolean;
  /** Whole messages (or words of one) that ask for a person, lower case. */
  handoffWords: readonly string[];
}

/** Where a thread goes: the bot, the queue, or an agent of the brand (its own id and display name). */
export type AssignTarget = { kind: 'bot' } | { kind: 'queue' } | { kind: 'agent'; id: string; name: string };

export interface AssignmentChange {
  to: AssignTarget;
  by: AssignedBy;
  reason: AssignmentReason;
}

/**
 * The bot answers at most this many visitor messages in a row: the visitor's next free-text message
 * goes to a person (`bot_limit`).
 */
export const BOT_ANSWER_LIMIT = 2;

export const DEFAULT_HANDOFF_WORDS: readonly string[] = ['human', 'agent', 'person', '人工', '真人', '客服'];

/**
 * True when the text asks for a person: the whole message is one of the words, or (for a message
 * of up to six words, such as "a human please") one of its words is. Case-insensitive; punctuation
 * around the words is ignored. A long message that happens to contain "agent" is not a request.
 */
export function asksForPerson(text: string, words: readonly string[]): boolean {
  const normal = text.normalize('NFKC').toLowerCase().trim();
  if (!normal) return false;
  const bare = normal.replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
  if (words.includes(normal) || words.includes(bare)) return true;
  const tokens = bare.split(' ');
  if (tokens.length > 6) return false;
  // Words of scripts written without spaces (人工, 客服) are looked for inside short messages too.
  return tokens.some((t) => words.includes(t)) || (bare.length <= 8 && words.some((w) => /[^\p{Script=Latin}\s]/u.test(w) && bare.includes(w)));
}

/** The row's assignee as the wire has it. */
export function assigneeOf(row: Pick<ThreadsTable, 'assignee_kind' | 'assignee_name'>): ThreadAssignee {
  return row.assignee_kind === 'agent' ? { kind: 'agent', name: row.assignee_name ?? '' } : { kind: row.assignee_kind };
}

export function sameAssignee(row: Pick<ThreadsTable, 'assignee_kind' | 'assignee_id'>, to: AssignTarget): boolean {
  return row.assignee_kind === to.kind && (to.kind !== 'agent' || row.assignee_id === to.id);
}

/** The columns a change of assignee writes (a new stretch: the bot's count starts again). */
export function assignedColumns(to: AssignTarget, at: number): Pick<ThreadsTable, 'assignee_kind' | 'assignee_id' | 'assignee_name' | 'assigned_at' | 'bot_streak' | 'bot_waiting'> {
  return {
    assignee_kind: to.kind,
    assignee_id: to.kind === 'agent' ? to.id : null,
    assignee_name: to.kind === 'agent' ? to.name : null,
    assigned_at: at,
    bot_streak: 0,
    bot_waiting: 0,
  };
}

/**
 * What one message does to a thread the bot handles: the bot's counters, or a handoff.
 * - A visitor message with `meta.handoff === true` (the widget's "Talk to a person", a handoff
 *   button) hands off (`handoff_requested`); so does one that is a handoff word (`handoff_words`).
 * - A visitor message that answers the bot with a quick reply or a reply button (`meta.quickReply`)
 *   or a form (`meta.form`) moves on: the bot's count starts again.
 * - A visitor's free-text message after the bot answered `BOT_ANSWER_LIMIT` of them in a row hands
 *   off (`bot_limit`): the bot never gives a third answer in a row.
 * - A bot message counts as an answer when a visitor message waits for one (several bot messages
 *   after one visitor message are one answer).
 * A resolved thread that the message reopens starts a new stretch.
 */
export function botTurn(
  thread: Pick<ThreadsTable, 'assignee_kind' | 'bot_streak' | 'bot_waiting' | 'status'>,
  message: NewMessage,
  words: readonly string[],
): { set: Pick<ThreadsTable, 'bot_streak' | 'bot_waiting'> | null; handoff: AssignmentReason | null } {
  if (thread.assignee_kind !== 'bot') return { set: null, handoff: null };
  const streak = thread.status === 'resolved' ? 0 : Number(thread.bot_streak);
  const waiting = thread.status === 'resolved' ? 0 : Number(thread.bot_waiting);
  const meta = message.meta ?? {};
  if (message.author.kind === 'visitor') {
    if (meta.handoff === true) return { set: null, handoff: 'handoff_requested' };
    if (asksForPerson(message.text, words)) return { set: null, handoff: 'handoff_words' };
    if (meta.quickReply !== undefined || meta.form !== undefined) return { set: { bot_streak: 0, bot_waiting: 1 }, handoff: null };
    if (streak >= BOT_ANSWER_LIMIT) return { set: null, handoff: 'bot_limit' };
    return { set: { bot_streak: streak, bot_waiting: 1 }, handoff: null };
  }
  if (message.author.kind === 'bot' && waiting) return { set: { bot_streak: streak + 1, bot_waiting: 0 }, handoff: null };
  return { set: null, handoff: null };
}

/**
 * The system message a change leaves in the thread (kind `event`): readable text for clients that
 * do not know the event (and for email), the change itself in `meta` — names only, never an
 * agent's id, since the visitor reads it.
 */
export function assignedMessage(from: Pick<ThreadsTable, 'assignee_kind' | 'assignee_name'>, change: AssignmentChange): NewMessage {
  const to = change.to;
  const text = to.kind === 'queue' ? 'Waiting for a person' : to.kind === 'agent' ? `${to.name} joined the conversation` : 'The assistant is back';
  const event: AssignmentEvent = {
    event: 'thread.assigned',
    from: assigneeOf(from),
    to: to.kind === 'agent' ? { kind: 'agent', name: to.name } : { kind: to.kind },
    by: change.by,
    reason: change.reason,
  };
  return { clientId: null, author: { kind: 'system' }, text, kind: 'event', meta: { ...event } };
}

export type { AssigneeKind };
