/**
 * What the brand sees of the visitor besides messages: the context (page, cart, attributes,
 * locale) and tracked events. Pages report them on every view; the tab that holds the socket
 * sends them. What cannot be sent yet — consent pending, or not connected — waits in memory:
 * the context merged (so bounded by its shape), tracked events up to MAX_PENDING_TRACK, for this
 * page only (analytics are not worth a storage write each).
 */
import type { VisitorContext } from '@threadline/protocol';
import type { Host } from '../host.js';

/** Tracked events kept in memory while they cannot be sent (consent pending, offline). */
const MAX_PENDING_TRACK = 50;

export type TrackProps = Record<string, string | number | boolean | null>;

export class Presence {
  readonly #host: Host;
  #context: Omit<VisitorContext, 'device'> = {};
  #pending: { name: string; props?: TrackProps }[] = [];

  constructor(host: Host, locale: string | undefined) {
    this.#host = host;
    if (locale) this.#context.locale = locale;
  }

  get context(): Omit<VisitorContext, 'device'> {
    return this.#context;
  }

  /** Merge a change; the merged context is what the leader sends. */
  merge(patch: Omit<VisitorContext, 'device'>): Omit<VisitorContext, 'device'> {
    return (this.#context = { ...this.#context, ...patch });
  }

  /** Leader: send the context (a follower's, when given). */
  async send(context: Omit<VisitorContext, 'device'> = this.#context): Promise<void> {
    this.#context = context;
    await this.#host.request('context.update', context);
  }

  /** Leader: send an event now, or keep it until the next session. */
  async track(name: string, props?: TrackProps): Promise<void> {
    if (this.#host.store.state.connection !== 'connected') return this.keep(name, props);
    await this.#host.request('track', { name, ...(props ? { props } : {}) });
  }

  keep(name: string, props?: TrackProps): void {
    if (this.#pending.length < MAX_PENDING_TRACK) this.#pending.push({ name, ...(props ? { props } : {}) });
  }

  /** A fresh session in the tab that holds the socket: what waited goes now. */
  flush(): void {
    if (Object.keys(this.#context).length) void this.send();
    for (const t of this.#pending.splice(0)) void this.track(t.name, t.props);
  }

  /** A follower tab that just started: what waited for consent goes to the leader. */
  handOver(): void {
    if (Object.keys(this.#context).length) void this.#host.leader('context', [this.#context], () => this.send());
    for (const t of this.#pending.splice(0)) void this.#host.leader('track', [t.name, t.props], () => this.track(t.name, t.props));
  }
}
