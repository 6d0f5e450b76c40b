/** What tabs of one app say to each other over BroadcastChannel (`threadline:<appId>`). */
import type { Action } from '../state/state.js';
import type { Identity, VisitorContext } from '../types.js';
import type { ProactiveEvent } from '@threadline/protocol';

/** Commands a follower tab has the leader run (they need the socket), with their arguments. */
export interface TabCommands {
  retry: [clientId: string];
  discard: [clientId: string];
  identify: [identity: Identity];
  context: [context: Omit<VisitorContext, 'device'>];
  track: [name: string, props?: Record<string, string | number | boolean | null>];
  /** `fire`: a page campaign's trigger fired in the follower's page (`id` is the campaign's). */
  proactive: [id: string, event: ProactiveEvent | 'fire'];
  typing: [threadId: string, typing: boolean];
  fetchOlder: [threadId: string, before: number, limit: number];
  markRead: [threadId: string, seq: number];
  rate: [threadId: string, score: number, comment?: string];
  notifyEmail: [email: string | null];
  availability: [];
  attach: [token: string];
}

export type TabCommand = keyof TabCommands;
/** One command with its arguments, as a union the leader can switch over without casts. */
export type TabCall = { [K in TabCommand]: { name: K; args: TabCommands[K] } }[TabCommand];

export type TabMessage =
  /** Leader → followers: an action the leader applied (followers mirror it). */
  | { k: 'action'; action: Action }
  /** Follower → leader: an outbox entry was stored (or changed); read it from storage. */
  | { k: 'outbox'; clientId: string }
  /** Follower → leader: run a command that needs the socket. */
  | ({ k: 'cmd'; id: string } & TabCall)
  /** Leader → follower: the command's result. */
  | { k: 'reply'; id: string; result: unknown }
  /** A new follower asks the leader for its live state (connection, session, typing, uploads). */
  | { k: 'hello' }
  /** Logout in one tab: every tab closes and forgets. */
  | { k: 'shutdown' };

export function isTabMessage(v: unknown): v is TabMessage {
  return !!v && typeof v === 'object' && typeof (v as { k?: unknown }).k === 'string';
}

/** Actions that are about this tab only and are not mirrored. */
export const LOCAL_ACTIONS: ReadonlySet<Action['type']> = new Set(['status', 'role', 'storage', 'hydrate', 'loadingOlder', 'reset']);
