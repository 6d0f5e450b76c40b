/**
 * The integrator events that follow from state changes: `connectionChange` when the connection
 * state changes, `unreadChange` when the total unread count does (not for a first count of 0).
 * Events for things that happen (`message`, `proactive`, `error`…) are emitted where they happen.
 */
import type { Emitter } from '../emitter.js';
import type { Store } from '../store.js';
import type { ClientEventMap } from '../types.js';

export function watch(store: Store, events: Emitter<ClientEventMap>): void {
  let connection = store.state.connection;
  let unread = -1;
  store.subscribe(() => {
    const s = store.state;
    if (s.connection !== connection) {
      connection = s.connection;
      events.emit('connectionChange', { state: s.connection, error: s.connectionError });
    }
    const snap = store.getSnapshot();
    if (snap.totalUnread !== unread) {
      const first = unread === -1;
      unread = snap.totalUnread;
      if (!first || unread > 0) {
        const byThread: Record<string, number> = {};
        for (const t of snap.threads) byThread[t.id] = t.unread;
        events.emit('unreadChange', { total: unread, byThread });
      }
    }
  });
}
