/**
 * Catching up: after every (re)connection `sync` asks for what came after the newest seq held
 * in each thread (per-thread cursors, paged until `more` is false); a live message above a hole
 * fetches what is missing (`messages.list` after the held seq). Messages are applied idempotently
 * (the reducer dedupes by seq) and announced to `message` listeners once each, in seq order:
 * what sits above a hole waits until the hole is filled.
 */
import { LIMITS, type Message, type ProactiveMessage } from '@threadline/protocol';
import { backoffDelay } from '../backoff.js';
import type { TimerHandle } from '../environment.js';
import type { Host } from '../host.js';
import type { OutboxFile } from '../state/state.js';
import type { MessageView, ThreadView } from '../types.js';
import { slicer } from '../yield.js';

/** Work applying a `sync` answer does before it lets the page run (see yield.ts). */
const SLICE_MS = 8;

export interface ResumeDeps {
  host: Host;
  /** An outbox entry's message arrived (echo, sync): the outbox forgets it. */
  settled(clientId: string, files: OutboxFile[]): void;
  /** Proactive prompts that came with a `sync`. */
  offer(prompts: ProactiveMessage[]): void;
  /** Tell `message` listeners. */
  message(message: MessageView, thread: ThreadView | null): void;
}

export class Resume {
  readonly #d: ResumeDeps;
  #gapFetching = new Set<string>();
  /** Highest seq per thread already announced through the `message` event. */
  #announced = new Map<string, number>();
  #syncing = false;
  #failures = 0;
  #retry: TimerHandle | null = null;
  #stopped = false;

  constructor(deps: ResumeDeps) {
    this.#d = deps;
  }

  /** Catch up on every thread after (re)connecting. */
  async sync(): Promise<void> {
    if (this.#syncing) return;
    this.#syncing = true;
    const { store, env, options } = this.#d.host;
    try {
      for (let round = 0; round < 1000; round++) {
        const cursors: Record<string, number> = {};
        const entries = Object.values(store.state.threads)
          .filter((t) => !t.local && t.heldSeq > 0)
          .sort((a, b) => (a.thread.updatedAt < b.thread.updatedAt ? 1 : -1))
          .slice(0, 1000);
        for (const t of entries) cursors[t.thread.id] = t.heldSeq;
        const res = await this.#d.host.transport()?.request('sync', { cursors, limit: LIMITS.maxPageSize }, options.ackTimeoutMs);
        if (!res || this.#stopped) return;
        if (!res.ok) {
          // Lost connection: the next session syncs again. Otherwise (timeout, server busy) try
          // again while connected, backing off, so a slow restart does not leave a hole until
          // the next reconnect.
          if (res.error.code !== 'network') {
            this.#d.host.error({ ...res.error });
            this.#failures++;
            const wait = Math.max(backoffDelay(this.#failures, options.policy, env.random()), res.error.retryAfterMs ?? 0);
            if (this.#retry !== null) env.clearTimeout(this.#retry);
            this.#retry = env.setTimeout(() => {
              this.#retry = null;
              if (!this.#stopped && store.state.connection === 'connected') void this.sync();
            }, wait);
          }
          return;
        }
        this.#failures = 0;
        // Applied in tasks of their own, not the tail of the one that received the answer; what
        // arrives live meanwhile is applied as usual (the reducer dedupes by seq).
        const slice = slicer(SLICE_MS, env.now, env.yieldToPage);
        await slice.yield();
        if (this.#stopped) return;
        store.dispatch({ type: 'threads', threads: res.threads });
        this.#d.host.persistThreads(res.threads.map((t) => t.id));
        const byThread = new Map<string, Message[]>();
        for (const m of res.messages) {
          const list = byThread.get(m.threadId);
          if (list) list.push(m);
          else byThread.set(m.threadId, [m]);
        }
        const before = JSON.stringify(cursors);
        for (const [threadId, list] of byThread) {
          if (slice.due()) {
            await slice.yield();
            if (this.#stopped) return;
          }
          // A thread this device did not hold gets its newest page: history, not news.
          this.apply(threadId, list, cursors[threadId] !== undefined || this.#announced.has(threadId));
        }
        this.#d.offer(res.proactive);
        if (!res.more) return;
        const after: Record<string, number> = {};
        for (const t of Object.values(store.state.threads)) if (!t.local && t.heldSeq > 0) after[t.thread.id] = t.heldSeq;
        if (JSON.stringify(after) === before) return; // no progress: avoid a busy loop
      }
    } finally {
      this.#syncing = false;
    }
  }

  /**
   * Apply server messages of one thread: dedupe by seq (reducer), store, tell listeners (`live`:
   * not for older pages), and fetch what is missing when they reveal a hole.
   */
  apply(threadId: string, messages: Message[], live = true): void {
    if (messages.length === 0) return;
    const { store } = this.#d.host;
    const before = store.state;
    const heldSeq = before.threads[threadId]?.heldSeq ?? 0;
    store.dispatch({ type: 'messages', threadId, messages });
    const after = store.state;
    if (this.#d.host.store.state.role !== 'follower') void this.#d.host.local.putMessages(threadId, messages, this.#d.host.record(threadId));
    for (const m of messages) {
      const entry = m.clientId ? before.outbox[m.clientId] : undefined;
      if (entry && !after.outbox[entry.clientId]) this.#d.settled(entry.clientId, entry.files);
    }
    if (live) this.announce(threadId, heldSeq);
    else this.#announced.set(threadId, Math.max(this.#announced.get(threadId) ?? 0, after.threads[threadId]?.heldSeq ?? 0));
    this.gap(threadId, messages);
  }

  /**
   * Emit `message` for what became contiguous since the last announcement: messages above a
   * hole wait until the hole is filled, so listeners hear every message once and in seq order.
   */
  announce(threadId: string, heldBefore: number): void {
    const from = this.#announced.get(threadId) ?? heldBefore;
    const entry = this.#d.host.store.state.threads[threadId];
    if (!entry || entry.heldSeq <= from) return;
    this.#announced.set(threadId, entry.heldSeq);
    const snap = this.#d.host.store.getSnapshot();
    const thread = snap.threads.find((t) => t.id === threadId) ?? null;
    for (const mv of snap.messages[threadId] ?? []) {
      if (mv.seq !== null && mv.seq > from && mv.seq <= entry.heldSeq) this.#d.message(mv, thread);
    }
  }

  /** Fetch what is missing when `messages` (in the state) are above the held seq. */
  gap(threadId: string, messages: Message[]): void {
    const t = this.#d.host.store.state.threads[threadId];
    if (t && messages.some((m) => m.seq > t.heldSeq)) void this.#fillGap(threadId);
  }

  /** A message arrived above a hole: fetch what came after the held seq. */
  async #fillGap(threadId: string): Promise<void> {
    if (this.#gapFetching.has(threadId) || this.#d.host.store.state.role === 'follower') return;
    this.#gapFetching.add(threadId);
    const { store, options } = this.#d.host;
    try {
      for (let i = 0; i < 100; i++) {
        const entry = store.state.threads[threadId];
        if (!entry) return;
        const after = entry.heldSeq;
        const res = await this.#d.host.transport()?.request('messages.list', { threadId, after, limit: LIMITS.maxPageSize }, options.ackTimeoutMs);
        if (!res?.ok || this.#stopped) return;
        this.apply(threadId, res.items);
        const now = store.state.threads[threadId];
        if (!res.more || !now || now.heldSeq === after) return;
      }
    } finally {
      this.#gapFetching.delete(threadId);
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== null) this.#d.host.env.clearTimeout(this.#retry);
    this.#retry = null;
  }
}
