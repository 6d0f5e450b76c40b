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
