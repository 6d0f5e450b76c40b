/**
 * The default transport: socket.io-client. The visitor's auth travels in the CONNECT packet
 * (`auth`), never in the URL. socket.io reconnects by itself after a lost connection (with its
 * own capped, jittered backoff); a refusal by the server's middleware is final for socket.io, so
 * we retry `rate_limited`/`unavailable` refusals ourselves and report the others.
 *
 * WebSocket first, long-polling only where WebSocket does not get through: the polling transport
 * is a separate module (`polling.ts`) loaded after `FALLBACK_AFTER` failed WebSocket attempts in
 * a row, so pages where WebSocket works never download it. Transports are passed to socket.io as
 * implementations, not names, so a build can drop engine.io's name → transport table (see
 * docs/core.md, "Bundle size").
 */
import { io, NodeWebSocket as WebSocketTransport, type Socket } from 'socket.io-client';
import { isErrorCode, type ClientEvents, type ServerEvents, type VisitorAuth, type WireError } from '@threadline/protocol';
import { backoffDelay } from '../backoff.js';
import type { Reply, RequestInput, RequestName, RequestResult, Transport, TransportEvent, TransportFactory } from './transport.js';
import { yieldToPage } from '../yield.js';

const SERVER_EVENTS = ['message', 'thread', 'read', 'typing', 'proactive', 'availability'] as const;
/** Failed WebSocket attempts in a row (no answer at all, not a refusal) before long-polling is tried. */
const FALLBACK_AFTER = 2;
/**
 * A request without its ack after this long makes us ask the connection whether it is alive.
 * The server acks in milliseconds; a connection that a proxy or a NAT stopped forwarding without
 * closing it stays "connected" until socket.io's heartbeat notices (up to pingInterval +
 * pingTimeout, 45 s on the reference server): the probe finds out in a few seconds instead.
 */
const STALL_MS = 2500;
/** Waits after a refusal worth retrying (rate_limited, unavailable): 2 s, 4 s… up to 30 s, jittered. */
const REFUSED_BACKOFF = { baseMs: 1000, maxMs: 30_000 };
/** How long the probe a late ack starts waits for the server's answer. */
const PROBE_TIMEOUT_MS = 3000;

/** What socket.io accepts in `transports`: a transport class (the `Node*` names resolve to browser classes in browser builds). */
type TransportImpl = new (opts: never) => object;

/** Loads the long-polling transport (a chunk of its own in split builds). */
const loadPolling = (): Promise<TransportImpl> => import('./polling.js').then((m) => m.PollingTransport);

export interface SocketIoTransportOptions {
  /**
   * socket.io transports to use, in order of preference.
   * @default ['websocket', 'polling'] — WebSocket first; long-polling (loaded on demand) after two
   * WebSocket attempts in a row fail, e.g. behind a proxy that blocks WebSocket.
   * @example ['polling', 'websocket'] // start on long-polling and upgrade, as socket.io does by default
   */
  transports?: ('websocket' | 'polling')[];
  /** @default 1000 */
  reconnectionDelay?: number;
  /** @default 10000 */
  reconnectionDelayMax?: number;
}

export function socketIoTransport(options: SocketIoTransportOptions = {}): TransportFactory {
  return ({ serverUrl }) => new SocketIoTransport(serverUrl, options);
}

class SocketIoTransport implements Transport {
  #socket: Socket<ServerEvents, ClientEvents> | null = null;
  #listeners = new Set<(e: TransportEvent) => void>();
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #refusals = 0;
  /** The polling transport once loaded; null until needed. */
  #polling: TransportImpl | null = null;
  #loadingPolling: Promise<void> | null = null;
  #socketFailures = 0;
  /** A session came up in this page: WebSocket gets through, so later failures are outages, not a blocking proxy. */
  #everConnected = false;
  #auth: (() => VisitorAuth) | null = null;
  #closed = true;
  /** The liveness probe under way, shared by everyone who asks meanwhile. */
  #probe: Promise<boolean> | null = null;

  constructor(
    readonly serverUrl: string,
    readonly options: SocketIoTransportOptions,
  ) {}

  get connected(): boolean {
    return this.#socket?.connected ?? false;
  }

  #emit(e: TransportEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }

  /**
   * Names → implementations. Once long-polling is loaded it goes first (engine.io then upgrades
   * to WebSocket by itself when that gets through); until then WebSocket is all there is.
   */
  #transports(): TransportImpl[] {
    const wanted = this.options.transports ?? ['websocket', 'polling'];
    const list: TransportImpl[] = [];
    if (this.#polling && wanted.includes('polling')) list.push(this.#polling);
    if (wanted.includes('websocket')) list.push(WebSocketTransport);
    return list;
  }

  /** Polling is wanted before WebSocket, or WebSocket is not wanted at all: load it before connecting. */
  #pollingFirst(): boolean {
    const wanted = this.options.transports ?? ['websocket', 'polling'];
    return wanted[0] === 'polling' || !wanted.includes('websocket');
  }

  connect(auth: () => VisitorAuth): void {
    this.close();
    this.#auth = auth;
    this.#closed = false;
    if (!this.#polling && this.#pollingFirst()) {
      this.#emit({ type: 'connecting' });
      this.#fallBack();
      return;
    }
    this.#open(auth);
  }

  /** Load long-polling, then reconnect with it in the list (a failed load is retried on the next failure). */
  #fallBack(): void {
    this.#loadingPolling ??= loadPolling().then(
      (impl) => {
        this.#polling = impl;
        if (!this.#closed && this.#auth) this.connect(this.#auth);
      },
      (err: unknown) => {
        this.#loadingPolling = null;
        this.#emit({ type: 'disconnected', reason: `could not load the long-polling transport: ${String(err)}` });
        // With nothing to connect with (polling-only configuration), try again later.
        if (!this.#closed && this.#auth && this.#transports().length === 0) {
          const auth = this.#auth;
          this.#later(() => this.connect(auth));
        }
      },
    );
  }

  #open(auth: () => VisitorAuth): void {
    const socket: Socket<ServerEvents, ClientEvents> = io(this.serverUrl, {
      // A function, so that every reconnection sends the newest token (not the first visit's).
      auth: (cb) => cb({ ...auth() }),
      transports: this.#transports() as never,
      reconnectionDelay: this.options.reconnectionDelay ?? 1000,
      reconnectionDelayMax: this.options.reconnectionDelayMax ?? 10_000,
      randomizationFactor: 0.5,
      // One socket per client: never share a Manager with the host page's own socket.io use.
      forceNew: true,
      // Opened below, in a task of its own: creating the Manager and socket and opening the
      // engine and its WebSocket were one task of ~30 ms on a phone.
      autoConnect: false,
    });
    this.#socket = socket;
    this.#emit({ type: 'connecting' });
    void yieldToPage().then(() => {
      if (this.#socket === socket && !this.#closed) socket.connect();
    });
    socket.on('session', (session) => {
      this.#refusals = 0;
      this.#socketFailures = 0;
      this.#everConnected = true;
      this.#emit({ type: 'session', session });
    });
    socket.on('disconnect', (reason) => {
      this.#emit({ type: 'disconnected', reason });
      // 'io server disconnect': the server closed us (e.g. shutting down); socket.io does not reconnect by itself.
      if (reason === 'io server disconnect') this.#later(() => socket.connect());
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      const code = err.data?.code;
      if (!socket.active && isErrorCode(code)) {
        const error: WireError = { code, message: err.data?.message ?? err.message };
        if (code === 'rate_limited' || code === 'unavailable' || code === 'internal') {
          this.#emit({ type: 'disconnected', reason: code });
          this.#later(() => socket.connect());
        } else {
          this.#emit({ type: 'refused', error });
        }
        return;
      }
      this.#emit({ type: 'disconnected', reason: err.message });
      // No answer over WebSocket (no middleware refusal: that carries `data`) and never a session
      // in this page: after a few in a row, bring in long-polling. A server that is down at page
      // load costs one small chunk download.
      if (!err.data && !this.#polling && !this.#everConnected && (this.options.transports ?? ['websocket', 'polling']).includes('polling')) {
        if (++this.#socketFailures >= FALLBACK_AFTER) this.#fallBack();
      }
    });
    for (const name of SERVER_EVENTS) {
      socket.on(name, ((payload: never) => this.#emit({ type: 'server', name, payload } as TransportEvent)) as never);
    }
  }

  #later(fn: () => void): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#refusals++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      fn();
    }, backoffDelay(this.#refusals + 1, REFUSED_BACKOFF, Math.random()));
  }

  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const s = this.#socket;
    this.#socket = null;
    if (s) {
      s.removeAllListeners();
      s.disconnect();
    }
  }

  reconnectNow(): void {
    const s = this.#socket;
    if (s && !s.connected) s.connect();
  }

  verify(timeoutMs: number): Promise<boolean> {
    const s = this.#socket;
    if (!s || !s.connected) return Promise.resolve(false);
    this.#probe ??= emitWithAck(s, 'ping', {}, timeoutMs)
      .then(
        // Any answer (even a refusal such as rate_limited) proves that packets flow both ways.
        () => true,
        () => {
          // No answer in time: the connection is half-open (or the server is stuck). Dropping the
          // engine makes socket.io reconnect on a fresh connection; requests waiting on this one
          // are rejected at once and retried by their callers.
          if (this.#socket === s && s.connected) s.io.engine?.close();
          return false;
        },
      )
      .finally(() => {
        this.#probe = null;
      });
    return this.#probe;
  }

  async request<K extends RequestName>(name: K, input: RequestInput<K>, timeoutMs: number): Promise<Reply<RequestResult<K>>> {
    const s = this.#socket;
    if (!s || !s.connected) return { ok: false, error: { code: 'network', message: 'not connected' } };
    // An ack that is late is the first sign of a connection that silently stopped carrying packets.
    const stall = setTimeout(() => void this.verify(PROBE_TIMEOUT_MS), Math.min(STALL_MS, timeoutMs / 2));
    try {
      const res = await emitWithAck<Reply<RequestResult<K>>>(s, name, input, timeoutMs);
      if (!res || typeof res !== 'object' || typeof (res as { ok?: unknown }).ok !== 'boolean') {
        return { ok: false, error: { code: 'internal', message: 'malformed ack' } };
      }
      return res;
    } catch {
      // socket.io rejects emitWithAck only on timeout (or disconnect before the ack): outcome unknown.
      return { ok: false, error: { code: 'timeout', message: `no ack for ${name} within ${timeoutMs} ms` } };
    } finally {
      clearTimeout(stall);
    }
  }

  notify(name: 'typing', input: Parameters<ClientEvents['typing']>[0]): void {
    const s = this.#socket;
    if (s?.connected) s.volatile.emit(name, input);
  }

  on(listener: (event: TransportEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * An emit whose ack must come within `timeoutMs`: resolves with the ack, rejects on timeout or on
 * a disconnect before it (socket.io's `timeout().emitWithAck`, typed loosely: our event names and
 * payloads are checked by the callers' signatures).
 */
function emitWithAck<T>(socket: Socket<ServerEvents, ClientEvents>, name: string, input: unknown, timeoutMs: number): Promise<T> {
  const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(name: string, input: unknown): Promise<T> };
  return timed.emitWithAck(name, input);
}
