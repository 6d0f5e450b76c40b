import type { IncomingHttpHeaders } from 'node:http';

/**
 * The address limits are counted against: the TCP peer, or behind a trusted reverse proxy
 * (`THREADLINE_TRUST_PROXY`) the first `X-Forwarded-For` entry, as Fastify's `trustProxy: true`
 * does for HTTP. Without a trusted proxy the header is ignored: any client can write it.
 */
export function clientAddress(headers: IncomingHttpHeaders, peer: string | undefined, trustProxy: boolean): string {
  const forwarded = headers['x-forwarded-for'];
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : '';
  if (trustProxy && first) return first;
  return peer ?? 'unknown';
}
