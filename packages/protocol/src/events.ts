/**
 * socket.io event maps shared by both ends: `new Server<ClientEvents, ServerEvents>()` on the
 * server and `io() as Socket<ServerEvents, ClientEvents>` on the client.
 *
 * Every client→server event takes an ack callback answering `Ack<…>`; a client should emit with
 * `socket.timeout(ms).emit(...)` and treat a timeout as "unknown, retry with the same clientId".
 */
import type { Ack } from './errors.js';
import type { Message, ProactiveMessage, Session, Thread, VisitorContext, Author } from './model.js';
import type { Availability } from './hours.js';
import type { AgentAssignee } from './assignment.js';
import type {
  AvailabilityInput,
  ThreadAttachInput,
  ContextInput,
  ListMessagesInput,
  ListThreadsInput,
  ProactiveEventInput,
  CampaignFireInput,
  RateInput,
  ReadInput,
  SendInput,
  SyncInput,
  PingInput,
  TrackInput,
  TypingInput,
  NotifyEmailInput,
} from './schemas.js';

export interface SendResult {
  message: Message;
  thread: Thread;
  /** True when the clientId was seen before and the original message is returned. */
  duplicate: boolean;
}

export interface SyncResult {
  /** Every thread of this visitor (or user), newest first. */
  threads: Thread[];
  /** Messages after the given cursors, ascending by (thread, seq); at most `limit`. */
  messages: Message[];
  /** Proactive prompts waiting for this visitor (not expired, not yet shown). */
  proactive: ProactiveMessage[];
  /** More messages remain: call `sync` again with the advanced cursors. */
  more: boolean;
}

/**
 * The answer to `campaign.fire`: `shown` — the prompt is stored and counts (report `shown` and
 * the rest as for any prompt); `held_out` — the holdout's exposure is recorded; `duplicate` — this
 * id was reported before. Anything else means the prompt must not count and the page withdraws it:
 * `capped` (a cap was reached meanwhile: another tab or device, the day's cap, a person is
 * talking with the visitor), `stopped` (paused, ended, deleted, out of schedule, or not a page
 * trigger), `audience` (the visitor no longer matches).
 */
export interface CampaignFireResult {
  outcome: 'shown' | 'held_out' | 'duplicate' | 'capped' | 'stopped' | 'audience';
}

export interface Page<T> {
  items: T[];
  /** More items exist in the direction asked. */
  more: boolean;
}

/** Events a visitor's client emits (namespace `/`). */
export interface ClientEvents {
  sync: (input: SyncInput, ack: (res: Ack<SyncResult>) => void) => void;
  'threads.list': (input: ListThreadsInput, ack: (res: Ack<Page<Thread> & { next: string | null }>) => void) => void;
  'messages.list': (input: ListMessagesInput, ack: (res: Ack<Page<Message>>) => void) => void;
  'message.send': (input: SendInput, ack: (res: Ack<SendResult>) => void) => void;
  'thread.read': (input: ReadInput, ack: (res: Ack<{ thread: Thread }>) => void) => void;
  typing: (input: TypingInput, ack?: (res: Ack) => void) => void;
  track: (input: TrackInput, ack: (res: Ack) => void) => void;
  /** Liveness check: answered at once on this connection (the client probes a connection it suspects is half-open). */
  ping: (input: PingInput, ack: (res: Ack<{ now: string }>) => void) => void;
  'context.update': (input: ContextInput, ack: (res: Ack) => void) => void;
  'thread.rate': (input: RateInput, ack: (res: Ack<{ thread: Thread; message: Message }>) => void) => void;
  'proactive.event': (input: ProactiveEventInput, ack: (res: Ack) => void) => void;
  /** A page trigger of a listed campaign fired (`Session.campaigns`): the server records it and answers whether it counts. */
  'campaign.fire': (input: CampaignFireInput, ack: (res: Ack<CampaignFireResult>) => void) => void;
  /** Sets (or with null removes) the address replies are emailed to while the visitor is away. */
  'notify.email.set': (input: NotifyEmailInput, ack: (res: Ack<{ email: string | null }>) => void) => void;
  /** The app's business hours, expected reply time and whether an agent inbox is connected now. */
  'availability.get': (input: AvailabilityInput, ack: (res: Ack<Availability>) => void) => void;
  /**
   * Opens one thread on this device from an email's continue link: answers the thread and its
   * newest messages; from then on this visitor may read and write in that thread (and no other of
   * its owner's).
   */
  'thread.attach': (input: ThreadAttachInput, ack: (res: Ack<{ thread: Thread; messages: Message[] }>) => void) => void;
}

export interface TypingEvent {
  threadId: string;
  author: Author;
  typing: boolean;
}

export interface ReadEvent {
  threadId: string;
  seq: number;
  /** `agent`: the brand read up to seq. `visitor`: this visitor read on another tab or device. */
  by: 'agent' | 'visitor';
}

/** Events the server sends to a visitor's client. */
export interface ServerEvents {
  session: (session: Session) => void;
  /** A new message in one of the visitor's threads (including the visitor's own, from other tabs). */
  message: (message: Message) => void;
  /** A thread was created, resolved, reopened or rated. */
  thread: (thread: Thread) => void;
  read: (event: ReadEvent) => void;
  typing: (event: TypingEvent) => void;
  proactive: (prompt: ProactiveMessage) => void;
  /**
   * Whether anyone of the brand can answer now changed: the app's first agent inbox connected, or
   * its last one closed. Sent to every connected visitor of the app; `availability.get` answers
   * the state at any other time.
   */
  availability: (event: AvailabilityEvent) => void;
}

/** What a visitor hears when the app's agents come online or all go (`availability`). */
export interface AvailabilityEvent {
  /** An agent inbox of the app is connected (as `availability.get`'s `agentsOnline`). */
  agentsOnline: boolean;
}

/** A thread as the brand side sees it: with its visitor. */
export interface AgentThread extends Omit<Thread, 'unread' | 'assignee'> {
  /** Visitor messages after the brand's read horizon. */
  unread: number;
  /** Who handles the thread, with the agent's id and since when (the queue's wait). */
  assignee?: AgentAssignee;
  visitor: AgentVisitor;
}

export interface AgentVisitor {
  id: string;
  userId: string | null;
  name: string | null;
  email: string | null;
  context: VisitorContext;
  online: boolean;
  lastSeenAt: string | null;
}

/** Events an agent inbox emits (namespace `/agent`, handshake `auth: { apiKey }`). */
export interface AgentClientEvents {
  typing: (input: TypingInput, ack?: (res: Ack) => void) => void;
  'thread.read': (input: ReadInput, ack: (res: Ack) => void) => void;
}

/** Events the server sends to agent inboxes of the app. */
export interface AgentServerEvents {
  message: (event: { message: Message; thread: AgentThread }) => void;
  thread: (thread: AgentThread) => void;
  typing: (event: TypingEvent) => void;
  read: (event: ReadEvent) => void;
  visitor: (visitor: AgentVisitor) => void;
  'proactive.event': (event: { id: string; event: string; visitorId: string; campaign: string | null }) => void;
}
