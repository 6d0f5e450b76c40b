import type { ThreadsTable } from '../db/schema.js';

/**
 * Room names. A visitor's sockets join `v:<visitorId>` and, when the connection proved an identity,
 * `u:<appId>:<userId>`; agent inboxes join `a:<appId>`. A thread's events go to the room of its
 * owner: the user once identified, else the visitor who started it.
 */
export const visitorRoom = (visitorId: string) => `v:${visitorId}`;
export const userRoom = (appId: string, userId: string) => `u:${appId}:${userId}`;
export const agentRoom = (appId: string) => `a:${appId}`;
/** Every socket of one visitor session (`s:<sessionId>`): revoking the session disconnects them. */
export const sessionRoom = (sessionId: string) => `s:${sessionId}`;
export const ownerRoom = (t: Pick<ThreadsTable, 'app_id' | 'user_id' | 'visitor_id'>) =>
  t.user_id ? userRoom(t.app_id, t.user_id) : visitorRoom(t.visitor_id);
/**
 * The rooms that stand for a person, which presence counts: the visitor's and, once identified,
 * the user's (a user is online when any of their devices is).
 */
export const presenceRooms = (p: { appId: string; visitorId: string; userId: string | null }) =>
  p.userId ? [visitorRoom(p.visitorId), userRoom(p.appId, p.userId)] : [visitorRoom(p.visitorId)];
