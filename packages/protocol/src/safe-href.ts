/** The one rule for every href and image source from the network: http, https or mailto only. */
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** Returns a normalised href when the URL is http(s)/mailto, else null. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    // Not a URL at all: the caller renders the text as plain text.
    return null;
  }
}
