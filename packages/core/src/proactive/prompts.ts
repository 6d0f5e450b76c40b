/**
 * Proactive prompts on this device: which ones to offer (expiry, frequency caps, never twice), and
 * what the shopper did with them, kept in storage (`ProactiveRecord`) and reported to the server.
 * Loaded on demand (see `units.ts`): most page views never get a prompt, so the caps and this
 * bookkeeping stay out of the page's first code; the client loads it when a prompt arrives, when
 * storage holds prompts from an earlier page, or when the widget reports on one.
 */
import type { ProactiveEvent, ProactiveMessage } from '@threadline/protocol';
import type { Host } from '../host.js';
import type { Unit } from '../lazy.js';
import type { ProactiveRecord } from '../storage/local-store.js';
import * as caps from './caps.js';

export class Prompts implements Unit {
  readonly #host: Host;
  #record: ProactiveRecord;

  /** `stored`: the record read at start; expired and capped prompts are dropped from it. */
  constructor(host: Host, stored: ProactiveRecord) {
    this.#host = host;
    this.#record = caps.prune(stored, host.env.now(), host.options.caps);
  }

  /** Put the prompts kept from earlier pages in the state and announce them. */
  restore(): void {
    if (!this.#record.prompts.length) return;
    this.#set(this.#record);
    for (const prompt of this.#host.store.state.proactive) this.#host.proactive(prompt);
  }

  /** Prompts from the server (live or in a `sync`): keep and announce those within the caps. */
  offer(prompts: ProactiveMessage[]): void {
    const now = this.#host.env.now();
    const offered: ProactiveMessage[] = [];
    // Offered by the server, not to be shown here: reported, so the server stops offering them.
    const reports: [string, ProactiveEvent][] = [];
    let record = this.#record;
    for (const p of prompts) {
      const verdict = caps.verdict(record, p, now, this.#host.options.caps);
      if (verdict === 'capped') {
        record = caps.suppress(record, p.id, now);
        reports.push([p.id, 'suppressed']);
      } else if (verdict === 'done') {
        // Shown, dismissed or answered here while the report could not go: the server never
        // heard. A showing is what every close here began with (the UI shows before it closes).
        reports.push([p.id, 'shown']);
      } else if (verdict === 'offer') {
        record = caps.offer(record, p);
        offered.push(p);
      }
    }
    if (record !== this.#record) this.#set(record);
    for (const [id, event] of reports) void this.#report(id, event);
    if (!offered.length) return;
    for (const p of offered) {
      const prompt = this.#host.store.state.proactive.find((x) => x.id === p.id);
      if (prompt) this.#host.proactive(prompt);
    }
  }

  /** What the shopper did with a prompt: recorded here (a showing counts against its cap), then reported. */
  async event(id: string, event: ProactiveEvent): Promise<void> {
    const now = this.#host.env.now();
    const known = this.#record.prompts.find((p) => p.id === id);
    if (event === 'shown') {
      if (!known || known.shown) return;
      this.#set(caps.markShown(this.#record, id, now));
    } else if (event === 'dismissed' || event === 'replied') {
      if (known && !known.shown) this.#set(caps.markShown(this.#record, id, now));
      this.#set(caps.close(this.#record, id, now));
    }
    await this.#report(id, event);
  }

  async #report(id: string, event: ProactiveEvent): Promise<void> {
    if (this.#host.store.state.connection !== 'connected') return;
    await this.#host.request('proactive.event', { id, event });
  }

  #set(record: ProactiveRecord): void {
    this.#record = record;
    this.#host.store.dispatch({ type: 'proactive', prompts: record.prompts });
    void this.#host.local.putProactive(record);
  }

  stop(): void {
    // Nothing held: every write is already under way, and reports are fire-and-forget.
  }
}
