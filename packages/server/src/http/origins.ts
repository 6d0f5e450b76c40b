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

/**
 * Whether some app allows `origin`, from the allow-lists read at most once every `ttlMs`: CORS asks
 * on every request (the API's and every socket.io polling request and upgrade), and the lists
 * change only when an app's settings do. One checker serves the HTTP API and the socket server.
 */
export function cachedOriginCheck(load: () => Promise<string[]>, ttlMs = 5000): (origin: string | undefined) => Promise<boolean> {
  // The read in flight is shared: a burst of requests when the period ends reads once. A failed
  // read is forgotten, so the next request tries again.
  let cached: { list: Promise<string[]>; at: number } | null = null;
  return async (origin) => {
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
}
