/**
 * The visitor's typing indicator, as the brand sees it: at most one `typing: true` every
 * TYPING_SEND_EVERY_MS while keys are pressed, and `typing: false` after TYPING_IDLE_MS without
 * one (or when told). Runs in the tab holding the socket.
 */
import type { TypingEvent } from '@threadline/protocol';
import type { TimerHandle } from '../environment.js';
import type { Host } from '../host.js';

const TYPING_SEND_EVERY_MS = 2500;
const TYPING_IDLE_MS = 4000;

export class Typing {
  readonly #host: Host;
  /** When `typing: true` was last sent, per thread. */
  #sent = new Map<string, number>();
  #stop = new Map<string, TimerHandle>();

  constructor(host: Host) {
    this.#host = host;
  }

  /**
   * `at`: when the visitor typed (the clock at the call, which may be before this code loaded),
   * so the throttle and the idle stop count from the keystroke.
   */
  set(threadId: string, typing: boolean, at = this.#host.env.now()): void {
    const { env, store } = this.#host;
    const t = this.#host.transport();
    const stop = this.#stop.get(threadId);
    if (stop !== undefined) env.clearTimeout(stop);
    this.#stop.delete(threadId);
    const entry = store.state.threads[threadId];
    if (!t || !entry || entry.local) return;
    if (!typing) {
      if (this.#sent.delete(threadId)) t.notify('typing', { threadId, typing: false });
      return;
    }
    if (at - (this.#sent.get(threadId) ?? -Infinity) >= TYPING_SEND_EVERY_MS) {
      this.#sent.set(threadId, at);
      t.notify('typing', { threadId, typing: true });
    }
    const idle = Math.max(0, at + TYPING_IDLE_MS - env.now());
    this.#stop.set(threadId, env.setTimeout(() => this.set(threadId, false), idle));
  }

  stop(): void {
    for (const t of this.#stop.values()) this.#host.env.clearTimeout(t);
    this.#stop.clear();
    this.#sent.clear();
  }
}

/** How long the brand's typing indicator shows without a new `typing` event. */
const TYPING_SHOWN_MS = 6000;

/** The brand's typing indicator, as the visitor sees it: shown on `typing: true`, hidden on `false` or after TYPING_SHOWN_MS. */
export class ShownTyping {
  readonly #host: Host;
  #hide = new Map<string, TimerHandle>();

  constructor(host: Host) {
    this.#host = host;
  }

  set({ threadId, author, typing }: TypingEvent): void {
    const { env, store } = this.#host;
    const prev = this.#hide.get(threadId);
    if (prev !== undefined) env.clearTimeout(prev);
    this.#hide.delete(threadId);
    if (!typing) return void store.dispatch({ type: 'typing', threadId, typing: null });
    store.dispatch({ type: 'typing', threadId, typing: { author, until: env.now() + TYPING_SHOWN_MS } });
    this.#hide.set(
      threadId,
      env.setTimeout(() => {
        this.#hide.delete(threadId);
        store.dispatch({ type: 'typing', threadId, typing: null });
      }, TYPING_SHOWN_MS),
    );
  }

  stop(): void {
    for (const t of this.#hide.values()) this.#host.env.clearTimeout(t);
    this.#hide.clear();
  }
}
