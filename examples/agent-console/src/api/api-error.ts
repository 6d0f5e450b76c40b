/**
 * A failed API call. `code` is one of the protocol's error codes, or `network` when the server
 * could not be reached and `bad_response` when it answered something that is not the API.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Our own words for the codes an agent can meet; the server's English message adds the detail. */
const WORDS: Record<string, string> = {
  network: 'Cannot reach the server. Check that it is running, then try again.',
  unauthorized: 'The API key was refused. Check the key and sign in again.',
  not_found: 'Not found: it may belong to another app or have been removed.',
  conflict: 'This reply was already sent with different content.',
  payload_too_large: 'Too large.',
  unsupported_media_type: 'This file type is not allowed (images, audio, PDF and text only).',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  prompt_capped: 'Not sent: no prompt now for this shopper.',
  campaign_capped: 'Not sent: this shopper already had as many prompts of this campaign as its caps allow.',
  unavailable: 'The server is restarting. Try again in a moment.',
  internal: 'The server failed unexpectedly. Try again.',
  bad_request: 'The server refused the request.',
};

/** A sentence to show an agent for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const words = WORDS[err.code];
    const detail = err.message && err.message !== words ? capitalise(err.message) : '';
    if (!words) return detail || `Request failed (${err.code}).`;
    if (!detail || err.code === 'network' || err.code === 'unauthorized') return words;
    return `${words} ${detail}${/[.!?]$/.test(detail) ? '' : '.'}`;
  }
  if (err instanceof Error && err.message) return capitalise(err.message);
  return 'Something went wrong.';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Builds an ApiError from a non-2xx response body (`{ error: { code, message } }`). */
export function errorFromBody(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(
      error.code,
      typeof error.message === 'string' ? error.message : '',
      status,
      typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined,
    );
  }
  // The rate limiter answers `{ code, message }` at the top level.
  const flat = body as { code?: unknown; message?: unknown } | null;
  if (flat && typeof flat.code === 'string') return new ApiError(flat.code, typeof flat.message === 'string' ? flat.message : '', status);
  return new ApiError('bad_response', `unexpected answer from the server (HTTP ${status})`, status);
}
