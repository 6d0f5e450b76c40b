import type { ThreadsTable } from '../db/schema.js';

/**
 * Room names. A visitor's sockets join `v:<visitorId>` and, when the connection proved an identity,
 * `u:<appId>:<userId>`; agent inboxes join `a:<appId>`. A thread's events go to the room of its
 * owner (the user once identified, else the visitor who started it) and to `t:<threadId>`, which
 * the sockets of a device that opened it from an email's continue link join.
 */
export const visitorRoom = (visitorId: string) => `v:${visitorId}`;
export const userRoom = (appId: string, userId: string) => `u:${appId}:${userId}`;
export const agentRoom = (appId: string) => `a:${appId}`;
/** Every visitor socket of an app (`app:<appId>`): hears app-wide news, such as agents coming online. */
export const appRoom = (appId: string) => `app:${appId}`;
/** Every socket of one visitor session (`s:<sessionId>`): revoking the session disconnects them. */
export const sessionRoom = (sessionId: string) => `s:${sessionId}`;
/** The sockets of other visitors that opened the thread from an email's continue link (notifications/continue.ts). */
export const threadRoom = (threadId: string) => `t:${threadId}`;
/** Who hears of a thread's events: its owner's room, and the devices that opened it from a continue link. */
export const ownerRoom = (t: Pick<ThreadsTable, 'id' | 'app_id' | 'user_id' | 'visitor_id'>) => [
  t.user_id ? userRoom(t.app_id, t.user_id) : visitorRoom(t.visitor_id),
  threadRoom(t.id),
];
/**
 * The rooms that stand for a person, which presence counts: the visitor's and, once identified,
 * the user's (a user is online when any of their devices is).
 */
export const presenceRooms = (p: { appId: string; visitorId: string; userId: string | null }) =>
  p.userId ? [visitorRoom(p.visitorId), userRoom(p.appId, p.userId)] : [visitorRoom(p.visitorId)];
