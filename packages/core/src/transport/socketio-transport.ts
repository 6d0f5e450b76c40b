/**
 * The default transport: socket.io-client. The visitor's auth travels in the CONNECT packet
 * (`auth`), never in the URL. socket.io reconnects by itself after a lost connection (with its
 * own capped, jittered backoff); a refusal by the server's middleware is final for socket.io, so
 * we retry `rate_limited`/`unavailable` refusals ourselves and report the others.
 */
import { io, type Socket } from 'socket.io-client';
import { isErrorCode, type ClientEvents, type ServerEvents, type VisitorAuth, type WireError } from '@threadline/protocol';
import type { Reply, RequestInput, RequestName, RequestResult, Transport, TransportEvent, TransportFactory } from './transport.js';

const SERVER_EVENTS = ['message', 'thread', 'read', 'typing', 'proactive'] as const;

export interface SocketIoTransportOptions {
  /**
   * socket.io transports to use.
   * @default ['websocket', 'polling'] — WebSocket first; long-polling where it is blocked.
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

  connect(auth: () => VisitorAuth): void {
    this.close();
    const socket: Socket<ServerEvents, ClientEvents> = io(this.serverUrl, {
      // A function, so that every reconnection sends the newest token (not the first visit's).
      auth: (cb) => cb({ ...auth() }),
      transports: this.options.transports ?? ['websocket', 'polling'],
      reconnectionDelay: this.options.reconnectionDelay ?? 1000,
      reconnectionDelayMax: this.options.reconnectionDelayMax ?? 10_000,
      randomizationFactor: 0.5,
      // One socket per client: never share a Manager with the host page's own socket.io use.
      forceNew: true,
    });
    this.#socket = socket;
    this.#emit({ type: 'connecting' });
    socket.on('session', (session) => {
      this.#refusals = 0;
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
    });
    for (const name of SERVER_EVENTS) {
      socket.on(name, ((payload: never) => this.#emit({ type: 'server', name, payload } as TransportEvent)) as never);
    }
  }

  #later(fn: () => void): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#refusals++;
    const base = Math.min(30_000, 1000 * 2 ** Math.min(this.#refusals, 5));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      fn();
    }, base / 2 + (Math.random() * base) / 2);
  }

  close(): void {
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

  async request<K extends RequestName>(name: K, input: RequestInput<K>, timeoutMs: number): Promise<Reply<RequestResult<K>>> {
    const s = this.#socket;
    if (!s || !s.connected) return { ok: false, error: { code: 'network', message: 'not connected' } };
    try {
      const emit = s.timeout(timeoutMs).emitWithAck as unknown as (n: string, i: unknown) => Promise<Reply<RequestResult<K>>>;
      const res = await emit.call(s.timeout(timeoutMs), name, input);
      if (!res || typeof res !== 'object' || typeof (res as { ok?: unknown }).ok !== 'boolean') {
        return { ok: false, error: { code: 'internal', message: 'malformed ack' } };
      }
      return res;
    } catch {
      // socket.io rejects emitWithAck only on timeout (or disconnect before the ack): outcome unknown.
      return { ok: false, error: { code: 'timeout', message: `no ack for ${name} within ${timeoutMs} ms` } };
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
