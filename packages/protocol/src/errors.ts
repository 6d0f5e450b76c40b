/**
 * Error codes on the wire. Every failed ack is `{ ok: false, error: { code, message } }` and
 * every failed HTTP call answers `{ error: { code, message } }` with the status below.
 * The list is part of the public protocol: codes are added, never renamed.
 */
export const ERROR_CODES = {
  /** The payload failed validation; `message` says which field. HTTP 400. */
  bad_request: 400,
  /** Missing or invalid visitor token or API key. HTTP 401. */
  unauthorized: 401,
  /** A userHash or identity JWT failed verification (bad signature, `alg:none`, expired). HTTP 401. */
  identity_invalid: 401,
  /** The page's Origin is not on the app's allow-list. HTTP 403. */
  origin_not_allowed: 403,
  /** The client speaks a protocol version this server does not. HTTP 400. */
  protocol_unsupported: 400,
  /** Unknown thread, message, file or prompt — or one that belongs to someone else. HTTP 404. */
  not_found: 404,
  /** The same clientId (or Idempotency-Key) was reused with a different body. HTTP 409. */
  conflict: 409,
  /** Too large: message text over `LIMITS.maxTextLength`, an upload over the cap, an HTTP body over the limit. (A socket frame over the cap closes the socket.) HTTP 413. */
  payload_too_large: 413,
  /**
   * The visitor already has as many uploads (files or bytes) not yet sent in a message as the server
   * keeps for one visitor, until it sends them or they are collected. Not `quota_exceeded`, which the core uses for
   * the browser's storage. HTTP 413.
   */
  upload_quota_exceeded: 413,
  /** The upload's sniffed type is not allowed or does not match what was claimed. HTTP 415. */
  unsupported_media_type: 415,
  /** Too many requests; retry after `retryAfterMs`. HTTP 429. */
  rate_limited: 429,
  /** Unexpected server failure; safe to retry. HTTP 500. */
  internal: 500,
  /** The server is shutting down or not ready; safe to retry. HTTP 503. */
  unavailable: 503,
  /** A webhook URL that targets a loopback, private, link-local or reserved address (unless the operator allows them). HTTP 400. */
  webhook_url_not_allowed: 400,
  /** `notify.email.set` with an address that is not a usable email address. HTTP 400. */
  email_invalid: 400,
  /** Email notifications are off on this server (no SMTP relay configured, or no inbound domain for replies). HTTP 501. */
  notifications_off: 501,
  /**
   * An inbound email whose reply address carries no valid token: forged, expired, for another app,
   * sent from an address other than the one notified, or for an address the visitor has since
   * removed. Nothing lands. HTTP 403.
   */
  reply_token_invalid: 403,
  /**
   * `POST /v1/proactive` naming a stored campaign (`/v1/campaigns`): the target already got as many
   * prompts of that campaign as its caps allow (`caps.perVisitor`, `caps.cooldownMs`). Nothing is
   * stored. HTTP 429.
   */
  campaign_capped: 429,
  /**
   * `POST /v1/proactive`: the target is in a conversation with a person (an agent wrote in an
   * open thread of theirs in the last 30 minutes), or already had as many prompts in the last 24
   * hours as the server lets one visitor (or user) get, across campaigns
   * (`THREADLINE_PROMPTS_PER_DAY`); `retryAfterMs` says when the next one may go. Nothing is
   * stored. HTTP 429.
   */
  prompt_capped: 429,
  /**
   * `POST /v1/threads/:id/messages` with author kind `bot` on a thread the bot does not handle (it
   * waits for a person or an agent has it), in an app whose bot is enabled: after a handoff the
   * bot stays silent until the thread is assigned back to it (`POST /v1/threads/:id/assign`).
   * Nothing is stored. HTTP 409.
   */
  bot_not_assigned: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface WireError {
  code: ErrorCode;
  /** Readable English text for logs and developers; UIs should map `code` to their own words. */
  message: string;
  /** With `rate_limited`: how long to wait before trying again. */
  retryAfterMs?: number;
}

export type AckOk<T extends object = object> = { ok: true } & T;
export type AckErr = { ok: false; error: WireError };
/** The shape of every socket.io acknowledgement. */
export type Ack<T extends object = object> = AckOk<T> | AckErr;

/** Codes worth retrying later with the same payload; every other code is permanent. */
export const TRANSIENT_ERROR_CODES: readonly ErrorCode[] = ['rate_limited', 'internal', 'unavailable'];

export function isTransientError(code: string): boolean {
  return (TRANSIENT_ERROR_CODES as readonly string[]).includes(code);
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}
