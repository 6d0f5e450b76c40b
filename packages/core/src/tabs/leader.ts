/**
 * Leader election between tabs with Web Locks: every tab asks for the same exclusive lock; the
 * holder leads (socket + outbox) until it is destroyed or the tab closes, at which point the
 * browser grants the lock to the next waiting tab — hand-over needs no heartbeat. Where Web
 * Locks is missing, every tab leads on its own (`solo`) and server-side dedupe keeps it correct.
 */
import type { LockManagerLike } from '../environment.js';

export interface Election {
  /** Give up leadership or the pending request. */
  release(): void;
}

export function elect(locks: LockManagerLike, name: string, onLead: () => void): Election {
  const abort = new AbortController();
  let releaseHeld: (() => void) | null = null;
  let released = false;
  locks
    .request(name, { mode: 'exclusive', signal: abort.signal }, () => {
      if (released) return Promise.resolve();
      onLead();
      return new Promise<void>((resolve) => {
        releaseHeld = resolve;
      });
    })
    .catch((err: unknown) => {
      // AbortError: we released before the lock was granted — expected on destroy.
      if ((err as { name?: string })?.name !== 'AbortError') throw err;
    });
  return {
    release() {
      released = true;
      abort.abort();
      releaseHeld?.();
    },
  };
}
