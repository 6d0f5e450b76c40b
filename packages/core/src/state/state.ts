/**
 * The client's internal state and the actions that change it. The public `Snapshot` is derived
 * from this (see `snapshot.ts`); nothing else mutates it — only `reduce` in `reducer.ts`.
 */
import type { Attachment, FormAnswer, Message, ReadEvent, Thread } from '@threadline/protocol';
import type {
  ClientError,
  ConnectionState,
  ProactivePrompt,
  SessionView,
  Snapshot,
  StorageMode,
  TabRole,
  TypingView,
  UploadProgress,
} from '../types.js';

/** A file of an outgoing message; its bytes are stored apart (`b:<clientId>:<index>`). */
export interface OutboxFile {
  index: number;
  name: string;
  mime: string;
  size: number;
  durationMs?: number;
  /** Set once uploaded, so a retry after reload does not upload again. */
  attachment: Attachment | null;
}

/** One outgoing message, persisted as `o:<clientId>` before the first emit. */
export interface OutboxEntry {
  clientId: string;
  threadId: string;
  /** The thread did not exist on the server when this was queued: send with `create: true`. */
  create: boolean;
  text: string;
  quickReply?: string;
  handoff?: true;
  form?: FormAnswer;
  proactiveId?: string;
  files: OutboxFile[];
  /** Clock ms when queued (deadline start). */
  queuedAt: number;
  attempts: number;
  /** Clock ms before which it is not retried. */
  nextAttemptAt: number;
  failed: boolean;
  error: ClientError | null;
}

export interface ThreadEntry {
  thread: Thread;
  /** Exists only on this device so far. */
  local: boolean;
  /**
   * Highest seq such that every message from the loaded window's start up to it is held: the
   * sync cursor. A message above `heldSeq + 1` means a gap to fetch.
   */
  heldSeq: number;
  loadingOlder: boolean;
}

export interface State {
  status: Snapshot['status'];
  connection: ConnectionState;
  connectionError: ClientError | null;
  storage: StorageMode;
  role: TabRole;
  session: SessionView | null;
  threads: Readonly<Record<string, ThreadEntry>>;
  /** Loaded server messages per thread, ascending by seq, no duplicates. */
  messages: Readonly<Record<string, readonly Message[]>>;
  outbox: Readonly<Record<string, OutboxEntry>>;
  uploads: Readonly<Record<string, readonly UploadProgress[]>>;
  typing: Readonly<Record<string, TypingView>>;
  proactive: readonly ProactivePrompt[];
}

export const initialState: State = {
  status: 'idle',
  connection: 'idle',
  connectionError: null,
  storage: 'none',
  role: 'solo',
  session: null,
  threads: {},
  messages: {},
  outbox: {},
  uploads: {},
  typing: {},
  proactive: [],
};

export type Action =
  | { type: 'status'; status: State['status'] }
  | { type: 'connection'; state: ConnectionState; error: ClientError | null }
  | { type: 'storage'; mode: StorageMode }
  | { type: 'role'; role: TabRole }
  | { type: 'session'; session: SessionView | null }
  /** Threads from storage at start. */
  | { type: 'hydrate'; threads: ThreadEntry[]; messages: Record<string, Message[]>; outbox: OutboxEntry[]; proactive: ProactivePrompt[] }
  /** Threads from the server (sync, thread event, ack). */
  | { type: 'threads'; threads: Thread[] }
  /** A thread started on this device, not yet on the server. */
  | { type: 'localThread'; thread: Thread }
  /** Messages of one thread (live, sync, pages), deduplicated by seq. */
  | { type: 'messages'; threadId: string; messages: Message[] }
  | { type: 'loadingOlder'; threadId: string; loading: boolean }
  | { type: 'outboxPut'; entry: OutboxEntry }
  | { type: 'outboxRemove'; clientId: string }
  /** The server acked an outgoing message. */
  | { type: 'acked'; clientId: string; message: Message; thread: Thread }
  | { type: 'upload'; progress: UploadProgress }
  | { type: 'uploadDone'; clientId: string }
  | { type: 'typing'; threadId: string; typing: TypingView | null }
  | { type: 'read'; event: ReadEvent }
  | { type: 'proactive'; prompts: ProactivePrompt[] }
  /** Forget every thread, message and outbox entry (shutdown, identity switch). */
  | { type: 'reset' };
