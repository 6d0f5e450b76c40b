import type { ErrorCode, WireError } from '@threadline/protocol';

/**
 * A failure with a protocol error code; the only kind of error handlers turn into `{ ok: false }`.
 * It is an answer, not a bug: it carries no stack trace (capturing one costs more than the rest of
 * a refusal, and an overloaded node refuses thousands a second). Unexpected errors keep theirs.
 */
export class ServerError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, retryAfterMs?: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'ServerError';
    this.code = code;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }

  toWire(): WireError {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfterMs: this.retryAfterMs };
  }
}

/** The one answer for "unknown" and "not yours", so a visitor cannot probe other visitors' ids. */
export function notFound(what: string): ServerError {
  return new ServerError('not_found', `${what} not found`);
}
