import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Server as SocketServer } from 'socket.io';
import type { WireError } from '@threadline/protocol';
import { ServerError } from '../errors.js';
import { clientAddress } from './client-address.js';
import type { Limiter } from './rate-limit.js';

type Engine = SocketServer['engine'];

export interface EngineGuardOptions {
  /** New engine.io connections (handshakes over either transport) per IP per window. */
  handshakes: Limiter;
  /** Long-polling HTTP requests (`/socket.io/`, which Fastify never sees) per IP per window. */
  requests: Limiter;
  /** Engine connections one IP may hold open at once. */
  maxOpenPerIp: number;
  /** What a client refused by `maxOpenPerIp` is told to wait, in ms. */
  retryOpenAfterMs: number;
  /**
   * How long an admitted handshake may take to become a connection before its place is freed
   * (a WebSocket upgrade can still fail after `allowRequest` said yes).
   */
  claimTimeoutMs: number;
  /** Behind a reverse proxy, count the X-Forwarded-For client, not the proxy. */
  trustProxy: boolean;
}

interface Slot {
  ip: string;
  timer: NodeJS.Timeout | null;
  released: boolean;
}

const SLOT = Symbol('threadline.engineSlot');
type GuardedRequest = IncomingMessage & { [SLOT]?: Slot; res?: ServerResponse };

/**
 * Per-IP limits below socket.io's namespaces. The namespace handshakes count connections that
 * join one; this counts every engine.io connection, WebSocket or long-polling, from its first
 * request, so raw connections that never send a handshake cannot pile up: a budget of new
 * connections per window, a cap on those open at once, and the HTTP budget for polling requests.
 *
 * Use: pass `allowRequest` in the socket.io options (engine.io calls it for every new handshake),
 * then `watch(io.engine)` once socket.io is attached to the HTTP server.
 */
export class EngineGuard {
  readonly #options: EngineGuardOptions;
  readonly #open = new Map<string, number>();

  constructor(options: EngineGuardOptions) {
    this.#options = options;
  }

  /** Connections held open from `ip` now, admitted handshakes included. */
  openFrom(ip: string): number {
    return this.#open.get(ip) ?? 0;
  }

  /** engine.io's `allowRequest`: runs once per new connection, before any namespace. */
  readonly allowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const ip = this.#address(req);
    this.#admit(ip).then(
      (slot) => {
        (req as GuardedRequest)[SLOT] = slot;
        callback(null, true);
      },
      (err: unknown) => {
        const error = err instanceof ServerError ? err.toWire() : { code: 'internal' as const, message: 'internal error' };
        refuse(req as GuardedRequest, error);
        callback(error.message, false);
      },
    );
  };

  /** Counts connections as they open and close, and long-polling requests as they come. */
  watch(engine: Engine): void {
    engine.on('connection', (socket: { request: IncomingMessage; once(event: 'close', fn: () => void): void }) => {
      const slot = (socket.request as GuardedRequest)[SLOT];
      if (!slot) return;
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      socket.once('close', () => this.#release(slot));
    });
    // A handshake that failed after allowRequest (unsupported protocol, transport error).
    engine.on('connection_error', (err: { req?: IncomingMessage }) => {
      const slot = err.req && (err.req as GuardedRequest)[SLOT];
      if (slot) this.#release(slot);
    });
    engine.use((req: IncomingMessage, res: unknown, next: (err?: Error) => void) => {
      // WebSocket upgrades get a stand-in response object; they are counted as handshakes.
      if (!(res instanceof ServerResponse)) return next();
      this.#options.requests.take(this.#address(req)).then(
        () => next(),
        (err: unknown) => {
          if (!(err instanceof ServerError)) return next(err as Error);
          refuse(Object.assign(req, { res }) as GuardedRequest, err.toWire());
          // engine.io sees the response is sent and only records the failure.
          next(err);
        },
      );
    });
  }

  #address(req: IncomingMessage): string {
    return clientAddress(req.headers, req.socket.remoteAddress, this.#options.trustProxy);
  }

  async #admit(ip: string): Promise<Slot> {
    const { maxOpenPerIp, retryOpenAfterMs } = this.#options;
    const full = () => new ServerError('rate_limited', `too many open connections from this address (at most ${maxOpenPerIp})`, retryOpenAfterMs);
    if (this.openFrom(ip) >= maxOpenPerIp) throw full();
    await this.#options.handshakes.take(ip);
    // Other handshakes from the same address may have been admitted while this one waited.
    if (this.openFrom(ip) >= maxOpenPerIp) throw full();
    this.#open.set(ip, this.openFrom(ip) + 1);
    const slot: Slot = { ip, timer: null, released: false };
    slot.timer = setTimeout(() => this.#release(slot), this.#options.claimTimeoutMs);
    slot.timer.unref();
    return slot;
  }

  #release(slot: Slot): void {
    if (slot.released) return;
    slot.released = true;
    if (slot.timer) clearTimeout(slot.timer);
    const left = this.openFrom(slot.ip) - 1;
    if (left > 0) this.#open.set(slot.ip, left);
    else this.#open.delete(slot.ip);
  }
}

/**
 * Answers 429 with the API's error body and `Retry-After`: on the polling response, or written
 * straight to the socket of a WebSocket upgrade (engine.io would answer a bare 400 or 403).
 */
function refuse(req: GuardedRequest, error: WireError): void {
  const body = JSON.stringify({ error });
  const status = error.code === 'rate_limited' ? 429 : 500;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  const res = req.res;
  if (res) {
    if (!res.headersSent) res.writeHead(status, headers).end(body);
    return;
  }
  const socket = req.socket;
  if (!socket.writable) return;
  const head = [`HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : 'Internal Server Error'}`, 'connection: close', `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
