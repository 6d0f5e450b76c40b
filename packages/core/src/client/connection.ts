/**
 * The socket of the tab that holds one: opening it with the visitor's auth, the connection state
 * the snapshot shows (`connecting`, `connected`, `disconnected`, `offline`, `refused`), sessions,
 * refusals, the server's events, and small requests.
 *
 * The state follows the real socket. The browser's `online`/`offline` events are hints: a socket
 * that still says connected may have survived a blip (it carries on, with a resync) or be
 * half-open (the probe drops it and it reconnects), so it is asked; a socket that is down is told
 * to reconnect now when the browser is back, instead of at its next backoff step.
 */
import type { Session, VisitorAuth } from '@threadline/protocol';
import type { Host } from '../host.js';
import type { RequestInput, RequestName, RequestResult, Transport, TransportEvent, TransportFactory } from '../transport/transport.js';
import type { ClientError, Snapshot } from '../types.js';

/** How long a liveness probe of the socket waits for the server. */
const PROBE_TIMEOUT_MS = 3000;

export type ServerEvent = Extract<TransportEvent, { type: 'server' }>;

export interface ConnectionDeps {
  host: Host;
  /** The auth of the next handshake (the newest token, the current identity). */
  auth(): VisitorAuth;
  /** A session arrived: adopt it (token, user). Resolves when the state may be used. */
  adopt(session: Session): Promise<void>;
  /** Connected (`fresh`: with a new session) or found live again: catch up and send what waits. */
  live(fresh: boolean): Promise<void>;
  /** The server no longer accepts the stored token: forget it; true to connect again as a new visitor. */
  dropToken(): boolean;
  server(event: ServerEvent): void;
  /** Nothing may be sent now (the outbox waits). */
  pause(): void;
}

export class Connection {
  readonly #d: ConnectionDeps;
  #t: Transport | null = null;
  #subs: (() => void)[] = [];
  /** `whenSession` callers, told on the next session (true) or refusal (false). */
  #waiters: ((ok: boolean) => void)[] = [];
  #closed = false;

  constructor(deps: ConnectionDeps) {
    this.#d = deps;
  }

  get transport(): Transport | null {
    return this.#t;
  }

  /** Create the transport and connect; follow the browser's network events from now on. */
  open(factory: TransportFactory): void {
    const { env, options } = this.#d.host;
    this.#t = factory({ serverUrl: options.serverUrl });
    this.#subs.push(this.#t.on((e) => this.#guard(() => this.#on(e))));
    this.#subs.push(env.online.subscribe((online) => this.#guard(() => this.#network(online))));
    this.connect();
  }

  /** (Re)connect with the current auth. */
  connect(): void {
    this.#d.pause();
    this.#t?.connect(() => this.#d.auth());
  }

  /** Resolves true on the next session, false on a refusal or after `timeoutMs` (offline). */
  whenSession(timeoutMs: number): Promise<boolean> {
    const { env } = this.#d.host;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        env.clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(ok);
      };
      const timer = env.setTimeout(() => done(false), timeoutMs);
      this.#waiters.push(done);
    });
  }

  /** A request on the socket; null when not connected or refused (refusals other than `network` are reported). */
  async request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K> | null> {
    const t = this.#t;
    if (!t || !t.connected) return null;
    const res = await t.request(name, input, this.#d.host.options.ackTimeoutMs);
    if (!res.ok) {
      if (res.error.code !== 'network') this.#d.host.error({ ...res.error });
      return null;
    }
    return res;
  }

  close(): void {
    this.#closed = true;
    this.#t?.close();
    this.#t = null;
    for (const off of this.#subs.splice(0)) off();
    this.#settle(false);
  }

  #set(state: Snapshot['connection'], error: ClientError | null = null): void {
    this.#d.host.store.dispatch({ type: 'connection', state, error });
  }

  #settle(ok: boolean): void {
    for (const w of [...this.#waiters]) w(ok);
  }

  #network(online: boolean): void {
    const t = this.#t;
    if (!t) return;
    if (t.connected) return void this.#checkLive(t);
    if (online) {
      this.#set('connecting');
      t.reconnectNow?.();
    } else this.#set('offline');
  }

  /** Probe a connected socket; when it answers, the connection is `connected` again, in sync, and the outbox goes on. */
  async #checkLive(t: Transport): Promise<void> {
    const live = t.verify ? await t.verify(PROBE_TIMEOUT_MS) : t.connected;
    // Not live: the transport dropped the connection and reports `disconnected`, then `session`.
    // Live but dropped since (the answer came just before a disconnect): the same.
    const { state } = this.#d.host.store;
    if (!live || this.#closed || t !== this.#t || !t.connected || !state.session) return;
    if (state.connection !== 'connected') this.#set('connected');
    await this.#d.live(false);
  }

  #on(e: TransportEvent): void {
    if (this.#closed) return;
    const online = () => this.#d.host.env.online.isOnline();
    switch (e.type) {
      case 'connecting':
        return this.#set(online() ? 'connecting' : 'offline');
      case 'session':
        return void this.#session(e.session);
      case 'disconnected':
        this.#d.pause();
        return this.#set(online() ? 'disconnected' : 'offline');
      case 'refused':
        this.#d.pause();
        // A token this server no longer accepts (key rotated, revoked, other server): start as a new visitor.
        if (e.error.code === 'unauthorized' && this.#d.dropToken()) return this.connect();
        this.#set('refused', { ...e.error });
        this.#d.host.error({ ...e.error });
        return this.#settle(false);
      case 'server':
        return this.#d.server(e);
    }
  }

  async #session(session: Session): Promise<void> {
    await this.#d.adopt(session);
    if (this.#closed) return;
    this.#set('connected');
    this.#settle(true);
    await this.#d.live(true);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#d.host.error({ code: 'internal_client', message: String((err as Error)?.stack ?? err) });
    }
  }
}
