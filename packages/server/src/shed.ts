import { ServerError } from './errors.js';

/** How far behind the database is: statements waiting for a pooled connection, and the oldest wait. */
export interface Backlog {
  waiting: number;
  oldestMs: number;
}

/**
 * Work that needs the database is refused while a statement has waited longer than this for a
 * pooled PostgreSQL connection. A healthy node's statements wait a few milliseconds; a send waits
 * about twice (for its transaction, then for its fan-out's reads), so one taken on now is acked
 * within a few seconds, before a widget's ack times out (5–10 s) and it sends again.
 */
export const SHED_WAIT_MS = 1000;
/** A refusal says to come back after at least this long (or as long as the oldest statement has waited), up to twice it. */
const SHED_RETRY_MS = 1000;

/**
 * Throws `unavailable`, with when to try again, while the database is behind (see `SHED_WAIT_MS`):
 * taken on, the work would only queue behind what already waits, answered later than its caller
 * waits for, and its retry would queue too — the queue, and the node's memory, would grow without
 * bound. `what` names the refused work in the message. (SQLite has no such queue: its statements
 * run on the event loop when asked, and its backlog is always empty.)
 */
export function shedWhenBusy(backlog: Backlog, what: string): void {
  if (backlog.oldestMs <= SHED_WAIT_MS) return;
  // The further behind, the later they come back (each refusal costs the node work too), and
  // spread over up to twice that, so refused callers do not all come back at once.
  const after = Math.max(SHED_RETRY_MS, Math.round(backlog.oldestMs));
  throw new ServerError('unavailable', `the server is busy; ${what} again later`, after + Math.floor(Math.random() * after));
}
