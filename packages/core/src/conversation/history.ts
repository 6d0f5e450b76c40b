/**
 * Older pages of a thread: from storage first (any tab), then from the server (through the tab
 * holding the socket) for what storage does not hold. Older pages are history, not news: they
 * are not announced through the `message` event.
 */
import type { Host } from '../host.js';

/** Load the page before the oldest loaded message. Resolves to whether more remain. */
export async function loadOlder(host: Host, threadId: string): Promise<boolean> {
  const { store, local, options } = host;
  const entry = store.state.threads[threadId];
  if (!entry || entry.local || entry.loadingOlder) return false;
  const held = store.state.messages[threadId] ?? [];
  // Nothing loaded: below the cursor, or the newest page of a thread known only by its summary.
  const before = held[0]?.seq ?? (entry.heldSeq > 0 ? entry.heldSeq + 1 : entry.thread.lastSeq + 1);
  if (before <= 1) return false;
  store.dispatch({ type: 'loadingOlder', threadId, loading: true });
  try {
    const stored = await local.readBefore(threadId, before, options.pageSize);
    if (stored.length) store.dispatch({ type: 'messages', threadId, messages: stored });
    const lowest = stored[0]?.seq ?? before;
    if (stored.length >= options.pageSize || lowest <= 1) return lowest > 1;
    const limit = options.pageSize - stored.length;
    const more = await host.leader('fetchOlder', [threadId, lowest, limit], () => fetchOlder(host, threadId, lowest, limit));
    return more === true;
  } finally {
    store.dispatch({ type: 'loadingOlder', threadId, loading: false });
  }
}

/** Leader: a page below `before` from the server. Resolves to whether more remain (true when unknown). */
export async function fetchOlder(host: Host, threadId: string, before: number, limit: number): Promise<boolean> {
  const res = await host.request('messages.list', { threadId, before, limit: Math.max(1, limit) });
  if (!res) return true;
  host.applyServerMessages(threadId, res.items, false);
  return res.more;
}
