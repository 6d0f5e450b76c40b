/**
 * What the client lends to the units it loads on demand (the outbox's sender, the conversation
 * commands): one small surface, like Preact's `options`, so add-ons plug in without growing the
 * client. Units import only types from here and from the client's side, so a split build keeps
 * their code in chunks of their own (see `units.ts`).
 */
import type { Message, VisitorContext } from '@threadline/protocol';
import type { Environment } from './environment.js';
import type { LocalStore, StoredThread } from './storage/local-store.js';
import type { Store } from './store.js';
import type { RequestInput, RequestName, RequestResult, Transport } from './transport/transport.js';
import type { CapPolicy } from './proactive/caps.js';
import type { ClientError, ProactivePrompt } from './types.js';
import type { TabCommand, TabCommands } from './tabs/messages.js';

export interface HostOptions {
  /** Without a trailing slash. */
  serverUrl: string;
  ackTimeoutMs: number;
  pageSize: number;
  /** Outbox retry policy (`RetryOptions` with defaults applied). */
  policy: { baseMs: number; maxMs: number; deadlineMs: number };
  /** Proactive prompts' frequency caps (`ProactiveOptions` with defaults applied). */
  caps: CapPolicy;
}

export interface Host {
  readonly store: Store;
  readonly env: Environment;
  /** The client's storage; units run only once the client has started, so it is always set. */
  readonly local: LocalStore;
  readonly options: HostOptions;
  /** The socket, when this tab holds one. */
  transport(): Transport | null;
  /** The visitor token of the latest session (read from storage when another tab holds the socket). */
  token(): Promise<string | undefined>;
  /** A request on the socket; null when not connected or refused (refusals other than `network` are reported). */
  request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K> | null>;
  /** Run `fn` here when this tab holds the socket, else as the command `name` in the leader tab. */
  leader<K extends TabCommand, T>(name: K, args: TabCommands[K], fn: () => Promise<T> | T): Promise<T | undefined>;
  /** Server messages of one thread: merged, stored, announced when `live` (default true), holes fetched. */
  applyServerMessages(threadId: string, messages: Message[], live?: boolean): void;
  /**
   * Tell `message` listeners what became contiguous since `heldBefore`, and fetch what is
   * missing when `messages` (already in the state) reveal a hole.
   */
  announce(threadId: string, heldBefore: number, messages: Message[]): void;
  /** Store these threads' records (when this tab leads). */
  persistThreads(ids: string[]): void;
  /** A thread's record to store beside its messages; undefined for a thread not on the server yet. */
  record(threadId: string): StoredThread | undefined;
  /** Emit an `error` event. */
  error(error: ClientError): void;
  /** Emit a `proactive` event: a prompt to show. */
  proactive(prompt: ProactivePrompt): void;
  /** The context this page last set (`updateContext`): page triggers read the cart's value. */
  context(): Omit<VisitorContext, 'device'>;
  /** The page's copy of a queued file, when it was queued in this page. */
  file(clientId: string, index: number): Blob | undefined;
  /** The page's copy of a file it uploaded, by attachment id (its own photo, shown without a download). */
  sentFile(attachmentId: string): Blob | undefined;
}
