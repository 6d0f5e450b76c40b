import { createHash, randomUUID } from 'node:crypto';
import type { SessionsTable, VisitorsTable } from '../db/schema.js';
import type { SessionStore } from '../store/session-store.js';
import type { VisitorClaims } from './tokens.js';

/** How often expired rows are swept, at most (on the next session opened). */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Server-side visitor sessions, so visitor tokens can be revoked. One session per device: every
 * token of the device names it (`sid`), and a token is accepted only while its session is neither
 * revoked nor past `expires_at`. Each connection pushes `expires_at` one token life further
 * (sliding expiry) and hands a fresh token for the same session, so a returning visitor never
 * notices; a device idle for a whole token life starts over as a new visitor.
 *
 * Tokens signed before sessions existed have no `sid`. Their session id is derived from the token
 * itself (`legacy_<sha256>`): the first handshake within one token life of their issue opens that
 * session (the device gets a `sid` token and keeps its visitor); after that the old token lives
 * and dies with the session. Older ones, and ones never seen on a handshake, are refused.
 *
 * Every session's tokens expire no later than the session (`exp` = issue + life, and `expires_at`
 * = last renewal + life), so rows past `expires_at` can be deleted without reviving a token.
 */
export class VisitorSessions {
  #prunedAt = 0;

  constructor(
    private readonly store: SessionStore,
    /** Session and token life. */
    readonly ttlMs: number,
  ) {}

  /** The live session a verified token belongs to, or null. Used on every HTTP use of a token. */
  async live(claims: VisitorClaims, token: string): Promise<SessionsTable | null> {
    const row = await this.store.get(sessionIdOf(claims, token));
    return row && isLive(row, claims) ? row : null;
  }

  /**
   * On a handshake: the token's live session, opening the session of a token issued before
   * sessions existed (if it is younger than one token life). Null means "start a new visitor".
   */
  async resume(claims: VisitorClaims, token: string): Promise<SessionsTable | null> {
    const now = Date.now();
    if (claims.sessionId === null && claims.issuedAt + this.ttlMs > now) {
      await this.store.insertIfAbsent(this.#row(sessionIdOf(claims, token), claims.appId, claims.visitorId, claims.userId, now));
    }
    return this.live(claims, token);
  }

  /**
   * `resume`, then `renew` for an anonymous connection, and the visitor seen now, in one statement
   * where the store can (`SessionStore.renewSeen`): the visitor of a live session, or null — then
   * the caller takes the general way (`resume`, which may still open a legacy token's session).
   * Only for a token with a session id, on a connection that proves no user.
   */
  async resumeAnonymous(claims: VisitorClaims): Promise<VisitorsTable | null> {
    if (!this.store.renewsInOneStatement || claims.sessionId === null) return null;
    const now = Date.now();
    return (await this.store.renewSeen(claims.sessionId, claims, now, now + this.ttlMs)) ?? null;
  }

  /**
   * Keeps `sessionId` alive for another token life and records the user this connection proved;
   * opens a new session when there is none. Returns the session id, or null when `sessionId` was
   * revoked since `resume` found it live (a logout racing this handshake): it must not come back.
   */
  async renew(sessionId: string | null, owner: { appId: string; visitorId: string; userId: string | null }): Promise<string | null> {
    const now = Date.now();
    if (sessionId) {
      const kept = await this.store.extend(sessionId, owner.visitorId, { expiresAt: now + this.ttlMs, userId: owner.userId });
      return kept ? sessionId : null;
    }
    await this.#prune(now);
    const row = this.#row(`s_${randomUUID()}`, owner.appId, owner.visitorId, owner.userId, now);
    await this.store.insert(row);
    return row.id;
  }

  /**
   * Logout: revokes the session of an authentic token. Returns the session id, or null when there
   * was nothing live to revoke. A token issued before sessions gets a revoked row even if it never
   * had a session, so it cannot open one later.
   */
  async revokeToken(claims: VisitorClaims, token: string): Promise<string | null> {
    const id = sessionIdOf(claims, token);
    const now = Date.now();
    if (claims.sessionId === null) {
      await this.store.insertIfAbsent({ ...this.#row(id, claims.appId, claims.visitorId, claims.userId, claims.issuedAt), revoked_at: now });
    }
    return (await this.store.revoke(id, claims, now)) ? id : null;
  }

  /** Revokes every live session of a visitor. Returns the ids revoked. */
  async revokeVisitor(appId: string, visitorId: string): Promise<string[]> {
    return this.store.revokeVisitor(appId, visitorId, Date.now());
  }

  /**
   * Revokes every live session of every visitor bound to the user: any token that carries the
   * user (`uid`) belongs to such a visitor, since a visitor is never bound to another user.
   */
  async revokeUser(appId: string, userId: string): Promise<string[]> {
    return this.store.revokeUser(appId, userId, Date.now());
  }

  #row(id: string, appId: string, visitorId: string, userId: string | null, from: number): SessionsTable {
    return { id, app_id: appId, visitor_id: visitorId, user_id: userId, created_at: Date.now(), expires_at: from + this.ttlMs, revoked_at: null };
  }

  async #prune(now: number): Promise<void> {
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    await this.store.deleteExpired(now);
  }
}

/** The token's `sid`, or for a token issued before sessions, an id derived from the token. */
function sessionIdOf(claims: VisitorClaims, token: string): string {
  return claims.sessionId ?? `legacy_${createHash('sha256').update(token).digest('base64url')}`;
}

function isLive(row: SessionsTable, claims: VisitorClaims): boolean {
  return row.revoked_at === null && Number(row.expires_at) > Date.now() && row.app_id === claims.appId && row.visitor_id === claims.visitorId;
}
