import type { AgentThread, Attachment, Message } from '@threadline/protocol';
import type { ApiClient } from '../api/api-client.js';
import { ApiError, describeError } from '../api/api-error.js';
import type { AgentChannel } from './agent-channel.js';
import { createStore, type Store } from './store.js';
import { inboxReducer, initialInboxState, type InboxAction, type InboxState } from './inbox-state.js';

export interface InboxControllerOptions {
  api: ApiClient;
  channel: AgentChannel;
  /** Author name on replies. */
  agentName: string;
  /** @default () => crypto.randomUUID() */
  newId?: () => string;
  /** @default document.visibilityState === 'visible' */
  isVisible?: () => boolean;
  /** Called when the API or the socket refuses the key. */
  onUnauthorized?: () => void;
}

/** A visitor's "typing" with no follow-up is dropped after this long (a tab may close mid-word). */
const TYPING_EXPIRY_MS = 8000;
/** Our own "typing" is re-sent at most this often while keys are pressed… */
const TYPING_THROTTLE_MS = 2500;
/** …and "stopped" is sent after this long without a key. */
const TYPING_IDLE_MS = 4000;
const PAGE = 50;

/**
 * The inbox's one container: it owns the store, listens to the agent channel and calls the API.
 * Views read the store and call these verbs; they never fetch themselves.
 */
export class InboxController {
  readonly store: Store<InboxState, InboxAction>;
  private readonly api: ApiClient;
  private readonly channel: AgentChannel;
  private readonly newId: () => string;
  private readonly isVisible: () => boolean;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly visitorTyping = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly ownTyping = new Map<string, { sentAt: number; idle: ReturnType<typeof setTimeout> }>();
  private readonly replies = new Map<string, { threadId: string; text: string; attachments: Attachment[] }>();
  private active: string | null = null;
  private connectedOnce = false;
  private stopped = false;

  constructor(private readonly options: InboxControllerOptions) {
    this.api = options.api;
    this.channel = options.channel;
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.isVisible = options.isVisible ?? (() => document.visibilityState === 'visible');
    this.store = createStore(inboxReducer, initialInboxState);
  }

  private dispatch(action: InboxAction): void {
    if (!this.stopped) this.store.dispatch(action);
  }

  private get state(): InboxState {
    return this.store.getSnapshot();
  }

  /** Subscribes to the channel and loads the first page of threads. */
  start(): Promise<void> {
    const { channel } = this;
    channel.onStatus((status) => {
      this.dispatch({ type: 'connection', connection: status });
      if (status === 'refused') this.options.onUnauthorized?.();
      if (status !== 'online') return;
      // After a reconnection events may have been missed: fetch what changed meanwhile.
      if (this.connectedOnce) void this.resync();
      this.connectedOnce = true;
    });
    channel.on('thread', (thread) => this.dispatch({ type: 'thread.received', thread }));
    channel.on('message', ({ message, thread }) => this.onMessage(message, thread));
    channel.on('read', (event) => this.dispatch({ type: 'read', event }));
    channel.on('visitor', (visitor) => this.dispatch({ type: 'visitor', visitor }));
    channel.on('typing', ({ threadId, author, typing }) => {
      if (author.kind !== 'visitor') return;
      clearTimeout(this.visitorTyping.get(threadId));
      this.dispatch({ type: 'typing', threadId, typing });
      if (typing) this.visitorTyping.set(threadId, this.later(() => this.dispatch({ type: 'typing', threadId, typing: false }), TYPING_EXPIRY_MS));
    });
    return this.loadThreads(false);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const [threadId] of this.ownTyping) this.channel.typing(threadId, false);
    this.channel.close();
    this.stopped = true;
  }

  private later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private guard<T>(p: Promise<T>): Promise<T> {
    return p.catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'unauthorized') this.options.onUnauthorized?.();
      throw err;
    });
  }

  async loadThreads(append: boolean): Promise<void> {
    const cursor = append ? (this.state.next ?? undefined) : undefined;
    if (append && !cursor) return;
    const page = await this.guard(this.api.listThreads({ limit: PAGE, cursor }));
    this.dispatch({ type: 'threads.listed', items: page.items, next: page.next, append });
    if (!append) await Promise.all([this.loadOnlineVisitors(), this.loadQueue()]);
  }

  /** Every thread waiting for a person, however long ago it was last active (beyond the list's first page). */
  async loadQueue(): Promise<void> {
    const { items } = await this.guard(this.api.listQueue());
    for (const thread of items) this.dispatch({ type: 'thread.received', thread });
  }

  /** Shoppers browsing now, thread or not, so a proactive message can reach them. */
  async loadOnlineVisitors(): Promise<void> {
    const { items } = await this.guard(this.api.listOnlineVisitors());
    for (const visitor of items) this.dispatch({ type: 'visitor', visitor });
  }

  private onMessage(message: Message, thread: AgentThread): void {
    const loaded = this.state.messages[message.threadId];
    const lastLoaded = loaded?.items[loaded.items.length - 1]?.seq ?? 0;
    this.dispatch({ type: 'message.received', message, thread });
    if (loaded && message.seq > lastLoaded + 1) void this.fetchAfter(message.threadId, lastLoaded).catch(() => undefined);
    if (message.threadId === this.active) void this.markRead(message.threadId);
  }

  private async fetchAfter(threadId: string, after: number): Promise<void> {
    let cursor = after;
    for (;;) {
      const page = await this.guard(this.api.listMessages(threadId, { after: cursor, limit: 200 }));
      this.dispatch({ type: 'messages.loaded', threadId, items: page.items });
      const last = page.items[page.items.length - 1];
      if (!page.more || !last) return;
      cursor = last.seq;
    }
  }

  private async resync(): Promise<void> {
    try {
      await this.loadThreads(false);
      for (const [threadId, loaded] of Object.entries(this.state.messages)) {
        const last = loaded.items[loaded.items.length - 1]?.seq ?? 0;
        const thread = this.state.threads[threadId];
        if (thread && thread.lastSeq > last) await this.fetchAfter(threadId, last);
      }
    } catch {
      // The next reconnection tries again; the connection badge already tells the agent.
    }
  }

  /** Shows a thread: its newest page of messages, and marks it read while it is on screen. */
  async open(threadId: string | null): Promise<void> {
    this.active = threadId;
    if (!threadId) return;
    if (!this.state.threads[threadId]) this.dispatch({ type: 'thread.received', thread: await this.guard(this.api.getThread(threadId)) });
    if (!this.state.messages[threadId]) {
      const page = await this.guard(this.api.listMessages(threadId, { limit: PAGE }));
      this.dispatch({ type: 'messages.loaded', threadId, items: page.items, hasEarlier: page.more });
    }
    await this.markRead(threadId);
  }

  async loadEarlier(threadId: string): Promise<void> {
    const first = this.state.messages[threadId]?.items[0];
    if (!first) return;
    const page = await this.guard(this.api.listMessages(threadId, { before: first.seq, limit: PAGE }));
    this.dispatch({ type: 'messages.loaded', threadId, items: page.items, hasEarlier: page.more });
  }

  /** Moves the brand's read horizon to the newest message, if the agent can actually see it. */
  async markRead(threadId: string): Promise<void> {
    const thread = this.state.threads[threadId];
    if (!thread || thread.agentReadSeq >= thread.lastSeq || !this.isVisible()) return;
    const seq = thread.lastSeq;
    try {
      if (this.channel.connected) await this.channel.read(threadId, seq);
      else this.dispatch({ type: 'thread.received', thread: await this.guard(this.api.markRead(threadId, seq)) });
      this.dispatch({ type: 'read', event: { threadId, seq, by: 'agent' } });
    } catch {
      // Unread marks stay until the next attempt (next message or next visit); nothing is lost.
    }
  }

  /** Called when the page becomes visible again. */
  visible(): void {
    if (this.active) void this.markRead(this.active);
  }

  /**
   * Sends a reply. It shows at once as pending; the Idempotency-Key doubles as its clientId, so a
   * retry after a lost answer cannot post it twice, and the socket echo replaces it by id.
   */
  reply(threadId: string, text: string, attachments: Attachment[]): Promise<void> {
    const clientId = this.newId();
    this.replies.set(clientId, { threadId, text, attachments });
    this.stopTyping(threadId);
    return this.post(clientId);
  }

  retry(clientId: string): Promise<void> {
    return this.post(clientId);
  }

  discard(clientId: string): void {
    this.replies.delete(clientId);
    this.dispatch({ type: 'reply.discarded', clientId });
  }

  private async post(clientId: string): Promise<void> {
    const reply = this.replies.get(clientId);
    if (!reply) return;
    this.dispatch({ type: 'reply.sending', reply: { clientId, ...reply } });
    try {
      const { message } = await this.guard(
        this.api.postMessage(
          reply.threadId,
          { text: reply.text, attachments: reply.attachments.map((a) => a.id), author: { kind: 'agent', name: this.options.agentName } },
          clientId,
        ),
      );
      this.replies.delete(clientId);
      this.dispatch({ type: 'message.received', message });
    } catch (err) {
      this.dispatch({ type: 'reply.failed', clientId, error: describeError(err) });
    }
  }

  async setStatus(threadId: string, action: 'resolve' | 'reopen'): Promise<void> {
    this.dispatch({ type: 'thread.received', thread: await this.guard(this.api.setStatus(threadId, action)) });
  }

  /** Takes a thread (`me`), gives it to a colleague by name, or hands it back to the bot; the change's event arrives as a message. */
  async assign(threadId: string, to: 'me' | 'bot' | { name: string }): Promise<void> {
    const name = to === 'me' ? this.options.agentName : to === 'bot' ? null : to.name;
    const res = await this.guard(
      this.api.assign(threadId, { to: name === null ? 'bot' : { agent: { id: agentId(name), name } }, by: { kind: 'agent', name: this.options.agentName } }),
    );
    this.dispatch({ type: 'thread.received', thread: res.thread });
    if (res.message) this.dispatch({ type: 'message.received', message: res.message, thread: res.thread });
  }

  /** Call on every keystroke in the reply box; throttled, and "stopped" follows by itself. */
  typing(threadId: string): void {
    const now = Date.now();
    const own = this.ownTyping.get(threadId);
    if (own) clearTimeout(own.idle);
    const due = !own || now - own.sentAt > TYPING_THROTTLE_MS;
    if (due) this.channel.typing(threadId, true);
    this.ownTyping.set(threadId, { sentAt: due ? now : own.sentAt, idle: this.later(() => this.stopTyping(threadId), TYPING_IDLE_MS) });
  }

  stopTyping(threadId: string): void {
    const own = this.ownTyping.get(threadId);
    if (!own) return;
    clearTimeout(own.idle);
    this.ownTyping.delete(threadId);
    this.channel.typing(threadId, false);
  }
}

/**
 * An agent's id for assignments: the console knows agents by the name they sign in with (and the
 * app's team by name), so the id is that name in a stable, URL-safe form ("Maya Chen" → "maya-chen").
 */
export function agentId(name: string): string {
  const slug = name.normalize('NFKC').trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  return (/^[\w-]+$/.test(slug) ? slug : `agent-${[...name].reduce((h, c) => (h * 31 + c.codePointAt(0)!) >>> 0, 7).toString(36)}`).slice(0, 64) || 'agent';
}
