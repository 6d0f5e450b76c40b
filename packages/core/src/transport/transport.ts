/**
 * The transport contract: a socket that connects with the visitor's auth, makes acked requests
 * with a timeout, and reports what happens as a typed union. The default is socket.io-client
 * (`socketio-transport.ts`); tests may pass their own.
 *
 * Delivery: `request` is at-most-once per call — a timeout means "unknown", and the caller
 * (the outbox) retries with the same clientId, which the server deduplicates. Together that is
 * at-least-once transport with idempotent apply.
 */
import type { Ack, ClientEvents, ServerEvents, VisitorAuth, WireError } from '@threadline/protocol';

export type RequestName = Exclude<keyof ClientEvents, 'typing'>;
export type RequestInput<K extends RequestName> = Parameters<ClientEvents[K]>[0];
export type RequestResult<K extends RequestName> = Parameters<Parameters<ClientEvents[K]>[1]>[0] extends Ack<infer T>
  ? T
  : never;

/** A request outcome: the ack, or a client-side failure (`timeout`, `network`). */
export type Reply<T> =
  | ({ ok: true } & T)
  | { ok: false; error: WireError | { code: 'timeout' | 'network'; message: string; retryAfterMs?: number } };

export type ServerEventName = keyof ServerEvents;

export type TransportEvent =
  | { type: 'connecting' }
  | { type: 'session'; session: Parameters<ServerEvents['session']>[0] }
  | { type: 'disconnected'; reason: string }
  | { type: 'refused'; error: WireError }
  | { [K in Exclude<ServerEventName, 'session'>]: { type: 'server'; name: K; payload: Parameters<ServerEvents[K]>[0] } }[Exclude<ServerEventName, 'session'>];

export interface Transport {
  /**
   * Open (or re-open with new auth). Reconnects by itself with backoff until `close()`; `auth`
   * is called on every (re)connection so it always carries the latest visitor token.
   */
  connect(auth: () => VisitorAuth): void;
  /** Close for good (until the next `connect`). */
  close(): void;
  readonly connected: boolean;
  request<K extends RequestName>(name: K, input: RequestInput<K>, timeoutMs: number): Promise<Reply<RequestResult<K>>>;
  /** Try to reconnect at once (the browser came back online). */
  reconnectNow?(): void;
  /**
   * Ask the server whether this connection still carries packets (a `ping`). Resolves true when
   * it answered within `timeoutMs`; false when not connected or when it did not answer, in which
   * case the connection is taken for half-open and dropped, so that it reconnects (reported as
   * `disconnected`, then a new `session`). Without it, a connected transport is taken as live.
   */
  verify?(timeoutMs: number): Promise<boolean>;
  /** Fire-and-forget (typing). */
  notify(name: 'typing', input: Parameters<ClientEvents['typing']>[0]): void;
  on(listener: (event: TransportEvent) => void): () => void;
}

export type TransportFactory = (options: { serverUrl: string }) => Transport;
