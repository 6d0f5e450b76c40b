import type { FastifyRequest } from 'fastify';
import { ServerError } from '../errors.js';
import { looksLikeJwt, type VisitorTokens } from '../auth/tokens.js';
import type { VisitorSessions } from '../auth/sessions.js';
import type { AppRow, Principal, SqlStore } from '../store/sql-store.js';

export function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : null;
}

/** The brand side: `Authorization: Bearer <apiKey>`. */
export async function requireApp(req: FastifyRequest, store: SqlStore): Promise<AppRow> {
  const key = bearer(req);
  const app = key && !looksLikeJwt(key) ? await store.appByApiKey(key) : undefined;
  if (!app) throw new ServerError('unauthorized', 'send the API key as "Authorization: Bearer <apiKey>"');
  return app;
}

export type Caller = { kind: 'app'; app: AppRow } | { kind: 'visitor'; principal: Principal };

/**
 * Uploads and file downloads accept either side: a visitor token (from the socket's `session`
 * event) or an API key. A token issued to a connection that proved an identity carries that user,
 * so files in the user's threads from other devices are readable with it — while its session is
 * live: a revoked or expired session makes the token `unauthorized`.
 */
export async function requireCaller(
  req: FastifyRequest,
  { store, tokens, sessions }: { store: SqlStore; tokens: VisitorTokens; sessions: VisitorSessions },
): Promise<Caller> {
  const credential = bearer(req);
  if (!credential) throw new ServerError('unauthorized', 'send a visitor token or API key as "Authorization: Bearer …"');
  if (looksLikeJwt(credential)) {
    const claims = await tokens.verify(credential);
    const session = claims && (await sessions.live(claims, credential));
    const visitor = session && (await store.getVisitor(claims.visitorId));
    if (!claims || !visitor || visitor.app_id !== claims.appId) throw new ServerError('unauthorized', 'invalid visitor token');
    return { kind: 'visitor', principal: { appId: claims.appId, visitorId: visitor.id, userId: claims.userId } };
  }
  const app = await store.appByApiKey(credential);
  if (!app) throw new ServerError('unauthorized', 'invalid API key');
  return { kind: 'app', app };
}
