/**
 * Origin allow-list check. A request without an Origin header is not from a browser page (a
 * backend, a test, a native app) and is allowed: Origin protects browsers' users, and any other
 * client could forge it anyway. `*` allows every origin.
 */
export function isOriginAllowed(allowed: readonly string[], origin: string | undefined): boolean {
  if (!origin) return true;
  if (allowed.includes('*')) return true;
  return allowed.includes(origin.replace(/\/$/, ''));
}

/** A cached origin check; `invalidate()` drops the cached lists, so the next request reads them. */
export type OriginCheck = ((origin: string | undefined) => Promise<boolean>) & { invalidate(): void };

/**
 * Whether some app allows `origin`, from the allow-lists read at most once every `ttlMs`: CORS asks
 * on every request (the API's and every socket.io polling request and upgrade), and the lists
 * change only when an app's settings do. One checker serves the HTTP API and the socket server.
 * With several nodes, `shareOriginChanges` makes a change drop every node's cache at once; the
 * period stays as the bound when a notice is lost.
 */
export function cachedOriginCheck(load: () => Promise<string[]>, ttlMs = 5000): OriginCheck {
  // The read in flight is shared: a burst of requests when the period ends reads once. A failed
  // read is forgotten, so the next request tries again.
  let cached: { list: Promise<string[]>; at: number } | null = null;
  const check = async (origin: string | undefined) => {
    if (!origin) return true;
    if (!cached || Date.now() - cached.at >= ttlMs) {
      const entry = { list: load(), at: Date.now() };
      cached = entry;
      entry.list.catch(() => {
        if (cached === entry) cached = null;
      });
    }
    return isOriginAllowed(await cached.list, origin);
  };
  // A read in flight may predate the change: it is dropped too, and the next request reads again.
  return Object.assign(check, { invalidate: () => void (cached = null) });
}

/** The part of the Redis link that origin notices travel on (cluster/redis.ts). */
export interface OriginBus {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, fn: (message: string) => void): void;
  onReconnect(fn: () => void): () => void;
}

const ORIGINS_CHANNEL = 'origins';

/**
 * Call after an app's allowed origins changed (the returned function): this node's cache is
 * dropped and, with a bus (Redis pub/sub on `<prefix>origins`), every other node's too. Notices
 * are fire-and-forget: one lost while Redis was away is covered by the cache period, and a node
 * whose Redis connection comes back drops its cache as well.
 */
export function shareOriginChanges(check: OriginCheck, bus: OriginBus | null): (appId: string) => Promise<void> {
  if (bus) {
    bus.subscribe(ORIGINS_CHANNEL, () => check.invalidate());
    bus.onReconnect(() => check.invalidate());
  }
  return async (appId) => {
    check.invalidate();
    // Redis away: the other nodes see the change within the cache period.
    await bus?.publish(ORIGINS_CHANNEL, appId).catch(() => undefined);
  };
}
